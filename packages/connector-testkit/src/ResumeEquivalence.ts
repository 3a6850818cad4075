import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ReadCapability } from "@idconnect/core/ConnectorPlugin"
import type { ExtractionSink, SinkError } from "@idconnect/core/ExtractionSink"
import { runExtraction } from "@idconnect/core/ExtractionRunner"
import { entityKey } from "@idconnect/schemas/Entity"
import { relationKey } from "@idconnect/schemas/EntityRelation"
import { Checkpoint } from "@idconnect/schemas/Run"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { isPlainJson, sample, showKey, stableJson, type Defects } from "./Defects.ts"

/**
 * A sink that keeps every write, not deduplicated (unlike the store), so a replayed or lost
 * record shows up when runs are compared.
 */
export const makeRecordingSink = () => {
  const state = {
    /** key -> content of every written entity/relation, in write order, duplicates kept. */
    writes: [] as Array<{ readonly key: string; readonly content: string }>,
    checkpoint: undefined as Checkpoint | undefined,
    checkpoints: 0,
    completed: false
  }
  const sink: ExtractionSink = {
    begin: () => Effect.void,
    write: (batch, checkpoint) =>
      Effect.sync(() => {
        for (const e of batch.entities) state.writes.push({ key: `entity:${entityKey(e)}`, content: stableJson(e) })
        for (const r of batch.relations) state.writes.push({ key: `relation:${relationKey(r)}`, content: stableJson(r) })
        if (checkpoint !== undefined) {
          state.checkpoint = checkpoint
          state.checkpoints++
        }
      }),
    warning: () => Effect.void,
    progress: () => Effect.void,
    complete: () =>
      Effect.sync(() => {
        state.completed = true
      })
  }
  return { sink, state }
}

export interface ResumeOptions<C> {
  readonly read: ReadCapability<C>
  readonly config: C
  /**
   * At most this many interruption points, spread evenly over the run (default: every checkpoint).
   * Big targets set it so the suite stays fast.
   */
  readonly maxInterruptions?: number | undefined
}

export interface ResumeReport {
  /** Checkpoints of the uninterrupted run. */
  readonly checkpoints: number
  /** The checkpoint numbers the run was interrupted at. */
  readonly interruptedAt: ReadonlyArray<number>
  readonly defects: Defects
}

/** Which checkpoints (1-based) to interrupt at: all, or `max` spread evenly including the first and last. */
export const interruptionPoints = (checkpoints: number, max: number | undefined): ReadonlyArray<number> => {
  const all = Array.from({ length: checkpoints }, (_, i) => i + 1)
  if (max === undefined || max >= checkpoints) return all
  if (max <= 1) return [1]
  const points = new Set<number>()
  for (let i = 0; i < max; i++) points.add(1 + Math.round((i * (checkpoints - 1)) / (max - 1)))
  return [...points]
}

const multiset = (writes: ReadonlyArray<{ key: string; content: string }>) => {
  const counts = new Map<string, { n: number; contents: Set<string> }>()
  for (const w of writes) {
    const slot = counts.get(w.key) ?? { n: 0, contents: new Set<string>() }
    slot.n++
    slot.contents.add(w.content)
    counts.set(w.key, slot)
  }
  return counts
}

const stripKind = (key: string) => showKey(key.slice(key.indexOf(":") + 1))

/**
 * Interrupts an extraction at every checkpoint (or a sample of them) and resumes it, through the
 * real runner: run once uninterrupted; then for each k, run until the runner has committed the
 * k-th checkpoint, stop it there (as a killed worker would), pass that checkpoint through JSON
 * (as the store keeps it) and resume. The writes of the two halves together must equal the
 * uninterrupted run's writes exactly: nothing lost, nothing written twice, same content.
 */
export const checkResumeEquivalence = <C>(options: ResumeOptions<C>): Effect.Effect<ResumeReport, ConnectorError | SinkError> =>
  Effect.gen(function* () {
    const run = (sink: ExtractionSink, checkpoint: Checkpoint | undefined, stopAt?: number) =>
      runExtraction({
        read: options.read,
        config: options.config,
        sink,
        checkpoint,
        retryBaseDelay: "10 millis",
        ...(stopAt === undefined ? {} : { onCheckpoint: (_: Checkpoint, committed: number) => (committed === stopAt ? Effect.interrupt : Effect.void) })
      })

    const baseline = makeRecordingSink()
    yield* run(baseline.sink, undefined)
    const expected = multiset(baseline.state.writes)
    const points = interruptionPoints(baseline.state.checkpoints, options.maxInterruptions)
    const defects: Array<string> = []

    for (const k of points) {
      const recording = makeRecordingSink()
      const first = yield* Effect.exit(run(recording.sink, undefined, k))
      if (Exit.isSuccess(first)) {
        defects.push(`checkpoint ${k}: the run finished before committing ${k} checkpoints (the uninterrupted run committed ${baseline.state.checkpoints}): checkpoints are not deterministic`)
        continue
      }
      if (!Cause.hasInterruptsOnly(first.cause)) return yield* Effect.failCause(first.cause as Cause.Cause<ConnectorError | SinkError>)
      const saved = recording.state.checkpoint
      const stored = Schema.decodeUnknownExit(Checkpoint)(JSON.parse(JSON.stringify(saved ?? null)))
      if (Exit.isFailure(stored) || !isPlainJson(saved?.state)) {
        defects.push(`checkpoint ${k}: does not survive a JSON round trip`)
        continue
      }
      const resumed = yield* Effect.exit(run(recording.sink, stored.value))
      if (Exit.isFailure(resumed)) {
        defects.push(`checkpoint ${k}: resuming failed: ${Cause.pretty(resumed.cause).split("\n")[0]}`)
        continue
      }
      const got = multiset(recording.state.writes)
      const lost: Array<string> = []
      const duplicated: Array<string> = []
      const changed: Array<string> = []
      for (const [key, want] of expected) {
        const have = got.get(key)
        if (have === undefined) lost.push(stripKind(key))
        else if (have.n > want.n) duplicated.push(stripKind(key))
        else if (have.n < want.n) lost.push(stripKind(key))
        else if ([...have.contents].some((c) => !want.contents.has(c))) changed.push(stripKind(key))
      }
      const extra = [...got.keys()].filter((key) => !expected.has(key)).map(stripKind)
      if (lost.length > 0) defects.push(`interrupted at checkpoint ${k} and resumed: ${lost.length} records lost: ${sample(lost)}`)
      if (duplicated.length > 0) defects.push(`interrupted at checkpoint ${k} and resumed: ${duplicated.length} records written twice: ${sample(duplicated)}`)
      if (extra.length > 0) defects.push(`interrupted at checkpoint ${k} and resumed: ${extra.length} records not in the uninterrupted run: ${sample(extra)}`)
      if (changed.length > 0) defects.push(`interrupted at checkpoint ${k} and resumed: ${changed.length} records differ in content: ${sample(changed)}`)
    }
    return { checkpoints: baseline.state.checkpoints, interruptedAt: points, defects }
  })
