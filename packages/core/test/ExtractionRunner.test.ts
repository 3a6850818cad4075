import { assert, describe, it } from "@effect/vitest"
import type { Entity } from "@idconnect/schemas/Entity"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { ConnectorErrors, type ConnectorError } from "../src/ConnectorError.ts"
import type { ReadCapability } from "../src/ConnectorPlugin.ts"
import { runExtraction } from "../src/ExtractionRunner.ts"
import { SinkError, type ExtractionSink } from "../src/ExtractionSink.ts"
import { makeMemorySink } from "../src/MemorySink.ts"

// A small scripted plugin: pages of entities with a checkpoint after each page (state = index of
// the next page), and failures injected before given pages, a given number of times.

const user = (id: string): Entity => ({ name: id, entityType: "identity", sourceSystem: "test", sourceId: id, sourceType: "user" })
const page = (p: number, size = 2) => Array.from({ length: size }, (_, i) => user(`u${p}-${i}`))

interface Failure {
  readonly beforePage: number
  /** Fail after emitting this many entities of the page (default: before the page). */
  readonly afterRecords?: number
  readonly error: ConnectorError
  times: number
}

const scripted = (
  pages: number,
  failures: Array<Failure> = [],
  options: { pageSize?: number; rejectCheckpoints?: boolean; requestsPerPage?: number } = {}
) => {
  const starts: Array<Checkpoint | undefined> = []
  const read: ReadCapability<null> = {
    check: () => Effect.die("unused"),
    discover: () => Effect.die("unused"),
    extract: (_config, checkpoint) =>
      Stream.suspend(() => {
        starts.push(checkpoint)
        if (checkpoint !== undefined && options.rejectCheckpoints === true) {
          return Stream.fail(ConnectorErrors.checkpointInvalid({ message: "delta token expired" }))
        }
        const first = checkpoint === undefined ? 0 : (checkpoint.state as number)
        const records: Array<ExtractRecord> = checkpoint === undefined ? [{ _tag: "syncMode", mode: "full" }] : []
        for (let p = first; p < pages; p++) {
          const failure = failures.find((f) => f.beforePage === p && f.times > 0)
          if (failure !== undefined) {
            failure.times--
            for (const entity of page(p, options.pageSize).slice(0, failure.afterRecords ?? 0)) records.push({ _tag: "entity", entity })
            return Stream.concat(Stream.fromIterable(records), Stream.fail(failure.error))
          }
          for (const entity of page(p, options.pageSize)) records.push({ _tag: "entity", entity })
          if (options.requestsPerPage !== undefined) {
            // Usage is cumulative per extract call, as plugins report it.
            const requests = (p - first + 1) * options.requestsPerPage
            records.push({ _tag: "progress", phase: "reading", usage: { requests, resourceUnits: 2 * requests, throttled: 0 } })
          }
          records.push({ _tag: "checkpoint", checkpoint: { version: "test/1", state: p + 1 } })
        }
        return Stream.fromIterable(records)
      })
  }
  return { read, starts }
}

describe("runExtraction", () => {
  it.effect("commits each page with its checkpoint and completes the sink", () =>
    Effect.gen(function* () {
      const { read } = scripted(3)
      const { sink, state } = makeMemorySink()
      const committed: Array<number> = []
      const summary = yield* runExtraction({
        read,
        config: null,
        sink,
        onCheckpoint: (_cp, n) => Effect.sync(() => void committed.push(n))
      })
      assert.deepStrictEqual(summary, {
        mode: "full",
        entities: 6,
        relations: 0,
        deletions: 0,
        checkpoints: 3,
        warnings: [],
        attempts: 1,
        usage: { requests: 0, resourceUnits: 0, throttled: 0 }
      })
      assert.deepStrictEqual(committed, [1, 2, 3])
      assert.deepStrictEqual(state.checkpoint, { version: "test/1", state: 3 })
      assert.strictEqual(state.mode, "full")
      assert.isTrue(state.completed)
    })
  )

  it.effect("a transient failure resumes from the last committed checkpoint after the Retry-After", () =>
    Effect.gen(function* () {
      const { read, starts } = scripted(3, [{ beforePage: 2, error: ConnectorErrors.rateLimited({ message: "429", retryAfterSeconds: 30 }), times: 1 }])
      const { sink, state } = makeMemorySink()
      const fiber = yield* Effect.forkChild(runExtraction({ read, config: null, sink }))
      yield* TestClock.adjust("29 seconds")
      assert.strictEqual(starts.length, 1, "it must not retry before the Retry-After")
      yield* TestClock.adjust("1 second")
      const summary = yield* Fiber.join(fiber)
      assert.deepStrictEqual(starts, [undefined, { version: "test/1", state: 2 }])
      assert.strictEqual(summary.attempts, 2)
      assert.strictEqual(summary.entities, 6)
      assert.strictEqual(state.entities.size, 6)
      assert.isTrue(state.completed)
    })
  )

  it.effect("adds up what every attempt cost the source, in the run's progress and its summary", () =>
    Effect.gen(function* () {
      const { read } = scripted(3, [{ beforePage: 2, error: ConnectorErrors.unavailable({ message: "503" }), times: 1 }], { requestsPerPage: 10 })
      const { sink, state } = makeMemorySink()
      const fiber = yield* Effect.forkChild(runExtraction({ read, config: null, sink }))
      yield* TestClock.adjust("1 minute")
      const summary = yield* Fiber.join(fiber)
      // Attempt 1 read pages 0 and 1 (20 requests), attempt 2 page 2 (10): 30 over the run.
      assert.deepStrictEqual(summary.usage, { requests: 30, resourceUnits: 60, throttled: 0 })
      assert.strictEqual(state.progress?.requests, 30)
      assert.strictEqual(state.progress?.resourceUnits, 60)
    })
  )

  it.effect("without a Retry-After it backs off exponentially from the base delay", () =>
    Effect.gen(function* () {
      const unavailable = ConnectorErrors.unavailable({ message: "503", status: 503 })
      const { read, starts } = scripted(2, [{ beforePage: 1, error: unavailable, times: 2 }])
      const { sink } = makeMemorySink()
      const fiber = yield* Effect.forkChild(runExtraction({ read, config: null, sink, retryBaseDelay: "1 second" }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(starts.length, 2)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(starts.length, 2, "the second wait is twice the first")
      yield* TestClock.adjust("1 second")
      const summary = yield* Fiber.join(fiber)
      assert.strictEqual(summary.attempts, 3)
    })
  )

  it.effect("gives up after maxTransientRetries with the transient error", () =>
    Effect.gen(function* () {
      const { read, starts } = scripted(2, [{ beforePage: 0, error: ConnectorErrors.unavailable({ message: "down" }), times: 99 }])
      const { sink, state } = makeMemorySink()
      const fiber = yield* Effect.forkChild(Effect.flip(runExtraction({ read, config: null, sink, maxTransientRetries: 2, retryBaseDelay: "1 second" })))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ConnectorError")
      assert.strictEqual(error._tag === "ConnectorError" ? error.code : "", "Unavailable")
      assert.strictEqual(starts.length, 3)
      assert.isFalse(state.completed)
    })
  )

  it.effect("a config failure ends the run at once, without retries", () =>
    Effect.gen(function* () {
      const denied = ConnectorErrors.permissionMissing({ message: "403", permission: "Group.Read.All" })
      const { read, starts } = scripted(3, [{ beforePage: 1, error: denied, times: 1 }])
      const { sink, state } = makeMemorySink()
      const error = yield* Effect.flip(runExtraction({ read, config: null, sink }))
      assert.strictEqual(error._tag === "ConnectorError" ? error.failureClass : "", "config")
      assert.strictEqual(starts.length, 1)
      assert.deepStrictEqual(state.checkpoint, { version: "test/1", state: 1 }, "what was committed stays committed")
      assert.isFalse(state.completed)
    })
  )

  it.effect("a checkpoint the plugin rejects restarts the run from scratch as a full sync", () =>
    Effect.gen(function* () {
      const { read, starts } = scripted(2, [], { rejectCheckpoints: true })
      const { sink, state } = makeMemorySink()
      const summary = yield* runExtraction({ read, config: null, sink, checkpoint: { version: "test/1", state: 1 } })
      assert.deepStrictEqual(starts, [{ version: "test/1", state: 1 }, undefined])
      assert.strictEqual(summary.mode, "full")
      assert.strictEqual(summary.entities, 4)
      assert.strictEqual(state.mode, "full")
      assert.isTrue(state.completed)
    })
  )

  it.effect("CheckpointInvalid on a fresh start is not retried forever: the run fails", () =>
    Effect.gen(function* () {
      const { read, starts } = scripted(2, [{ beforePage: 0, error: ConnectorErrors.checkpointInvalid({ message: "confused" }), times: 99 }])
      const { sink } = makeMemorySink()
      const error = yield* Effect.flip(runExtraction({ read, config: null, sink }))
      assert.strictEqual(error._tag === "ConnectorError" ? error.code : "", "CheckpointInvalid")
      assert.strictEqual(starts.length, 1)
    })
  )

  it.effect("flushes early when the buffer fills between checkpoints, and does not count replayed records twice", () =>
    Effect.gen(function* () {
      const blip = ConnectorErrors.unavailable({ message: "blip", retryAfterSeconds: 0 })
      const { read } = scripted(2, [{ beforePage: 1, afterRecords: 3, error: blip, times: 1 }], { pageSize: 5 })
      const writes: Array<{ size: number; checkpoint: unknown }> = []
      const memory = makeMemorySink()
      const sink: ExtractionSink = {
        ...memory.sink,
        write: (batch, checkpoint) =>
          Effect.andThen(
            Effect.sync(() => void writes.push({ size: batch.entities.length, checkpoint: checkpoint?.state })),
            memory.sink.write(batch, checkpoint)
          )
      }
      const summary = yield* runExtraction({ read, config: null, sink, maxBufferedRecords: 2 })
      // Page 0: 2 + 2 flushed early, 1 with its checkpoint. Page 1 fails after 3 records (2 of them
      // flushed early); the retry replays page 1 from checkpoint 1, and the run ends with an empty flush.
      assert.deepStrictEqual(
        writes.map((w) => [w.size, w.checkpoint]),
        [[2, undefined], [2, undefined], [1, 1], [2, undefined], [2, undefined], [2, undefined], [1, 2], [0, undefined]]
      )
      assert.strictEqual(summary.entities, 10)
      assert.strictEqual(memory.state.entities.size, 10)
    })
  )

  it.effect("passes warnings and deletions to the sink", () =>
    Effect.gen(function* () {
      const read: ReadCapability<null> = {
        ...scripted(0).read,
        extract: () =>
          Stream.fromIterable<ExtractRecord>([
            { _tag: "syncMode", mode: "incremental" },
            { _tag: "warning", warning: { code: "LicenseMissing", message: "no P2", stream: "riskyUsers" } },
            { _tag: "deletion", target: "entity", entityType: "identity", sourceType: "user", sourceId: "gone" },
            { _tag: "checkpoint", checkpoint: { version: "test/1", state: "delta" } }
          ])
      }
      const { sink, state } = makeMemorySink()
      const summary = yield* runExtraction({ read, config: null, sink })
      assert.strictEqual(summary.mode, "incremental")
      assert.strictEqual(summary.deletions, 1)
      assert.deepStrictEqual(summary.warnings, [{ code: "LicenseMissing", message: "no P2", stream: "riskyUsers" }])
      assert.deepStrictEqual(state.warnings, summary.warnings)
      assert.strictEqual(state.deletions[0]?.sourceId, "gone")
    })
  )

  it.effect("a sink failure ends the run without retrying the source", () =>
    Effect.gen(function* () {
      const { read, starts } = scripted(2)
      const { sink } = makeMemorySink()
      const broken: ExtractionSink = { ...sink, write: () => Effect.fail(new SinkError({ message: "disk full", retryable: false })) }
      const error = yield* Effect.flip(runExtraction({ read, config: null, sink: broken }))
      assert.strictEqual(error._tag, "SinkError")
      assert.strictEqual(starts.length, 1)
    })
  )
})
