import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { RunKind, RunView } from "@idconnect/schemas/Run"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { fromPglite, PgBoss } from "pg-boss"
import { Runs, type NewRun } from "./Runs.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/**
 * pg-boss queue names. One queue per job kind and mode, so `worker --modes direct,scim` subscribes to
 * exactly the work it can do. Jobs that exhaust their retries land in the dead-letter queue.
 */
export const Queues = {
  extract: { direct: "idc.extract.direct", scim: "idc.extract.scim" },
  ingest: { csv: "idc.ingest.csv", bulk: "idc.ingest.bulk" },
  lifecycle: { direct: "idc.lifecycle.direct", scim: "idc.lifecycle.scim" },
  /** Cron ticks of per-integration schedules (key = integration id); any worker turns one into a run. */
  scheduled: "idc.scheduled-sync",
  dead: "idc.dead-letter"
} as const

/** The queues that carry a mode's work. */
export const queuesForMode = (mode: ExtractionMode): ReadonlyArray<string> => {
  switch (mode) {
    case "direct":
      return [Queues.extract.direct, Queues.lifecycle.direct]
    case "scim":
      return [Queues.extract.scim, Queues.lifecycle.scim]
    case "csv":
      return [Queues.ingest.csv]
    case "bulk":
      return [Queues.ingest.bulk]
  }
}

/** The payload of every run job: which run, for logs and routing. The run row holds the rest. */
export interface RunJobData {
  readonly runId: string
  readonly tenantId: string
  readonly integrationId: string
  readonly kind: RunKind
  readonly mode: ExtractionMode
}

export interface ScheduledSyncData {
  readonly tenantId: string
  readonly integrationId: string
}

/**
 * Retry and liveness policy of the run queues. A job whose worker stops heartbeating for
 * `heartbeatSeconds` is failed and retried (another worker resumes the run from its checkpoint);
 * pg-boss notices it on its supervise pass, every `superviseIntervalSeconds`.
 */
export interface QueueSettings {
  readonly retryLimit: number
  readonly retryDelaySeconds: number
  readonly retryDelayMaxSeconds: number
  readonly heartbeatSeconds: number
  readonly expireInSeconds: number
  readonly superviseIntervalSeconds: number
  /** Whether this process evaluates cron schedules (pg-boss makes sure one process sends each tick). */
  readonly schedule: boolean
}

export const defaultQueueSettings: QueueSettings = {
  retryLimit: 4,
  retryDelaySeconds: 5,
  retryDelayMaxSeconds: 300,
  heartbeatSeconds: 30,
  expireInSeconds: 24 * 3600,
  superviseIntervalSeconds: 15,
  schedule: true
}

export const queueSettingsFromEnv: Effect.Effect<QueueSettings, Config.ConfigError> = Effect.gen(function* () {
  const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback))
  // Embedded, the queue shares PGlite's single connection with the store: a long publish transaction
  // holds back pg-boss's own heartbeats, so liveness is judged over a longer window there.
  const embedded = (yield* Config.String("DATABASE_URL").pipe(Config.withDefault(""))) === ""
  return {
    retryLimit: yield* int("IDCONNECT_JOB_RETRY_LIMIT", defaultQueueSettings.retryLimit),
    retryDelaySeconds: yield* int("IDCONNECT_JOB_RETRY_DELAY_SECONDS", defaultQueueSettings.retryDelaySeconds),
    retryDelayMaxSeconds: yield* int("IDCONNECT_JOB_RETRY_DELAY_MAX_SECONDS", defaultQueueSettings.retryDelayMaxSeconds),
    heartbeatSeconds: yield* int("IDCONNECT_JOB_HEARTBEAT_SECONDS", embedded ? 120 : defaultQueueSettings.heartbeatSeconds),
    expireInSeconds: yield* int("IDCONNECT_JOB_EXPIRE_SECONDS", defaultQueueSettings.expireInSeconds),
    superviseIntervalSeconds: yield* int("IDCONNECT_JOB_SUPERVISE_SECONDS", defaultQueueSettings.superviseIntervalSeconds),
    schedule: true
  }
})

const queueFailure = (what: string) => (cause: unknown) =>
  StoreErrors.unavailable(`Job queue: ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, undefined, cause)

/** Which queue carries a run of this kind for an integration in this mode, or why none does. */
export const queueFor = (kind: RunKind, mode: ExtractionMode): Effect.Effect<string, StoreError> => {
  if (kind === "extract" && (mode === "direct" || mode === "scim")) return Effect.succeed(Queues.extract[mode])
  if (kind === "ingest" && (mode === "csv" || mode === "bulk")) return Effect.succeed(Queues.ingest[mode])
  if (kind === "lifecycle" && (mode === "direct" || mode === "scim")) return Effect.succeed(Queues.lifecycle[mode])
  const why =
    kind === "extract"
      ? `An integration in ${mode} mode is not pulled: its data arrives by upload (an ingest run)`
      : kind === "ingest"
        ? `An integration in ${mode} mode pulls its data: start an extract run instead of uploading`
        : `Lifecycle operations need a connection to the system (direct or scim mode), not ${mode}`
  return Effect.fail(StoreErrors.invalidInput("kind", why))
}

/**
 * The job queue: pg-boss on the store's database (on PGlite through pg-boss's own adapter, sharing
 * the embedded instance). The API uses `startRun` and `setSchedule`; the worker takes `boss` to
 * subscribe with `work`. Never call it inside a store transaction (PGlite is one connection).
 *
 * @category services
 */
export class JobQueue extends Context.Service<
  JobQueue,
  {
    readonly boss: PgBoss
    readonly settings: QueueSettings
    /**
     * Creates a queued run and sends its job. With `ifIdle`, an integration that already has a
     * queued or running sync gets no second one: the active run is returned with `started: false`.
     */
    readonly startRun: (
      run: NewRun & { readonly ifIdle?: boolean }
    ) => Effect.Effect<{ readonly run: RunView; readonly started: boolean }, StoreError>
    /** Sends (again) the job of an existing run, optionally delayed: for deferrals and shutdown hand-offs. */
    readonly resubmit: (job: RunJobData, delaySeconds?: number) => Effect.Effect<string | null, StoreError>
    /** Sets or clears an integration's cron schedule (5 fields, UTC). */
    readonly setSchedule: (tenantId: string, integrationId: string, cron: string | null) => Effect.Effect<void, StoreError>
  }
>()("idconnect/store/JobQueue") {
  static readonly layer = (settings: QueueSettings = defaultQueueSettings) =>
    Layer.effect(
      JobQueue,
      Effect.gen(function* () {
        const db = yield* SqlDriver
        const runs = yield* Runs
        const context = yield* Effect.context<never>()
        const log = (message: string, level: "Warning" | "Error") =>
          Effect.runForkWith(context)(level === "Error" ? Effect.logError(message) : Effect.logWarning(message))

        const common = {
          superviseIntervalSeconds: settings.superviseIntervalSeconds,
          schedule: settings.schedule,
          openTelemetry: { enabled: false },
          application_name: "idconnect"
        }
        const boss = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: async () => {
              const instance =
                db.pglite !== undefined
                  ? new PgBoss({ ...common, db: fromPglite(db.pglite), backend: "pglite" })
                  : new PgBoss({ ...common, connectionString: Redacted.value(db.url!), max: 4 })
              instance.on("error", (error: Error) => log(`Job queue error: ${error.message}`, "Error"))
              instance.on("warning", (warning: { message: string }) => log(`Job queue warning: ${warning.message}`, "Warning"))
              await instance.start()
              return instance
            },
            catch: queueFailure("start")
          }),
          (instance) => Effect.promise(() => instance.stop({ graceful: true, timeout: 10_000, close: true }).catch(() => undefined))
        )

        const queueOptions = {
          retryLimit: settings.retryLimit,
          retryDelay: settings.retryDelaySeconds,
          retryBackoff: true,
          retryDelayMax: settings.retryDelayMaxSeconds,
          heartbeatSeconds: settings.heartbeatSeconds,
          expireInSeconds: settings.expireInSeconds,
          deadLetter: Queues.dead
        }
        yield* Effect.tryPromise({
          try: async () => {
            // Dead letters stay readable for a month (as created jobs, and as completed ones once a
            // worker has marked their runs dead).
            await boss.createQueue(Queues.dead, { retentionSeconds: 30 * 24 * 3600, deleteAfterSeconds: 30 * 24 * 3600 })
            const runQueues = [
              ...Object.values(Queues.extract),
              ...Object.values(Queues.ingest),
              ...Object.values(Queues.lifecycle)
            ]
            for (const name of runQueues) {
              await boss.createQueue(name, queueOptions)
              await boss.updateQueue(name, queueOptions)
            }
            await boss.createQueue(Queues.scheduled, { retryLimit: 2, expireInSeconds: 300 })
          },
          catch: queueFailure("create queues")
        })

        const send = (job: RunJobData, delaySeconds?: number) =>
          Effect.gen(function* () {
            const queue = yield* queueFor(job.kind, job.mode)
            return yield* Effect.tryPromise({
              try: () => boss.send(queue, { ...job }, delaySeconds !== undefined && delaySeconds > 0 ? { startAfter: delaySeconds } : {}),
              catch: queueFailure(`send to ${queue}`)
            })
          })

        return JobQueue.of({
          boss,
          settings,
          startRun: Effect.fn("JobQueue.startRun")(function* (input) {
            const rows = yield* db.query<{ mode: ExtractionMode }>("select mode from integrations where id = $1 and tenant_id = $2", [
              input.integrationId,
              input.tenantId
            ])
            if (rows.length === 0) return yield* StoreErrors.notFound("integration", input.integrationId)
            const mode = rows[0]!.mode
            yield* queueFor(input.kind, mode)
            if (input.ifIdle === true && input.kind !== "lifecycle") {
              const active = yield* runs.active(input.integrationId)
              if (active.length > 0) return { run: active[0]!, started: false }
            }
            const run = yield* runs.create(input)
            const jobId = yield* send({ runId: run.id, tenantId: input.tenantId, integrationId: input.integrationId, kind: input.kind, mode }).pipe(
              Effect.tapError((e) =>
                runs.finish(run.id, undefined, "failed", { code: "QueueUnavailable", failureClass: "transient", message: e.message })
              )
            )
            if (jobId !== null) yield* runs.setJob(run.id, jobId)
            return { run, started: true }
          }),
          resubmit: Effect.fn("JobQueue.resubmit")(function* (job, delaySeconds) {
            return yield* send(job, delaySeconds)
          }),
          setSchedule: Effect.fn("JobQueue.setSchedule")(function* (tenantId, integrationId, cron) {
            if (cron === null) {
              yield* Effect.tryPromise({ try: () => boss.unschedule(Queues.scheduled, integrationId), catch: queueFailure("unschedule") })
              return
            }
            yield* Effect.try({
              try: () => boss.previewSchedule(cron, { tz: "UTC" }),
              catch: (cause) =>
                StoreErrors.invalidInput("schedule", `Invalid schedule '${cron}': ${cause instanceof Error ? cause.message : String(cause)}`)
            })
            const data: ScheduledSyncData = { tenantId, integrationId }
            yield* Effect.tryPromise({
              try: () => boss.schedule(Queues.scheduled, cron, data, { key: integrationId, tz: "UTC" }),
              catch: queueFailure("schedule")
            })
          })
        })
      })
    )

  static readonly layerFromEnv = Layer.unwrap(Effect.map(queueSettingsFromEnv, (settings) => JobQueue.layer(settings)))
}
