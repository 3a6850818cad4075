import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"

/**
 * A sink that counts what the runner commits and keeps only the last checkpoint: what scenario 1
 * and 2 extract into when they measure the connector and the runner alone (Graph traffic, pacing,
 * memory), without the store's staging and publish, which scenario 3 and the one store-backed
 * full sync measure. Lives in the bench only.
 */
export interface CountingSinkState {
  entities: number
  relations: number
  deletions: number
  checkpoints: number
  lastCheckpoint: Checkpoint | undefined
  completed: boolean
  /** Each phase the runner reported ("full sync: groups", ...) with when it was first seen (performance.now()). */
  phases: Array<{ readonly phase: string; readonly atMs: number }>
}

export const makeCountingSink = (): { readonly sink: ExtractionSink; readonly state: CountingSinkState } => {
  const state: CountingSinkState = { entities: 0, relations: 0, deletions: 0, checkpoints: 0, lastCheckpoint: undefined, completed: false, phases: [] }
  const sink: ExtractionSink = {
    begin: () => Effect.void,
    write: (batch, checkpoint) =>
      Effect.sync(() => {
        state.entities += batch.entities.length
        state.relations += batch.relations.length
        state.deletions += batch.deletions.length
        if (checkpoint !== undefined) {
          state.checkpoints++
          state.lastCheckpoint = checkpoint
        }
      }),
    warning: () => Effect.void,
    progress: (p) =>
      Effect.sync(() => {
        if (state.phases[state.phases.length - 1]?.phase !== p.phase) state.phases.push({ phase: p.phase, atMs: performance.now() })
      }),
    complete: () =>
      Effect.sync(() => {
        state.completed = true
      })
  }
  return { sink, state }
}
