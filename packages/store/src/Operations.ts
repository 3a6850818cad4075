import type { OperationPlan, OperationRequest, OperationResult } from "@idconnect/schemas/Operation"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { newId } from "./internal/Ids.ts"
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from "./Page.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

export type OperationStatus = "planned" | "queued" | "applied" | "no-op" | "failed" | "skipped"

/** One lifecycle operation as recorded: what was asked, what the plan said, what applying did. */
export interface OperationRecord {
  readonly id: string
  readonly tenantId: string
  readonly integrationId: string
  readonly planId: string
  readonly runId: string | null
  readonly position: number
  /** The id the client gave the operation, if any. */
  readonly clientRef: string | null
  readonly operation: string
  readonly params: Record<string, unknown>
  readonly plan: OperationPlan | null
  readonly status: OperationStatus
  readonly result: OperationResult | null
  readonly requestedBy: string
  readonly createdAt: string
  readonly updatedAt: string
}

type OperationRow = {
  id: string
  tenant_id: string
  integration_id: string
  plan_id: string
  run_id: string | null
  position: number
  client_ref: string | null
  operation: string
  params: Record<string, unknown>
  plan: OperationPlan | null
  status: OperationStatus
  result: OperationResult | null
  requested_by: string
  created_at: string
  updated_at: string
}

const recordOf = (r: OperationRow): OperationRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  integrationId: r.integration_id,
  planId: r.plan_id,
  runId: r.run_id,
  position: r.position,
  clientRef: r.client_ref,
  operation: r.operation,
  params: r.params,
  plan: r.plan,
  status: r.status,
  result: r.result,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at
})

/** The request to hand to a plugin's `apply`: its `id` is the record id, so results map back. */
export const toRequest = (op: OperationRecord): OperationRequest => ({ operation: op.operation, params: op.params, id: op.id })

/**
 * Lifecycle operations: a plan (the operations a client asked for, each with the plugin's dry-run
 * answer) is recorded, then applied by a lifecycle run whose results are recorded per operation.
 *
 * @category services
 */
export class Operations extends Context.Service<
  Operations,
  {
    readonly recordPlan: (
      tenantId: string,
      integrationId: string,
      input: {
        readonly requestedBy: string
        readonly operations: ReadonlyArray<{ readonly request: OperationRequest; readonly plan?: OperationPlan }>
      }
    ) => Effect.Effect<{ readonly planId: string; readonly operations: ReadonlyArray<OperationRecord> }, StoreError>
    readonly plan: (tenantId: string, planId: string) => Effect.Effect<ReadonlyArray<OperationRecord>, StoreError>
    /** Marks a plan's operations as queued for the lifecycle run that will apply them. */
    readonly attachRun: (planId: string, runId: string) => Effect.Effect<void, StoreError>
    readonly recordResults: (planId: string, results: ReadonlyArray<OperationResult>) => Effect.Effect<void, StoreError>
    readonly list: (tenantId: string, integrationId: string, page?: PageRequest) => Effect.Effect<Page<OperationRecord>, StoreError>
  }
>()("idconnect/store/Operations") {
  static readonly layer = Layer.effect(
    Operations,
    Effect.gen(function* () {
      const db = yield* SqlDriver
      return Operations.of({
        recordPlan: Effect.fn("Operations.recordPlan")(function* (tenantId, integrationId, input) {
          if (input.operations.length === 0) return yield* StoreErrors.invalidInput("operations", "A plan needs at least one operation")
          const planId = newId("plan")
          return yield* db.transaction((tx) =>
            Effect.gen(function* () {
              const owned = yield* tx.query("select 1 from integrations where id = $1 and tenant_id = $2", [integrationId, tenantId])
              if (owned.length === 0) return yield* StoreErrors.notFound("integration", integrationId)
              const records: Array<OperationRecord> = []
              for (const [position, op] of input.operations.entries()) {
                const rows = yield* tx.query<OperationRow>(
                  `insert into operations (id, tenant_id, integration_id, plan_id, position, client_ref, operation, params, plan, requested_by)
                   values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10) returning *`,
                  [
                    newId("op"),
                    tenantId,
                    integrationId,
                    planId,
                    position,
                    op.request.id ?? null,
                    op.request.operation,
                    JSON.stringify(op.request.params),
                    op.plan === undefined ? null : JSON.stringify(op.plan),
                    input.requestedBy
                  ]
                )
                records.push(recordOf(rows[0]!))
              }
              return { planId, operations: records }
            })
          )
        }),
        plan: Effect.fn("Operations.plan")(function* (tenantId, planId) {
          const rows = yield* db.query<OperationRow>("select * from operations where plan_id = $1 and tenant_id = $2 order by position", [
            planId,
            tenantId
          ])
          if (rows.length === 0) return yield* StoreErrors.notFound("plan", planId)
          return rows.map(recordOf)
        }),
        attachRun: Effect.fn("Operations.attachRun")(function* (planId, runId) {
          yield* db.query("update operations set run_id = $2, status = 'queued', updated_at = now() where plan_id = $1", [planId, runId])
        }),
        recordResults: Effect.fn("Operations.recordResults")(function* (planId, results) {
          yield* db.transaction((tx) =>
            Effect.forEach(
              results,
              (result) =>
                tx.query("update operations set status = $3, result = $4::jsonb, updated_at = now() where plan_id = $1 and id = $2", [
                  planId,
                  result.id,
                  result.status,
                  JSON.stringify(result)
                ]),
              { discard: true }
            )
          )
        }),
        list: Effect.fn("Operations.list")(function* (tenantId, integrationId, page) {
          const limit = yield* pageLimit(page?.limit)
          const before = yield* decodeCursor(page?.cursor, (v): v is string => typeof v === "string")
          const rows = yield* db.query<OperationRow>(
            `select * from operations where tenant_id = $1 and integration_id = $2 and ($3::text is null or id < $3)
             order by id desc limit $4`,
            [tenantId, integrationId, before ?? null, limit + 1]
          )
          return toPage(rows, limit, recordOf, (r) => r.id)
        })
      })
    })
  )
}
