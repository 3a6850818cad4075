import * as Schema from "effect/Schema"
import { JsonObject, NonBlankString } from "./Common.ts"
import { EntityType } from "./Entity.ts"

/**
 * Relation metadata the platform understands. `privilegeName` says what the parent holds
 * (member, owner, roleAssignment, roleEligibility, appRoleAssignment, grant, ...), `privilegeValue`
 * false is an explicit deny. Other keys are kept as given.
 */
export const RelationMetadata = Schema.StructWithRest(
  Schema.Struct({
    privilegeName: Schema.optionalKey(Schema.String),
    privilegeValue: Schema.optionalKey(Schema.Boolean),
    connectionType: Schema.optionalKey(Schema.String),
    scope: Schema.optionalKey(Schema.String),
    assignmentKind: Schema.optionalKey(Schema.Literals(["active", "eligible"])),
    startDateTime: Schema.optionalKey(Schema.NullOr(Schema.String)),
    endDateTime: Schema.optionalKey(Schema.NullOr(Schema.String))
  }),
  [JsonObject]
)
export type RelationMetadata = typeof RelationMetadata.Type

/**
 * "Parent holds child": an identity is a member of a group, a group holds an app role, a role
 * grants access to a resource. Compatible with the BalkanID Entity Relations CSV
 * (`App, Parent Entity Source ID, Parent Entity Type, Entity Source ID, Entity Type, Source System,
 * Metadata Version, Metadata`). The optional source types disambiguate ids that are not globally
 * unique; connectors always set them.
 */
export const EntityRelation = Schema.Struct({
  app: Schema.optionalKey(Schema.String),
  parentSourceId: NonBlankString,
  parentEntityType: EntityType,
  parentSourceType: Schema.optionalKey(Schema.String),
  entitySourceId: NonBlankString,
  entityType: EntityType,
  entitySourceType: Schema.optionalKey(Schema.String),
  sourceSystem: Schema.optionalKey(Schema.String),
  metadataVersion: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(RelationMetadata)
}).annotate({ identifier: "EntityRelation", description: "Parent entity holds (has access to) the child entity" })
export type EntityRelation = typeof EntityRelation.Type

/** The stable key of a relation inside one snapshot: both ends plus the privilege. */
export const relationKey = (r: EntityRelation): string =>
  [
    r.parentEntityType,
    r.parentSourceType ?? "",
    r.parentSourceId,
    r.entityType,
    r.entitySourceType ?? "",
    r.entitySourceId,
    r.metadata?.privilegeName ?? "",
    r.metadata?.scope ?? ""
  ].join("\u0000")
