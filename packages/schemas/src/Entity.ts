import * as Schema from "effect/Schema"
import { JsonObject, NonBlankString } from "./Common.ts"

/**
 * The three kinds of entity of the BalkanID data model: who (identity), what grants access
 * (connection: groups, roles, app roles) and what access is to (resource).
 */
export const EntityType = Schema.Literals(["identity", "connection", "resource"])
export type EntityType = typeof EntityType.Type

/**
 * One object of an identity system, normalised. Compatible with the BalkanID Entities CSV
 * (`App, Name, Entity Type, Source System, Source ID, Source Type, Metadata Version, Metadata`).
 * Its key within an integration is (entityType, sourceType, sourceId).
 */
export const Entity = Schema.Struct({
  app: Schema.optionalKey(Schema.String),
  name: NonBlankString,
  entityType: EntityType,
  sourceSystem: NonBlankString,
  sourceId: NonBlankString,
  sourceType: NonBlankString,
  metadataVersion: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(JsonObject)
}).annotate({ identifier: "Entity", description: "An identity, connection or resource read from a source system" })
export type Entity = typeof Entity.Type

/** The stable key of an entity inside one integration's snapshot. */
export const entityKey = (e: Pick<Entity, "entityType" | "sourceType" | "sourceId">): string =>
  `${e.entityType}\u0000${e.sourceType}\u0000${e.sourceId}`
