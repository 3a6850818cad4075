import { entityKey } from "@idconnect/schemas/Entity"
import { relationKey } from "@idconnect/schemas/EntityRelation"
import * as Effect from "effect/Effect"
import type { ExtractionSink, MemorySinkState } from "./ExtractionSink.ts"

/** An in-memory `ExtractionSink` with the store's semantics (idempotent by key, atomic checkpoint). */
export const makeMemorySink = (): { readonly sink: ExtractionSink; readonly state: MemorySinkState } => {
  const state: MemorySinkState = {
    mode: undefined,
    entities: new Map(),
    relations: new Map(),
    deletions: [],
    warnings: [],
    checkpoint: undefined,
    checkpoints: 0,
    completed: false,
    progress: undefined
  }
  const sink: ExtractionSink = {
    begin: (mode) =>
      Effect.sync(() => {
        state.mode = mode
      }),
    write: (batch, checkpoint) =>
      Effect.sync(() => {
        for (const e of batch.entities) state.entities.set(entityKey(e), e)
        for (const r of batch.relations) state.relations.set(relationKey(r), r)
        state.deletions.push(...batch.deletions)
        if (checkpoint !== undefined) {
          state.checkpoint = checkpoint
          state.checkpoints++
        }
      }),
    warning: (w) => Effect.sync(() => void state.warnings.push(w)),
    progress: (p) =>
      Effect.sync(() => {
        state.progress = p
      }),
    complete: () =>
      Effect.sync(() => {
        state.completed = true
      })
  }
  return { sink, state }
}
