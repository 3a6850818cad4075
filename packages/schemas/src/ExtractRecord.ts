import * as Schema from "effect/Schema"
import { Entity, EntityType } from "./Entity.ts"
import { EntityRelation } from "./EntityRelation.ts"
import { Checkpoint, RunWarning, SourceUsage } from "./Run.ts"

/**
 * What `extract` streams. Entities and relations are data; a checkpoint says "everything before me
 * is emitted, resume after me"; progress (with what the source was charged so far) and warnings
 * are for humans and operators; a deletion (from an incremental sync) removes an entity or
 * relation from the integration's data.
 */
export const ExtractRecord = Schema.TaggedUnion({
  entity: { entity: Entity },
  relation: { relation: EntityRelation },
  deletion: {
    target: Schema.Literals(["entity", "relation"]),
    entityType: EntityType,
    sourceType: Schema.String,
    sourceId: Schema.String,
    /** For relation deletions: the relation that is gone. */
    relation: Schema.optionalKey(EntityRelation)
  },
  checkpoint: { checkpoint: Checkpoint },
  progress: {
    phase: Schema.String,
    stream: Schema.optionalKey(Schema.String),
    done: Schema.optionalKey(Schema.Int),
    total: Schema.optionalKey(Schema.Int),
    /** What this `extract` call has cost the source so far (cumulative since the call began); the runner adds up attempts. */
    usage: Schema.optionalKey(SourceUsage)
  },
  warning: { warning: RunWarning },
  /**
   * Says what the run contains: a full sync replaces the previous snapshot; an incremental one
   * applies its records and deletions on top of it. Emitted first.
   */
  syncMode: { mode: Schema.Literals(["full", "incremental"]) }
})
export type ExtractRecord = typeof ExtractRecord.Type
