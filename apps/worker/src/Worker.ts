import { randomBytes } from "node:crypto"
import * as os from "node:os"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue, Queues, queuesForMode, type RunJobData, type ScheduledSyncData } from "@idconnect/store/JobQueue"
import { Operations } from "@idconnect/store/Operations"
import { Runs, type ClaimResult, type RunError } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import { SnapshotWriter } from "@idconnect/store/SnapshotWriter"
import { Uploads } from "@idconnect/store/Uploads"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import type { Job, JobResult, JobWithMetadata } from "pg-boss"
import { runExtractJob, type ExtractSettings } from "./ExtractJob.ts"
import { classifyCause, type Classified } from "./Failure.ts"
import { runIngestJob } from "./IngestJob.ts"
import { runLifecycleJob } from "./LifecycleJob.ts"
import { activeRuns, count, retriesTotal, runsTotal } from "./Metrics.ts"
import type { RunContext } from "./RunContext.ts"

export interface WorkerOptions {
  /** Which extraction modes this worker takes jobs for (its queues follow). */
  readonly modes: ReadonlyArray<ExtractionMode>
  /** Runs executed at once by this process. */
  readonly concurrency: number
  /** Stable name in logs, run history and leases; default `<host>:<pid>:<random>`. */
  readonly workerId?: string
  /** How often an idle worker polls its queues. Default 2 s. */
  readonly pollingIntervalSeconds?: number
  /** When another sync of the same integration is running, try the job again after this long. Default 15 s. */
  readonly busyRetrySeconds?: number
  readonly extract?: Partial<ExtractSettings>
  /** Turn cron ticks of integration schedules into runs (default true). */
  readonly schedules?: boolean
}

/** What the worker needs from the app: the store (with its job queue) and the plugins. */
export type WorkerServices =
  | JobQueue
  | Runs
  | Integrations
  | SnapshotWriter
  | Snapshots
  | Operations
  | AuditLog
  | Uploads
  | PluginRegistry

const RunJobSchema = Schema.Struct({
  runId: Schema.String,
  tenantId: Schema.String,
  integrationId: Schema.String,
  kind: Schema.Literals(["extract", "ingest", "lifecycle"]),
  mode: Schema.Literals(["direct", "scim", "csv", "bulk"])
})

/** How a leased run ended, before the worker records it. */
type Outcome =
  | { readonly _tag: "Published" }
  | { readonly _tag: "Succeeded" }
  | { readonly _tag: "Failed"; readonly failure: Classified }
  | { readonly _tag: "Cancelled"; readonly message: string }
  | { readonly _tag: "LeaseLost" }

const ok = (id: string, output: object): JobResult => ({ id, status: "completed", output })

/**
 * The worker: takes run jobs from pg-boss for its modes, leases each run in the store, executes it
 * (extract, ingest, lifecycle) while heartbeating the lease, and records the outcome by failure
 * class: config errors fail the run with the plugin's message on the integration; transient ones
 * release the run and let pg-boss retry the job with backoff (the next attempt resumes from the last
 * checkpoint); system errors and exhausted retries dead-letter it.
 *
 * Shutdown (the layer's scope closing, e.g. on SIGTERM): stop fetching, interrupt running runs
 * (their committed checkpoints stay), release their leases and hand their jobs back to the queue,
 * then stop pg-boss. A SIGKILLed worker leaves its runs leased: when the lease and pg-boss's job
 * heartbeat expire, the job is retried and another worker resumes the run from its checkpoint.
 *
 * @category services
 */
export class Worker extends Context.Service<
  Worker,
  {
    readonly id: string
    readonly queues: ReadonlyArray<string>
  }
>()("idconnect/worker/Worker") {
  static readonly layer = (options: WorkerOptions) => Layer.effect(Worker, makeWorker(options))
}

/** Starts a worker in the current scope (the embedded demo runs one next to the API this way). */
export const makeWorker = (options: WorkerOptions) =>
  Effect.gen(function* () {
    const queue = yield* JobQueue
    const runs = yield* Runs
    const integrations = yield* Integrations
    const registry = yield* PluginRegistry
    const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`
    const leaseSeconds = queue.settings.heartbeatSeconds
    const busyRetrySeconds = options.busyRetrySeconds ?? 15
    const extractSettings: ExtractSettings = {
      maxTransientRetries: options.extract?.maxTransientRetries ?? 3,
      retryBaseDelay: options.extract?.retryBaseDelay ?? "1 second"
    }
    const slots = yield* Semaphore.make(options.concurrency)
    const fibers = yield* FiberSet.make<unknown, unknown>()
    const runPromise = yield* FiberSet.runtimePromise(fibers)<WorkerServices>()
    let stopping = false
    let active = 0
    const setActive = (delta: number) => Effect.suspend(() => Metric.update(activeRuns, (active += delta)))

    /** The product's status words on the integration; a Disabled one stays Disabled. */
    const status = (integrationId: string, s: "Syncing" | "Error" | "Connected" | "Pending", message: string) =>
      integrations.setRunStatus(integrationId, s, message).pipe(Effect.ignore)

    const heartbeat = (runId: string, stop: Deferred.Deferred<"cancelled" | "leaseLost">) =>
      Effect.gen(function* () {
        for (;;) {
          yield* Effect.sleep(Duration.seconds(Math.max(1, leaseSeconds / 3)))
          const beat = yield* Effect.result(runs.heartbeat(runId, workerId, leaseSeconds))
          if (beat._tag === "Failure") {
            if (beat.failure.reason._tag === "Conflict") return yield* Deferred.succeed(stop, "leaseLost")
            yield* Effect.logWarning(`Lease heartbeat failed, will retry: ${beat.failure.message}`)
            continue
          }
          if (beat.success.cancelRequested) return yield* Deferred.succeed(stop, "cancelled")
        }
      })

    /** Runs the leased run's kind-specific work. */
    const work = (job: RunJobData, claim: Extract<ClaimResult, { _tag: "Claimed" }>): Effect.Effect<Outcome, unknown, WorkerServices> =>
      Effect.gen(function* () {
        const integration = yield* integrations.loadForRun(job.integrationId)
        const plugin = yield* registry.get(integration.integration.app)
        const ctx: RunContext = { run: claim.run, job, workerId, integration, plugin }
        const sync = job.kind !== "lifecycle"
        if (sync && integration.integration.status === "Disabled") {
          return { _tag: "Cancelled", message: "The integration is disabled" } as Outcome
        }
        if (sync) yield* status(job.integrationId, "Syncing", job.kind === "ingest" ? "Ingesting an upload" : "Sync in progress")
        switch (job.kind) {
          case "extract": {
            const summary = yield* runExtractJob(ctx, claim.checkpoint, extractSettings)
            yield* Effect.logInfo("Run published").pipe(
              Effect.annotateLogs({
                entities: summary.entities,
                relations: summary.relations,
                deletions: summary.deletions,
                checkpoints: summary.checkpoints,
                attempts: summary.attempts,
                warnings: summary.warnings.length,
                sourceRequests: summary.usage.requests,
                sourceResourceUnits: summary.usage.resourceUnits,
                sourceThrottled: summary.usage.throttled
              })
            )
            return { _tag: "Published" } as Outcome
          }
          case "ingest": {
            const outcome = yield* runIngestJob(ctx)
            if (outcome._tag === "Published") {
              yield* Effect.logInfo("Upload published").pipe(Effect.annotateLogs({ accepted: outcome.report.accepted, rejected: outcome.report.rejected }))
              return { _tag: "Published" } as Outcome
            }
            return { _tag: "Failed", failure: { kind: "config", error: outcome.error } } as Outcome
          }
          case "lifecycle": {
            const results = yield* runLifecycleJob(ctx)
            const failed = results.filter((r) => r.status === "failed")
            if (failed.length === 0) return { _tag: "Succeeded" } as Outcome
            const first = failed[0]!
            const failureClass = first.error?.failureClass ?? "system"
            const kind = failureClass === "config" || failureClass === "transient" ? failureClass : "system"
            const error: RunError = {
              code: first.error?.code ?? "OperationFailed",
              failureClass,
              message: `${failed.length} of ${results.length} operation(s) failed; first: ${first.operation}: ${first.error?.message ?? first.message}`
            }
            return { _tag: "Failed", failure: { kind, error } } as Outcome
          }
        }
      })

    /** Records the outcome and says what pg-boss should do with the job. */
    const settle = (job: JobWithMetadata<RunJobData>, data: RunJobData, outcome: Outcome) =>
      Effect.gen(function* () {
        const sync = data.kind !== "lifecycle"
        const finish = (s: "failed" | "dead" | "cancelled" | "succeeded", error?: RunError) =>
          runs.finish(data.runId, workerId, s, error).pipe(Effect.tap(() => count(runsTotal, { kind: data.kind, outcome: s })))
        switch (outcome._tag) {
          case "Published":
            yield* count(runsTotal, { kind: data.kind, outcome: "succeeded" })
            return ok(job.id, { outcome: "succeeded" })
          case "Succeeded":
            yield* finish("succeeded")
            yield* Effect.logInfo("Run succeeded")
            return ok(job.id, { outcome: "succeeded" })
          case "LeaseLost":
            yield* Effect.logWarning("Lost the run's lease to another worker; stopped without touching the run")
            return ok(job.id, { outcome: "lease lost" })
          case "Cancelled": {
            yield* finish("cancelled", { code: "Cancelled", failureClass: "config", message: outcome.message })
            if (sync) {
              const integration = yield* integrations.loadForRun(data.integrationId).pipe(Effect.option)
              const hasData = integration._tag === "Some" && integration.value.integration.lastRunId !== null
              yield* status(data.integrationId, hasData ? "Connected" : "Pending", hasData ? "Data available" : "Waiting for the first sync")
            }
            yield* Effect.logInfo(`Run cancelled: ${outcome.message}`)
            return ok(job.id, { outcome: "cancelled" })
          }
          case "Failed": {
            const { kind, error } = outcome.failure
            if (kind === "leaseLost") {
              yield* Effect.logWarning("Lost the run's lease to another worker; stopped without touching the run")
              return ok(job.id, { outcome: "lease lost" })
            }
            if (kind === "config") {
              yield* finish("failed", error)
              if (sync) yield* status(data.integrationId, "Error", error.message)
              yield* Effect.logWarning(`Run failed (${error.code}): ${error.message}`)
              return ok(job.id, { outcome: "failed", error })
            }
            if (kind === "transient" && job.retryCount < job.retryLimit) {
              yield* runs.release(data.runId, workerId, error)
              if (sync) yield* status(data.integrationId, "Syncing", `Retrying after a temporary failure: ${error.message}`)
              yield* count(runsTotal, { kind: data.kind, outcome: "retried" })
              yield* Effect.logWarning(`Run will be retried (attempt ${job.retryCount + 1} of ${job.retryLimit + 1} failed): ${error.message}`)
              return { id: job.id, status: "failed", output: { outcome: "retry", error } } as JobResult
            }
            const message =
              kind === "transient"
                ? `${error.message} (gave up after ${job.retryCount + 1} attempts)`
                : `The run failed unexpectedly and needs attention: ${error.message}`
            yield* finish("dead", { ...error, message })
            if (sync) yield* status(data.integrationId, "Error", message)
            yield* Effect.logError(`Run dead-lettered (${error.code}): ${message}`)
            return { id: job.id, status: "deadletter", output: { outcome: "dead", error } } as JobResult
          }
        }
      })

    /** The run of one claimed job, fenced by its lease, interrupted by cancel or a lost lease. */
    const execute = (job: JobWithMetadata<RunJobData>, data: RunJobData, claim: Extract<ClaimResult, { _tag: "Claimed" }>) =>
      Effect.gen(function* () {
        yield* Effect.logInfo(
          claim.checkpoint._tag === "Some" ? "Run resumed from its last checkpoint" : claim.run.attempts > 1 ? "Run restarted" : "Run started"
        )
        const stop = yield* Deferred.make<"cancelled" | "leaseLost">()
        yield* Effect.forkChild(heartbeat(data.runId, stop))
        const result = yield* Effect.raceFirst(
          Effect.exit(work(data, claim)),
          Effect.map(Deferred.await(stop), (reason) => reason)
        )
        const outcome: Outcome =
          result === "cancelled"
            ? { _tag: "Cancelled", message: "Cancelled on request" }
            : result === "leaseLost"
              ? { _tag: "LeaseLost" }
              : Exit.isSuccess(result)
                ? result.value
                : { _tag: "Failed", failure: classifyCause(result.cause) }
        return yield* settle(job, data, outcome)
      }).pipe(
        Effect.ensuring(setActive(-1)),
        Effect.onInterrupt(() =>
          Effect.gen(function* () {
            // Shutdown or a claim pg-boss took back: the checkpoint already in the store stays; the
            // lease goes, so the next worker can resume at once.
            yield* runs.release(data.runId, workerId)
            if (stopping) {
              yield* queue.resubmit(data)
              yield* count(runsTotal, { kind: data.kind, outcome: "released" })
              yield* Effect.logInfo("Worker stopping: run released to the queue, resumes from its last checkpoint")
            } else {
              yield* Effect.logWarning("The queue took the job back; run released")
            }
          }).pipe(Effect.ignore)
        ),
        (effect) => Effect.andThen(setActive(1), effect)
      )

    const handleRunJob = (job: JobWithMetadata<RunJobData>) =>
      Effect.gen(function* () {
        const data = yield* Schema.decodeUnknownEffect(RunJobSchema)(job.data).pipe(Effect.option)
        if (data._tag === "None") {
          yield* Effect.logError("Dropped a job whose payload is not a run job")
          return ok(job.id, { outcome: "invalid job" })
        }
        return yield* slots.withPermits(1)(
          Effect.gen(function* () {
            if (job.retryCount > 0) yield* count(retriesTotal, { scope: "job" })
            const claim = yield* runs.claim(data.value.runId, workerId, leaseSeconds)
            switch (claim._tag) {
              case "Finished":
                yield* Effect.logInfo(`Job skipped: run already ${claim.status}`)
                return ok(job.id, { outcome: `already ${claim.status}` })
              case "Busy": {
                const delay = claim.why === "integrationBusy" ? busyRetrySeconds : claim.retryAfterSeconds
                yield* queue.resubmit(data.value, delay)
                yield* Effect.logInfo(`Run deferred ${delay}s: ${claim.reason}`)
                return ok(job.id, { outcome: "deferred", seconds: delay })
              }
              case "Claimed":
                return yield* execute(job, data.value, claim)
            }
          })
        ).pipe(
          Effect.annotateLogs({ runId: data.value.runId, integrationId: data.value.integrationId, tenantId: data.value.tenantId, kind: data.value.kind }),
          Effect.withSpan("Worker.run", {
            attributes: { runId: data.value.runId, integrationId: data.value.integrationId, kind: data.value.kind, jobId: job.id }
          })
        )
      }).pipe(
        Effect.annotateLogs({ jobId: job.id, workerId }),
        Effect.catchCause((cause) =>
          Effect.as(Effect.logError("Job failed in the worker itself; the queue will retry it", cause), {
            id: job.id,
            status: "failed",
            output: { outcome: "worker error" }
          } as JobResult)
        )
      )

    /** A job pg-boss gave up on (retries exhausted, e.g. by workers dying): its run is dead too. */
    const handleDeadLetter = (job: Job<RunJobData>) =>
      Effect.gen(function* () {
        const data = yield* Schema.decodeUnknownEffect(RunJobSchema)(job.data).pipe(Effect.option)
        if (data._tag === "None") return
        yield* Effect.logInfo("Dead letter received").pipe(Effect.annotateLogs({ runId: data.value.runId, jobId: job.id }))
        const record = yield* runs.record(data.value.runId).pipe(Effect.option)
        if (record._tag === "None" || !["queued", "running"].includes(record.value.status)) return
        const message = `Gave up after ${record.value.attempts} attempts; the worker running it stopped responding each time`
        yield* runs.finish(data.value.runId, undefined, "dead", { code: "RetriesExhausted", failureClass: "transient", message })
        if (data.value.kind !== "lifecycle") yield* status(data.value.integrationId, "Error", message)
        yield* count(runsTotal, { kind: data.value.kind, outcome: "dead" })
        yield* Effect.logError(message).pipe(Effect.annotateLogs({ runId: data.value.runId, integrationId: data.value.integrationId }))
      }).pipe(Effect.annotateLogs({ workerId }))

    const handleScheduled = (job: Job<ScheduledSyncData>) =>
      Effect.gen(function* () {
        const { tenantId, integrationId } = job.data
        const integration = yield* integrations.get(tenantId, integrationId).pipe(Effect.option)
        if (integration._tag === "None") return yield* queue.setSchedule(tenantId, integrationId, null)
        if (integration.value.status === "Disabled") return yield* Effect.logInfo("Scheduled sync skipped: integration disabled")
        if (integration.value.mode !== "direct" && integration.value.mode !== "scim") {
          return yield* Effect.logInfo(`Scheduled sync skipped: ${integration.value.mode} integrations receive uploads`)
        }
        const { run, started } = yield* queue.startRun({ tenantId, integrationId, kind: "extract", trigger: "schedule", ifIdle: true })
        yield* Effect.logInfo(started ? "Scheduled sync queued" : `Scheduled sync skipped: run ${run.id} is still active`).pipe(
          Effect.annotateLogs({ runId: run.id })
        )
      }).pipe(Effect.annotateLogs({ integrationId: job.data.integrationId, tenantId: job.data.tenantId, workerId }))

    const queues = [...new Set(options.modes.flatMap(queuesForMode))]
    const polling = options.pollingIntervalSeconds ?? 2
    const subscribe = (name: string, register: () => Promise<string>) =>
      Effect.tryPromise({ try: register, catch: (cause) => new Error(`Cannot subscribe to ${name}: ${String(cause)}`) }).pipe(Effect.orDie)

    for (const name of queues) {
      yield* subscribe(name, () =>
        queue.boss.work(
          name,
          { batchSize: 1, localConcurrency: options.concurrency, pollingIntervalSeconds: polling, includeMetadata: true, perJobResults: true },
          (jobs: Array<JobWithMetadata<RunJobData>>) =>
            Promise.all(
              jobs.map((job) =>
                // An interrupted run (shutdown, or pg-boss took the claim back) has handed itself off already.
                runPromise(handleRunJob(job), { signal: job.signal }).catch(() => ok(job.id, { outcome: "handed off" }))
              )
            )
        )
      )
    }
    yield* subscribe(Queues.dead, () =>
      queue.boss.work<RunJobData>(Queues.dead, { pollingIntervalSeconds: Math.max(polling, 5) }, async (jobs) => {
        for (const job of jobs) await runPromise(handleDeadLetter(job).pipe(Effect.ignore))
      })
    )
    if (options.schedules !== false) {
      yield* subscribe(Queues.scheduled, () =>
        queue.boss.work<ScheduledSyncData>(Queues.scheduled, { pollingIntervalSeconds: Math.max(polling, 5) }, async (jobs) => {
          for (const job of jobs) await runPromise(handleScheduled(job).pipe(Effect.ignore))
        })
      )
    }
    const subscribed = [...queues, Queues.dead, ...(options.schedules !== false ? [Queues.scheduled] : [])]

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        stopping = true
        yield* Effect.logInfo("Worker stopping: no new jobs; releasing running runs")
        yield* Effect.forEach(subscribed, (name) => Effect.promise(() => queue.boss.offWork(name, { wait: false }).catch(() => undefined)), {
          discard: true
        })
        yield* FiberSet.clear(fibers)
        yield* FiberSet.awaitEmpty(fibers)
        yield* Effect.forEach(subscribed, (name) => Effect.promise(() => queue.boss.offWork(name, { wait: true }).catch(() => undefined)), {
          discard: true
        })
        yield* Effect.logInfo("Worker stopped")
      }).pipe(Effect.annotateLogs({ workerId }))
    )

    yield* Effect.logInfo(`Worker ${workerId} started`).pipe(
      Effect.annotateLogs({ workerId, modes: options.modes.join(","), concurrency: options.concurrency, queues: queues.join(",") })
    )
    return Worker.of({ id: workerId, queues })
  })
