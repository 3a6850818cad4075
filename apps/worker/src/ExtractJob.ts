import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { ExtractionSink, SinkError } from "@idconnect/core/ExtractionSink"
import { runExtraction, type RunSummary } from "@idconnect/core/ExtractionRunner"
import type { ReadCapability } from "@idconnect/core/ConnectorPlugin"
import type { Checkpoint, SourceUsage } from "@idconnect/schemas/Run"
import type { Runs } from "@idconnect/store/Runs"
import type { SnapshotWriter } from "@idconnect/store/SnapshotWriter"
import { makeStoreSink, type StoreSink } from "@idconnect/store/StoreSink"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { checkpointsTotal, count, recordsTotal, retriesTotal, sourceRequests, sourceResourceUnits, sourceThrottled } from "./Metrics.ts"
import { modeOf, type RunContext } from "./RunContext.ts"

export interface ExtractSettings {
  /** Transient failures the runner absorbs in-process (resuming from the last checkpoint) before the job is retried. */
  readonly maxTransientRetries: number
  readonly retryBaseDelay: Duration.Input
}

/**
 * Counts what reaches the store, as it commits, and what the source was charged, as the runner
 * reports it (cumulative per run: the counters get the increase since the last report).
 */
const counted = (sink: StoreSink, plugin: string): ExtractionSink => {
  let reported: SourceUsage = { requests: 0, resourceUnits: 0, throttled: 0 }
  return {
    ...sink,
    progress: (progress) =>
      sink.progress(progress).pipe(
        Effect.tap(() => {
          const now: SourceUsage = { requests: progress.requests, resourceUnits: progress.resourceUnits ?? 0, throttled: progress.throttled ?? 0 }
          const before = reported
          reported = now
          return Effect.all([
            count(sourceRequests, { plugin }, Math.max(0, now.requests - before.requests)),
            count(sourceResourceUnits, { plugin }, Math.max(0, now.resourceUnits - before.resourceUnits)),
            count(sourceThrottled, { plugin }, Math.max(0, now.throttled - before.throttled))
          ])
        })
      ),
    write: (batch, checkpoint) =>
      sink.write(batch, checkpoint).pipe(
        Effect.tap(() =>
          Effect.all([
            count(recordsTotal, { type: "entity" }, batch.entities.length),
            count(recordsTotal, { type: "relation" }, batch.relations.length),
            count(recordsTotal, { type: "deletion" }, batch.deletions.length),
            checkpoint === undefined ? Effect.void : count(checkpointsTotal)
          ])
        )
      )
  }
}

/**
 * Before every extraction attempt the staging goes back to what the saved checkpoint covers (or to
 * nothing, when the attempt starts without one): rows flushed after it are replayed by the attempt.
 */
const rewinding = <C>(read: ReadCapability<C>, sink: StoreSink): ReadCapability<C> => {
  let attempts = 0
  return {
    ...read,
    extract: (config, checkpoint, ctx) =>
      Stream.unwrap(
        Effect.gen(function* () {
          attempts++
          if (attempts > 1) yield* count(retriesTotal, { scope: "extraction" })
          yield* sink.rewind(checkpoint === undefined).pipe(
            Effect.mapError((e: SinkError) =>
              e.retryable
                ? ConnectorErrors.unavailable({ message: `The store is unavailable: ${e.message}` }, "store")
                : ConnectorErrors.unexpected({ message: `The store refused the run's staging: ${e.message}` }, "store")
            )
          )
          return read.extract(config, checkpoint, ctx)
        })
      )
  }
}

/**
 * An extract job (direct and scim modes): decode the config with the plugin's Schema, run the
 * plugin's `extract` through core's runner into the store's staging, resuming from the run's last
 * checkpoint; the runner's `complete` publishes the snapshot.
 */
export const runExtractJob = (
  ctx: RunContext,
  checkpoint: Option.Option<Checkpoint>,
  settings: ExtractSettings
): Effect.Effect<RunSummary, ConnectorError | SinkError, SnapshotWriter | Runs> =>
  Effect.gen(function* () {
    const def = yield* modeOf(ctx)
    if (def.read === undefined) {
      return yield* ConnectorErrors.unsupported({ feature: "read", message: `${ctx.plugin.metadata.displayName} cannot extract in ${ctx.job.mode} mode` })
    }
    const config = yield* decodeConfig(def.config, ctx.integration.config)
    const sink = yield* makeStoreSink(ctx.run.id, ctx.workerId)
    return yield* runExtraction({
      read: rewinding(def.read, sink),
      config,
      sink: counted(sink, ctx.plugin.metadata.id),
      checkpoint: Option.getOrUndefined(checkpoint),
      ctx: { runId: ctx.run.id },
      maxTransientRetries: settings.maxTransientRetries,
      retryBaseDelay: settings.retryBaseDelay,
      onCheckpoint: (_checkpoint, committed) => Effect.logDebug("Checkpoint committed").pipe(Effect.annotateLogs({ sequence: committed }))
    })
  }).pipe(Effect.withSpan("Worker.extract", { attributes: { runId: ctx.run.id, plugin: ctx.plugin.metadata.id, mode: ctx.job.mode } }))
