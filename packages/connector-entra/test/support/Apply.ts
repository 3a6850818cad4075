import type { MemorySinkState } from "@idconnect/core/ExtractionSink"
import { entityKey } from "@idconnect/schemas/Entity"
import { relationKey } from "@idconnect/schemas/EntityRelation"
import type { Snapshot } from "./Expected.ts"

/**
 * What the store publishes after a run, computed in memory with the store's rules: a full run
 * replaces the snapshot; an incremental one upserts its records, deletes what it deleted, and an
 * entity it deleted takes its relations with it.
 */
export const publish = (previous: Snapshot | undefined, run: MemorySinkState): Snapshot => {
  if (run.mode === "full" || previous === undefined) return { entities: new Map(run.entities), relations: new Map(run.relations) }
  const entities = new Map(previous.entities)
  const relations = new Map(previous.relations)
  for (const [k, e] of run.entities) entities.set(k, e)
  for (const [k, r] of run.relations) relations.set(k, r)
  for (const d of run.deletions) {
    if (d.target === "relation" && d.relation !== undefined) relations.delete(relationKey(d.relation))
    if (d.target !== "entity") continue
    entities.delete(entityKey(d))
    for (const [k, r] of relations) {
      const parent = r.parentEntityType === d.entityType && r.parentSourceType === d.sourceType && r.parentSourceId === d.sourceId
      const child = r.entityType === d.entityType && r.entitySourceType === d.sourceType && r.entitySourceId === d.sourceId
      if (parent || child) relations.delete(k)
    }
  }
  return { entities, relations }
}
