import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from "./Page.ts"
import { SqlDriver } from "./SqlDriver.ts"
import type { StoreError } from "./StoreError.ts"

export interface AuditEntryInput {
  readonly tenantId: string
  /** Who did it: an API key id, `worker:<id>`, `scheduler`, a user's e-mail. */
  readonly actor: string
  /** What happened, dotted: `integration.created`, `secret.rotated`, `operation.applied`. */
  readonly action: string
  readonly targetType: string
  readonly targetId: string
  readonly integrationId?: string
  readonly runId?: string
  /** Anything that explains the event. Never secrets: callers pass views, not configs. */
  readonly details?: Record<string, unknown>
}

export interface AuditEntry extends AuditEntryInput {
  readonly id: number
  readonly at: string
  readonly details: Record<string, unknown>
}

type AuditRow = {
  id: number
  tenant_id: string
  at: string
  actor: string
  action: string
  target_type: string
  target_id: string
  integration_id: string | null
  run_id: string | null
  details: Record<string, unknown>
}

const entryOf = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  tenantId: r.tenant_id,
  actor: r.actor,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ...(r.integration_id === null ? {} : { integrationId: r.integration_id }),
  ...(r.run_id === null ? {} : { runId: r.run_id }),
  details: r.details
})

/**
 * The append-only audit trail: configuration changes, key management, lifecycle operations.
 *
 * @category services
 */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    readonly append: (entry: AuditEntryInput) => Effect.Effect<AuditEntry, StoreError>
    readonly list: (
      tenantId: string,
      filter?: PageRequest & { readonly integrationId?: string; readonly action?: string }
    ) => Effect.Effect<Page<AuditEntry>, StoreError>
  }
>()("idconnect/store/AuditLog") {
  static readonly layer = Layer.effect(
    AuditLog,
    Effect.gen(function* () {
      const db = yield* SqlDriver
      return AuditLog.of({
        append: Effect.fn("AuditLog.append")(function* (entry) {
          const rows = yield* db.query<AuditRow>(
            `insert into audit_log (tenant_id, actor, action, target_type, target_id, integration_id, run_id, details)
             values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) returning *`,
            [
              entry.tenantId,
              entry.actor,
              entry.action,
              entry.targetType,
              entry.targetId,
              entry.integrationId ?? null,
              entry.runId ?? null,
              JSON.stringify(entry.details ?? {})
            ]
          )
          return entryOf(rows[0]!)
        }),
        list: Effect.fn("AuditLog.list")(function* (tenantId, filter) {
          const limit = yield* pageLimit(filter?.limit)
          const before = yield* decodeCursor(filter?.cursor, (v): v is number => typeof v === "number")
          const rows = yield* db.query<AuditRow>(
            `select * from audit_log where tenant_id = $1 and ($2::bigint is null or id < $2)
               and ($3::text is null or integration_id = $3) and ($4::text is null or action = $4)
             order by id desc limit $5`,
            [tenantId, before ?? null, filter?.integrationId ?? null, filter?.action ?? null, limit + 1]
          )
          return toPage(rows, limit, entryOf, (r) => r.id)
        })
      })
    })
  )
}
