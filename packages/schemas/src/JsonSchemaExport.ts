import * as JsonSchema from "effect/JsonSchema"
import * as Schema from "effect/Schema"

/**
 * Derives a draft-07 JSON Schema (what ajv validates and UIs render) from an Effect Schema, so the
 * two are never written twice. Excess properties are errors, matching the strict decoders at edges.
 * The JSON Schema is pre-validation; the Effect decoder stays authoritative.
 */
export const toDraft07 = (schema: Schema.Top): Record<string, unknown> => {
  const doc = JsonSchema.toDocumentDraft07(Schema.toJsonSchemaDocument(schema, {
      onExcessProperty: "error",
      includeAnnotationKey: (key) => key.startsWith("x-")
    }))
  const out: Record<string, unknown> = { $schema: "http://json-schema.org/draft-07/schema#", ...(doc.schema as object) }
  if (Object.keys(doc.definitions).length > 0) out.definitions = doc.definitions
  return out
}
