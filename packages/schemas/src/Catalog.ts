import * as Schema from "effect/Schema"
import { EntityType } from "./Entity.ts"

/** The entity and relation types a plugin can emit, and the streams that produce them. */
export const Catalog = Schema.Struct({
  entityTypes: Schema.Array(
    Schema.Struct({ entityType: EntityType, sourceType: Schema.String, description: Schema.String })
  ),
  relationTypes: Schema.Array(
    Schema.Struct({
      privilegeName: Schema.String,
      parentEntityType: EntityType,
      parentSourceTypes: Schema.Array(Schema.String),
      entityType: EntityType,
      entitySourceTypes: Schema.Array(Schema.String),
      description: Schema.String
    })
  ),
  streams: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      description: Schema.String,
      incremental: Schema.Boolean,
      requires: Schema.Array(Schema.String)
    })
  )
}).annotate({ identifier: "Catalog" })
export type Catalog = typeof Catalog.Type
