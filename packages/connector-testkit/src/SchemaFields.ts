import { toDraft07 } from "@idconnect/schemas/JsonSchemaExport"
import type * as Schema from "effect/Schema"

type JsonSchema = Record<string, unknown>

/** The object schema at the top of a derived JSON Schema (following a root `$ref`). */
export const rootObject = (schema: JsonSchema): JsonSchema => {
  const ref = schema.$ref
  if (typeof ref === "string" && ref.startsWith("#/definitions/")) {
    const defs = (schema.definitions ?? {}) as Record<string, JsonSchema>
    return defs[ref.slice("#/definitions/".length)] ?? {}
  }
  return schema
}

/** The required top-level fields of a struct Schema, read from its derived JSON Schema. */
export const requiredFields = (schema: Schema.Top): ReadonlyArray<string> =>
  (rootObject(toDraft07(schema)).required ?? []) as ReadonlyArray<string>
