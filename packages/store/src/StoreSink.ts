import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import { SinkError } from "@idconnect/core/ExtractionSink"
import * as Effect from "effect/Effect"
import { Runs } from "./Runs.ts"
import type { StoreError } from "./StoreError.ts"
import { SnapshotWriter, type PublishResult } from "./SnapshotWriter.ts"

/**
 * Core's `ExtractionSink` backed by the store, for one leased run: batches are staged (with their
 * checkpoint, atomically), `complete` publishes the snapshot.
 */
export interface StoreSink extends ExtractionSink {
  /**
   * Call before each extraction attempt: drops staged rows that the saved checkpoint does not cover,
   * because the attempt replays them. `fromScratch` (no checkpoint to resume from) drops everything.
   */
  readonly rewind: (fromScratch: boolean) => Effect.Effect<void, SinkError>
  /** What the publish did, once `complete` has run. */
  readonly published: () => PublishResult | undefined
}

const toSinkError = (e: StoreError) => new SinkError({ message: e.message, retryable: e.isRetryable, cause: e })

/** Builds the sink of run `runId` for the worker holding its lease (`owner`). */
export const makeStoreSink = (runId: string, owner: string): Effect.Effect<StoreSink, never, SnapshotWriter | Runs> =>
  Effect.gen(function* () {
    const writer = yield* SnapshotWriter
    const runs = yield* Runs
    let result: PublishResult | undefined
    const sink: StoreSink = {
      begin: (mode, scope) => runs.setSyncMode(runId, mode, scope).pipe(Effect.mapError(toSinkError)),
      write: (batch, checkpoint) => writer.stage(runId, owner, batch, checkpoint).pipe(Effect.asVoid, Effect.mapError(toSinkError)),
      warning: (warning) => runs.warning(runId, warning).pipe(Effect.mapError(toSinkError)),
      progress: (progress) => runs.progress(runId, progress).pipe(Effect.mapError(toSinkError)),
      complete: () =>
        writer.publish(runId, owner).pipe(
          Effect.tap((published) => Effect.sync(() => void (result = published))),
          Effect.asVoid,
          Effect.mapError(toSinkError)
        ),
      rewind: (fromScratch) => writer.rewind(runId, fromScratch).pipe(Effect.mapError(toSinkError)),
      published: () => result
    }
    return sink
  })
