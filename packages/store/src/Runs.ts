import type { Checkpoint, RunKind, RunProgress, RunStatus, RunView, RunWarning } from "@idconnect/schemas/Run"
import type { SyncScope } from "@idconnect/core/ExtractionSink"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { newId } from "./internal/Ids.ts"
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from "./Page.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

export type RunTrigger = RunView["trigger"]

/** What a failed run records: the stable error code, its failure class, and a message a user can act on. */
export interface RunError {
  readonly code: string
  readonly failureClass: string
  readonly message: string
}

/** A run as the worker sees it: the view plus what it needs to execute and fence the run. */
export interface RunRecord extends RunView {
  readonly tenantId: string
  readonly payload: Record<string, unknown>
  readonly syncMode: "full" | "incremental" | null
  readonly seq: number | null
  readonly leaseOwner: string | null
  readonly leaseExpiresAt: string | null
  readonly cancelRequested: boolean
  /** Every worker that held this run's lease, in order (a resumed run lists two). */
  readonly workers: ReadonlyArray<string>
  readonly publishedAt: string | null
}

/**
 * The outcome of trying to take a run's lease. `Busy`: another worker holds it, or another sync of
 * the same integration is running; try again after `retryAfterSeconds`.
 */
export type ClaimResult =
  | { readonly _tag: "Claimed"; readonly run: RunRecord; readonly checkpoint: Option.Option<Checkpoint> }
  | {
      readonly _tag: "Busy"
      /** `integrationBusy`: another sync of the integration is running; `leaseHeld`: another worker holds this run. */
      readonly why: "integrationBusy" | "leaseHeld"
      readonly retryAfterSeconds: number
      readonly reason: string
    }
  | { readonly _tag: "Finished"; readonly status: RunStatus }

export interface NewRun {
  readonly tenantId: string
  readonly integrationId: string
  readonly kind: RunKind
  readonly trigger: RunTrigger
  /** Kind-specific input: `{ uploadId }` for ingest, `{ planId }` for lifecycle. */
  readonly payload?: Record<string, unknown>
}

type RunRow = {
  id: string
  tenant_id: string
  integration_id: string
  kind: RunKind
  trigger: RunTrigger
  status: RunStatus
  payload: Record<string, unknown>
  sync_mode: "full" | "incremental" | null
  seq: number | null
  progress: RunProgress
  warnings: ReadonlyArray<RunWarning>
  error: RunError | null
  attempts: number
  lease_owner: string | null
  lease_expires_at: string | null
  cancel_requested: boolean
  workers: ReadonlyArray<string>
  created_at: string
  started_at: string | null
  finished_at: string | null
  published_at: string | null
  lease_seconds_left?: number
}

const toView = (r: RunRow): RunView => ({
  id: r.id,
  integrationId: r.integration_id,
  kind: r.kind,
  status: r.status,
  trigger: r.trigger,
  progress: r.progress,
  warnings: r.warnings,
  error: r.error,
  attempts: r.attempts,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at
})

const toRecord = (r: RunRow): RunRecord => ({
  ...toView(r),
  tenantId: r.tenant_id,
  payload: r.payload,
  syncMode: r.sync_mode,
  seq: r.seq,
  leaseOwner: r.lease_owner,
  leaseExpiresAt: r.lease_expires_at,
  cancelRequested: r.cancel_requested,
  workers: r.workers,
  publishedAt: r.published_at
})

const FINISHED: ReadonlyArray<RunStatus> = ["succeeded", "failed", "cancelled", "dead"]
const MAX_WARNINGS = 1000

/**
 * Runs: what the API creates and lists, and what workers lease, heartbeat and finish. A run is
 * `queued` until a worker claims it (`running`, with a lease that the worker renews), then ends
 * `succeeded`, `failed` (config errors: fix and retry), `cancelled` or `dead` (retries exhausted, or a
 * bug). The database allows one running sync (extract or ingest) per integration.
 *
 * @category services
 */
export class Runs extends Context.Service<
  Runs,
  {
    readonly create: (run: NewRun) => Effect.Effect<RunView, StoreError>
    readonly get: (tenantId: string, runId: string) => Effect.Effect<RunView, StoreError>
    readonly list: (
      tenantId: string,
      integrationId: string,
      page?: PageRequest & { readonly status?: RunStatus }
    ) => Effect.Effect<Page<RunView>, StoreError>
    /** Queued runs end at once; a running one is asked to stop (its worker sees it at the next heartbeat). */
    readonly cancel: (tenantId: string, runId: string) => Effect.Effect<RunView, StoreError>
    /** Queued or running syncs (extract, ingest) of an integration. */
    readonly active: (integrationId: string) => Effect.Effect<ReadonlyArray<RunView>, StoreError>
    /** The ingest run started for an upload (the upload id is in its payload), if any. */
    readonly findByUpload: (tenantId: string, uploadId: string) => Effect.Effect<Option.Option<RunView>, StoreError>
    /** Records which queue job carries the run (for operators matching runs to pg-boss jobs). */
    readonly setJob: (runId: string, jobId: string) => Effect.Effect<void, StoreError>

    // -- worker side --
    readonly record: (runId: string) => Effect.Effect<RunRecord, StoreError>
    /** Takes the run's lease: a queued run, or a running one whose lease expired (its worker died). */
    readonly claim: (runId: string, owner: string, leaseSeconds: number) => Effect.Effect<ClaimResult, StoreError>
    /** Extends the lease. Fails with Conflict when the lease was lost (taken over after it expired). */
    readonly heartbeat: (
      runId: string,
      owner: string,
      leaseSeconds: number
    ) => Effect.Effect<{ readonly cancelRequested: boolean }, StoreError>
    /** Gives the lease back and re-queues the run (shutdown, or a transient failure to retry). */
    readonly release: (runId: string, owner: string, error?: RunError) => Effect.Effect<void, StoreError>
    /** Ends a run that did not publish: `failed`, `dead` or `cancelled`. Its staged rows are dropped. */
    readonly finish: (
      runId: string,
      owner: string | undefined,
      status: "failed" | "dead" | "cancelled" | "succeeded",
      error?: RunError
    ) => Effect.Effect<void, StoreError>
    /** How the run publishes: `full` replaces what `scope` names (default everything), `incremental` applies on top. */
    readonly setSyncMode: (runId: string, mode: "full" | "incremental", scope?: SyncScope) => Effect.Effect<void, StoreError>
    readonly progress: (runId: string, progress: RunProgress) => Effect.Effect<void, StoreError>
    readonly warning: (runId: string, warning: RunWarning) => Effect.Effect<void, StoreError>
    readonly checkpoint: (runId: string) => Effect.Effect<Option.Option<Checkpoint>, StoreError>
  }
>()("idconnect/store/Runs") {
  static readonly layer = Layer.effect(
    Runs,
    Effect.gen(function* () {
      const db = yield* SqlDriver

      const row = (runId: string, tenantId?: string) =>
        db
          .query<RunRow>(
            `select *, extract(epoch from (lease_expires_at - now()))::float8 as lease_seconds_left
             from runs where id = $1 and ($2::text is null or tenant_id = $2)`,
            [runId, tenantId ?? null]
          )
          .pipe(Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(StoreErrors.notFound("run", runId)) : Effect.succeed(rows[0]!))))

      const checkpoint = Effect.fn("Runs.checkpoint")(function* (runId: string) {
        const rows = yield* db.query<{ checkpoint: Checkpoint }>("select checkpoint from checkpoints where run_id = $1", [runId])
        return Option.fromNullishOr(rows[0]?.checkpoint)
      })

      const dropStaging = (runId: string) =>
        db.transaction((tx) =>
          Effect.gen(function* () {
            yield* tx.query("delete from staged_entities where run_id = $1", [runId])
            yield* tx.query("delete from staged_relations where run_id = $1", [runId])
            yield* tx.query("delete from checkpoints where run_id = $1", [runId])
          })
        )

      return Runs.of({
        create: Effect.fn("Runs.create")(function* (run) {
          const rows = yield* db.query<RunRow>(
            `insert into runs (id, tenant_id, integration_id, kind, trigger, payload)
             select $1, tenant_id, id, $4, $5, $6::jsonb from integrations where id = $3 and tenant_id = $2
             returning *`,
            [newId("run"), run.tenantId, run.integrationId, run.kind, run.trigger, JSON.stringify(run.payload ?? {})]
          )
          if (rows.length === 0) return yield* StoreErrors.notFound("integration", run.integrationId)
          return toView(rows[0]!)
        }),
        get: Effect.fn("Runs.get")(function* (tenantId, runId) {
          return toView(yield* row(runId, tenantId))
        }),
        list: Effect.fn("Runs.list")(function* (tenantId, integrationId, page) {
          const limit = yield* pageLimit(page?.limit)
          const before = yield* decodeCursor(page?.cursor, (v): v is string => typeof v === "string")
          const rows = yield* db.query<RunRow>(
            `select * from runs where tenant_id = $1 and integration_id = $2 and ($3::text is null or id < $3)
               and ($4::text is null or status = $4)
             order by id desc limit $5`,
            [tenantId, integrationId, before ?? null, page?.status ?? null, limit + 1]
          )
          return toPage(rows, limit, toView, (r) => r.id)
        }),
        cancel: Effect.fn("Runs.cancel")(function* (tenantId, runId) {
          const rows = yield* db.query<RunRow>(
            `update runs set
               status = case when status = 'queued' then 'cancelled' else status end,
               finished_at = case when status = 'queued' then now() else finished_at end,
               cancel_requested = true
             where id = $1 and tenant_id = $2 and status in ('queued', 'running')
             returning *`,
            [runId, tenantId]
          )
          if (rows.length > 0) return toView(rows[0]!)
          const current = yield* row(runId, tenantId)
          return yield* StoreErrors.conflict({ what: "run", message: `Run ${runId} already ended (${current.status}); nothing to cancel` })
        }),
        active: Effect.fn("Runs.active")(function* (integrationId) {
          const rows = yield* db.query<RunRow>(
            "select * from runs where integration_id = $1 and kind <> 'lifecycle' and status in ('queued', 'running') order by id",
            [integrationId]
          )
          return rows.map(toView)
        }),
        findByUpload: Effect.fn("Runs.findByUpload")(function* (tenantId, uploadId) {
          const rows = yield* db.query<RunRow>(
            "select * from runs where kind = 'ingest' and payload->>'uploadId' = $2 and tenant_id = $1 order by id desc limit 1",
            [tenantId, uploadId]
          )
          return rows[0] === undefined ? Option.none() : Option.some(toView(rows[0]))
        }),
        setJob: Effect.fn("Runs.setJob")(function* (runId, jobId) {
          yield* db.query("update runs set job_id = $2 where id = $1", [runId, jobId])
        }),
        record: Effect.fn("Runs.record")(function* (runId) {
          return toRecord(yield* row(runId))
        }),
        claim: Effect.fn("Runs.claim")(function* (runId, owner, leaseSeconds) {
          const claimed = yield* db
            .query<RunRow>(
              `update runs set status = 'running', lease_owner = $2, lease_expires_at = now() + $3 * interval '1 second',
                 heartbeat_at = now(), attempts = attempts + 1, started_at = coalesce(started_at, now()),
                 workers = case when $2::text = any(workers) then workers else array_append(workers, $2::text) end
               where id = $1 and not cancel_requested
                 and (status = 'queued' or (status = 'running' and (lease_expires_at < now() or lease_owner = $2)))
               returning *`,
              [runId, owner, leaseSeconds]
            )
            .pipe(
              Effect.map((rows) => rows[0]),
              Effect.catchTag("StoreError", (e) =>
                e.reason._tag === "Conflict" && e.reason.constraint === "runs_one_active_sync" ? Effect.succeed("busy" as const) : Effect.fail(e)
              )
            )
          if (claimed === "busy") {
            return {
              _tag: "Busy",
              why: "integrationBusy",
              retryAfterSeconds: leaseSeconds,
              reason: "another sync of this integration is running"
            } as ClaimResult
          }
          if (claimed !== undefined) {
            return { _tag: "Claimed", run: toRecord(claimed), checkpoint: yield* checkpoint(runId) } as ClaimResult
          }
          const current = yield* row(runId)
          if (current.status === "queued" && current.cancel_requested) {
            yield* db.query("update runs set status = 'cancelled', finished_at = now() where id = $1 and status = 'queued'", [runId])
            return { _tag: "Finished", status: "cancelled" } as ClaimResult
          }
          if (current.status === "running" && current.cancel_requested && (current.lease_seconds_left ?? 0) <= 0) {
            yield* db.query("update runs set status = 'cancelled', finished_at = now(), lease_owner = null where id = $1 and status = 'running'", [runId])
            return { _tag: "Finished", status: "cancelled" } as ClaimResult
          }
          if (FINISHED.includes(current.status)) return { _tag: "Finished", status: current.status } as ClaimResult
          return {
            _tag: "Busy",
            why: "leaseHeld",
            retryAfterSeconds: Math.max(1, Math.ceil(current.lease_seconds_left ?? leaseSeconds)),
            reason: `worker ${current.lease_owner} holds the lease`
          } as ClaimResult
        }),
        heartbeat: Effect.fn("Runs.heartbeat")(function* (runId, owner, leaseSeconds) {
          const rows = yield* db.query<{ cancel_requested: boolean }>(
            `update runs set lease_expires_at = now() + $3 * interval '1 second', heartbeat_at = now()
             where id = $1 and lease_owner = $2 and status = 'running' returning cancel_requested`,
            [runId, owner, leaseSeconds]
          )
          if (rows.length === 0) {
            return yield* StoreErrors.conflict({ what: "run lease", message: `Worker ${owner} no longer holds the lease of run ${runId}` })
          }
          return { cancelRequested: rows[0]!.cancel_requested }
        }),
        release: Effect.fn("Runs.release")(function* (runId, owner, error) {
          yield* db.query(
            `update runs set status = 'queued', lease_owner = null, lease_expires_at = null,
               error = coalesce($3::jsonb, error), progress = jsonb_set(progress, '{phase}', '"waiting to resume"')
             where id = $1 and lease_owner = $2 and status = 'running'`,
            [runId, owner, error === undefined ? null : JSON.stringify(error)]
          )
        }),
        finish: Effect.fn("Runs.finish")(function* (runId, owner, status, error) {
          yield* db.query(
            `update runs set status = $3, finished_at = now(), lease_owner = null, lease_expires_at = null,
               error = coalesce($4::jsonb, error), progress = jsonb_set(progress, '{phase}', to_jsonb($3::text))
             where id = $1 and ($2::text is null or lease_owner = $2 or status = 'queued') and status in ('queued', 'running')`,
            [runId, owner ?? null, status, error === undefined ? null : JSON.stringify(error)]
          )
          if (status !== "succeeded") yield* dropStaging(runId)
        }),
        setSyncMode: Effect.fn("Runs.setSyncMode")(function* (runId, mode, scope) {
          yield* db.query("update runs set sync_mode = $2, sync_scope = $3 where id = $1", [runId, mode, scope ?? "all"])
        }),
        progress: Effect.fn("Runs.progress")(function* (runId, progress) {
          yield* db.query("update runs set progress = $2::jsonb where id = $1", [runId, JSON.stringify(progress)])
        }),
        warning: Effect.fn("Runs.warning")(function* (runId, warning) {
          yield* db.query(
            `update runs set warnings = warnings || jsonb_build_array($2::jsonb)
             where id = $1 and jsonb_array_length(warnings) < ${MAX_WARNINGS}`,
            [runId, JSON.stringify(warning)]
          )
        }),
        checkpoint
      })
    })
  )
}
