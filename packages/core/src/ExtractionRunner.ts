import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { Checkpoint, RunWarning, SourceUsage } from "@idconnect/schemas/Run"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ConnectorError } from "./ConnectorError.ts"
import type { CallContext, ReadCapability } from "./ConnectorPlugin.ts"
import type { Deletion, ExtractionSink, SinkError } from "./ExtractionSink.ts"

export interface RunnerOptions<C> {
  readonly read: ReadCapability<C>
  readonly config: C
  readonly sink: ExtractionSink
  /** The last checkpoint saved by an earlier attempt of this run (resume), if any. */
  readonly checkpoint?: Checkpoint | undefined
  readonly ctx?: CallContext
  /** Records buffered between checkpoints before an intermediate (checkpoint-less) flush. */
  readonly maxBufferedRecords?: number
  /** How many times a transient failure restarts extraction from the last checkpoint. */
  readonly maxTransientRetries?: number
  /** Base delay of the exponential backoff when the source gave no Retry-After. */
  readonly retryBaseDelay?: Duration.Input
  /** Called for every checkpoint committed; the worker uses it to heartbeat and the tests to kill. */
  readonly onCheckpoint?: (checkpoint: Checkpoint, committed: number) => Effect.Effect<void>
}

export interface RunSummary {
  readonly mode: "full" | "incremental"
  readonly entities: number
  readonly relations: number
  readonly deletions: number
  readonly checkpoints: number
  readonly warnings: ReadonlyArray<RunWarning>
  readonly attempts: number
  /** What the run cost the source, over all attempts (zeros for plugins that do not report it). */
  readonly usage: SourceUsage
}

const NO_USAGE: SourceUsage = { requests: 0, resourceUnits: 0, throttled: 0 }
const addUsage = (a: SourceUsage, b: SourceUsage): SourceUsage => ({
  requests: a.requests + b.requests,
  resourceUnits: a.resourceUnits + b.resourceUnits,
  throttled: a.throttled + b.throttled
})

/**
 * Drives a plugin's `extract` into a sink: buffers records, commits them with each checkpoint
 * atomically, reports progress, and on a transient failure waits (Retry-After, else exponential
 * backoff) and resumes from the last committed checkpoint. A `CheckpointInvalid` failure (e.g. an
 * expired delta token) restarts from scratch as a full sync. Config and system failures end the run.
 *
 * @category runner
 */
export const runExtraction = Effect.fnUntraced(function* <C>(
  options: RunnerOptions<C>
): Effect.fn.Return<RunSummary, ConnectorError | SinkError> {
  const maxBuffered = options.maxBufferedRecords ?? 5_000
  const maxRetries = options.maxTransientRetries ?? 5
  const baseDelay = Duration.toMillis(Duration.fromInputUnsafe(options.retryBaseDelay ?? "1 second"))
  const warnings: Array<RunWarning> = []
  let lastCommitted: Checkpoint | undefined = options.checkpoint
  let counts = { entities: 0, relations: 0, deletions: 0, checkpoints: 0 }
  // Records flushed without a checkpoint (buffer full) are replayed when an attempt fails and the
  // next resumes from the last checkpoint; they are taken out of the counts so nothing counts twice.
  let uncheckpointed = { entities: 0, relations: 0, deletions: 0 }
  let mode: "full" | "incremental" = "full"
  let attempts = 0
  // A plugin reports its usage cumulatively per `extract` call; each attempt is a new call, so
  // finished attempts are summed and the current one's latest report is added on top.
  let usageOfFinishedAttempts = NO_USAGE
  let usageOfAttempt = NO_USAGE
  const usage = () => addUsage(usageOfFinishedAttempts, usageOfAttempt)
  const started = Date.now()

  const report = (phase: string) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001)
    return options.sink.progress({
      phase,
      entities: counts.entities,
      relations: counts.relations,
      deletions: counts.deletions,
      requests: usage().requests,
      resourceUnits: usage().resourceUnits,
      throttled: usage().throttled,
      ratePerSecond: Math.round(((counts.entities + counts.relations) / seconds) * 10) / 10
    })
  }

  for (;;) {
    attempts++
    let entities: Array<Entity> = []
    let relations: Array<EntityRelation> = []
    let deletions: Array<Deletion> = []
    let phase = "starting"
    const flush = (checkpoint: Checkpoint | undefined) =>
      Effect.gen(function* () {
        const batch = { entities, relations, deletions }
        entities = []
        relations = []
        deletions = []
        yield* options.sink.write(batch, checkpoint)
        counts = {
          entities: counts.entities + batch.entities.length,
          relations: counts.relations + batch.relations.length,
          deletions: counts.deletions + batch.deletions.length,
          checkpoints: counts.checkpoints + (checkpoint === undefined ? 0 : 1)
        }
        if (checkpoint === undefined) {
          uncheckpointed = {
            entities: uncheckpointed.entities + batch.entities.length,
            relations: uncheckpointed.relations + batch.relations.length,
            deletions: uncheckpointed.deletions + batch.deletions.length
          }
        } else {
          uncheckpointed = { entities: 0, relations: 0, deletions: 0 }
          lastCommitted = checkpoint
          if (options.onCheckpoint) yield* options.onCheckpoint(checkpoint, counts.checkpoints)
        }
        yield* report(phase)
      })

    const handle = (record: ExtractRecord): Effect.Effect<void, SinkError> => {
      switch (record._tag) {
        case "entity":
          entities.push(record.entity)
          return entities.length + relations.length >= maxBuffered ? flush(undefined) : Effect.void
        case "relation":
          relations.push(record.relation)
          return entities.length + relations.length >= maxBuffered ? flush(undefined) : Effect.void
        case "deletion":
          deletions.push(record)
          return Effect.void
        case "checkpoint":
          return flush(record.checkpoint)
        case "progress":
          phase = record.stream === undefined ? record.phase : `${record.phase}: ${record.stream}`
          if (record.usage !== undefined) usageOfAttempt = record.usage
          return Effect.void
        case "warning":
          warnings.push(record.warning)
          return options.sink.warning(record.warning)
        case "syncMode":
          mode = record.mode
          return options.sink.begin(record.mode)
      }
    }

    const attempt = options.read.extract(options.config, lastCommitted, options.ctx).pipe(
      Stream.runForEach(handle),
      Effect.andThen(flush(undefined))
    )
    const outcome = yield* Effect.result(attempt)
    usageOfFinishedAttempts = usage()
    usageOfAttempt = NO_USAGE
    if (outcome._tag === "Success") break
    const error = outcome.failure
    if (error._tag === "SinkError") return yield* error
    counts = {
      ...counts,
      entities: counts.entities - uncheckpointed.entities,
      relations: counts.relations - uncheckpointed.relations,
      deletions: counts.deletions - uncheckpointed.deletions
    }
    uncheckpointed = { entities: 0, relations: 0, deletions: 0 }
    // What the failed attempt cost the source reaches the run's progress (and the worker's metrics)
    // now, whether it is retried or ends the run; a sink that cannot take it must not hide the error.
    yield* report(`attempt ${attempts} failed (${error.code})`).pipe(Effect.catch(() => Effect.void))
    if (error.code === "CheckpointInvalid") {
      // Without a checkpoint there is nothing to drop: the plugin rejected its own fresh start.
      if (lastCommitted === undefined) return yield* error
      yield* Effect.logWarning(`Checkpoint no longer valid (${error.message}); restarting as a full sync`)
      lastCommitted = undefined
      // The full sync re-emits everything (and the sink begins a new snapshot), so counting restarts.
      counts = { entities: 0, relations: 0, deletions: 0, checkpoints: 0 }
      continue
    }
    if (!error.isRetryable || attempts > maxRetries) return yield* error
    const waitMs = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : baseDelay * 2 ** (attempts - 1)
    yield* Effect.logWarning(`Transient failure (${error.code}: ${error.message}); resuming from the last checkpoint in ${waitMs} ms`)
    yield* Effect.sleep(Duration.millis(waitMs))
  }

  yield* options.sink.complete()
  return { mode, ...counts, warnings, attempts, usage: usage() }
})
