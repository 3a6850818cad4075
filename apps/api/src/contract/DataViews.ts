import { Entity, EntityType } from "@idconnect/schemas/Entity"
import { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Schema from "effect/Schema"
import { Limit } from "./Page.ts"

export const EntityPage = Schema.Struct({
  items: Schema.Array(Entity),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "EntityPage" })

export const RelationPage = Schema.Struct({
  items: Schema.Array(EntityRelation),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "EntityRelationPage" })

export const EntityQuery = Schema.Struct({
  entityType: Schema.optionalKey(EntityType),
  sourceType: Schema.optionalKey(Schema.String),
  search: Schema.optionalKey(Schema.String).annotate({ description: "Case-insensitive substring of the name" }),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})

export const RelationQuery = Schema.Struct({
  parentSourceId: Schema.optionalKey(Schema.String),
  entitySourceId: Schema.optionalKey(Schema.String),
  privilegeName: Schema.optionalKey(Schema.String),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})

/** An entity named by its key, with its name when the snapshot has it. */
export const EntityRef = Schema.Struct({
  entityType: EntityType,
  sourceType: Schema.optionalKey(Schema.String),
  sourceId: Schema.String,
  name: Schema.NullOr(Schema.String)
}).annotate({ identifier: "EntityRef" })

/** One thing an identity can reach: directly held, or inherited through the entities on `path`. */
export const EffectiveGrant = Schema.Struct({
  target: EntityRef,
  privilegeName: Schema.String,
  kind: Schema.Literals(["direct", "inherited"]),
  path: Schema.Array(Schema.String).annotate({
    description: "Source ids from the identity to the target, both ends included (a group chain for inherited access)"
  })
}).annotate({ identifier: "EffectiveGrant" })

export const EffectiveAccess = Schema.Struct({
  identity: EntityRef,
  grants: Schema.Array(EffectiveGrant),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "EffectiveAccess" })

export const EffectiveAccessQuery = Schema.Struct({
  sourceId: Schema.String.annotate({ description: "The identity's source id (e.g. the Entra user object id)" }),
  sourceType: Schema.optionalKey(Schema.String).annotate({ description: "The identity's source type (user, servicePrincipal); needed only when ids collide" }),
  kind: Schema.optionalKey(Schema.Literals(["direct", "inherited"])),
  privilegeName: Schema.optionalKey(Schema.String),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})

/** Who holds a group, role or app role, directly or through nesting. */
export const Holder = Schema.Struct({
  identity: EntityRef,
  privilegeName: Schema.String,
  kind: Schema.Literals(["direct", "inherited"]),
  path: Schema.Array(Schema.String)
}).annotate({ identifier: "Holder" })

export const Holders = Schema.Struct({
  target: EntityRef,
  holders: Schema.Array(Holder),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Holders" })

export const HoldersQuery = Schema.Struct({
  sourceId: Schema.String.annotate({ description: "The source id of the group, role, app role or resource" }),
  entityType: Schema.optionalKey(EntityType).annotate({ description: "Default: connection" }),
  sourceType: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.Literals(["direct", "inherited"])),
  privilegeName: Schema.optionalKey(Schema.String),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})

/** A grant in a diff: who (identity), what (target), which privilege, and how it is held. */
export const EffectiveAccessItem = Schema.Struct({
  identity: Schema.Struct({ sourceType: Schema.optionalKey(Schema.String), sourceId: Schema.String }),
  target: Schema.Struct({ entityType: EntityType, sourceType: Schema.optionalKey(Schema.String), sourceId: Schema.String }),
  privilegeName: Schema.String,
  kind: Schema.Literals(["direct", "inherited"]),
  path: Schema.Array(Schema.String)
}).annotate({ identifier: "EffectiveAccessItem" })

/** One section of a diff: items capped at `limit` per change kind; counts are always complete. */
const DiffSection = <S extends Schema.Top>(item: S, identifier: string) =>
  Schema.Struct({
    added: Schema.Array(item),
    removed: Schema.Array(item),
    changed: Schema.Array(Schema.Struct({ before: item, after: item })),
    counts: Schema.Struct({ added: Schema.Int, removed: Schema.Int, changed: Schema.Int }),
    truncated: Schema.Boolean
  }).annotate({ identifier })

const SnapshotPoint = Schema.Struct({ runId: Schema.String, seq: Schema.Int })

/** What changed between two runs' snapshots of one integration (from -> to). */
export const SnapshotDiff = Schema.Struct({
  integrationId: Schema.String,
  from: SnapshotPoint,
  to: SnapshotPoint,
  entities: DiffSection(Entity, "EntityChanges"),
  relations: DiffSection(EntityRelation, "EntityRelationChanges"),
  effectiveAccess: DiffSection(EffectiveAccessItem, "EffectiveAccessChanges")
}).annotate({ identifier: "SnapshotDiff" })

export const DiffQuery = Schema.Struct({
  from: Schema.String.annotate({ description: "The earlier run id" }),
  to: Schema.optionalKey(Schema.String).annotate({ description: "The later run id (default: the published snapshot's run)" }),
  limit: Schema.optionalKey(Limit.annotate({ description: "Items listed per change kind, 1 to 1000 (default 100); counts are complete" }))
})

export const ExportQuery = Schema.Struct({
  format: Schema.optionalKey(Schema.Literals(["upload", "download"])).annotate({
    description: "upload (default): the columns the upload API accepts, so an export re-imports as is; download: with BRN, Timestamp and Integration"
  })
})
