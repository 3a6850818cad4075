import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { Checkpoint, RunProgress, RunWarning } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export type Deletion = Extract<ExtractRecord, { _tag: "deletion" }>

/** A batch of data the runner hands to a sink between two checkpoints. */
export interface SinkBatch {
  readonly entities: ReadonlyArray<Entity>
  readonly relations: ReadonlyArray<EntityRelation>
  readonly deletions: ReadonlyArray<Deletion>
}

/** The sink (the store, a file, memory) could not take the data. */
export class SinkError extends Schema.TaggedError<SinkError>()("SinkError", {
  message: Schema.String,
  retryable: Schema.Boolean,
  cause: Schema.optionalKey(Schema.Defect())
}) {}

/**
 * What a `full` run replaces. `all` (the default): the whole snapshot. `entities`: the entities;
 * relations are kept, except those whose ends disappeared. `relations`: the relations; entities
 * are kept (any the run carries are upserted). Bulk uploads send entities and relations separately.
 */
export type SyncScope = "all" | "entities" | "relations"

/**
 * Where an extraction run's output goes. The store implements it with staging tables; the CLI with
 * an NDJSON file; tests with memory. Contract:
 * - `write` stores the batch and then, if given, the checkpoint, atomically: after a crash the
 *   saved checkpoint never claims data that was not stored.
 * - writes are idempotent by entity/relation key, because records after the last checkpoint are
 *   replayed on resume.
 * - `complete` publishes the run's data (a full sync replaces the previous snapshot; an
 *   incremental one applies on top of it).
 */
export interface ExtractionSink {
  readonly begin: (mode: "full" | "incremental", scope?: SyncScope) => Effect.Effect<void, SinkError>
  readonly write: (batch: SinkBatch, checkpoint: Checkpoint | undefined) => Effect.Effect<void, SinkError>
  readonly warning: (warning: RunWarning) => Effect.Effect<void, SinkError>
  readonly progress: (progress: RunProgress) => Effect.Effect<void, SinkError>
  readonly complete: () => Effect.Effect<void, SinkError>
}

/** A sink that keeps everything in memory, deduplicated by key like the store. For tests and the CLI. */
export interface MemorySinkState {
  mode: "full" | "incremental" | undefined
  readonly entities: Map<string, Entity>
  readonly relations: Map<string, EntityRelation>
  readonly deletions: Array<Deletion>
  readonly warnings: Array<RunWarning>
  checkpoint: Checkpoint | undefined
  checkpoints: number
  completed: boolean
  progress: RunProgress | undefined
}
