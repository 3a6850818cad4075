import { makeAjvValidator, type AjvIssue } from "@idconnect/core/AjvValidation"
import { Entity } from "@idconnect/schemas/Entity"
import { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type { CellProblem } from "./CsvColumns.ts"

/**
 * Validates candidate records (from a CSV row or an NDJSON line) against the shared schemas.
 * ajv (core's `makeAjvValidator`, compiled once from the JSON Schema derived from the Effect
 * Schema) gives fast, field-located findings, which become sentences about a column here; the
 * Effect decoder then decides, as everywhere in the platform. `columnOf` maps a record field to
 * the CSV column name (or keeps the field name for NDJSON).
 */
export type RowValidator<A> = (
  candidate: unknown,
  columnOf: (field: string) => string
) => { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problems: ReadonlyArray<CellProblem> }

export const makeRowValidator = <A>(schema: Schema.Codec<A, any, never, never>): RowValidator<A> => {
  const ajv = makeAjvValidator(schema)
  // ajv has already rejected excess properties (the JSON Schema says additionalProperties: false),
  // so the decoder runs with its cheaper defaults; it still re-checks every field.
  const decode = Schema.decodeUnknownExit(schema)
  return (candidate, columnOf) => {
    const checked = ajv.validate(candidate)
    if (!checked.ok) return { ok: false, problems: checked.issues.map((i) => fromAjv(i, candidate, ajv.jsonSchema, columnOf)) }
    const exit = decode(candidate)
    if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
    return { ok: false, problems: fromDecoder(exit, columnOf) }
  }
}

/** Validates an Entity. */
export const validateEntity: RowValidator<Entity> = makeRowValidator(Entity)
/** Validates an EntityRelation. */
export const validateRelation: RowValidator<EntityRelation> = makeRowValidator(EntityRelation)

const describe = (value: unknown): string => (typeof value === "string" ? `"${value}"` : JSON.stringify(value))

const unescape = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~")

type JsonSchemaNode = { readonly $ref?: string; readonly properties?: Record<string, JsonSchemaNode>; readonly enum?: ReadonlyArray<unknown> }

/** The JSON Schema node at a property path (following `#/definitions/...` refs), for enum values. */
const nodeAt = (root: Record<string, unknown>, segments: ReadonlyArray<string>): JsonSchemaNode | undefined => {
  const definitions = (root.definitions ?? {}) as Record<string, JsonSchemaNode>
  const deref = (node: JsonSchemaNode | undefined) =>
    node?.$ref?.startsWith("#/definitions/") === true ? definitions[node.$ref.slice("#/definitions/".length)] : node
  let node = deref(root as JsonSchemaNode)
  for (const segment of segments) node = deref(node?.properties?.[segment])
  return node
}

const valueAt = (input: unknown, segments: ReadonlyArray<string>): unknown => {
  let value = input
  for (const segment of segments) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined
  return value
}

/** An ajv finding as a sentence about a column: `Entity Type must be one of identity, ... (got "user")`. */
const fromAjv = (
  issue: AjvIssue,
  candidate: unknown,
  jsonSchema: Record<string, unknown>,
  columnOf: (field: string) => string
): CellProblem => {
  const segments = issue.path.split("/").slice(1).map(unescape)
  if (segments.length === 0) return { column: "", reason: `the record ${issue.message}` }
  const column = columnOf(segments[0])
  const inner = segments.slice(1).join(".")
  const subject = inner.length === 0 ? column : `${column} field "${inner}"`
  const got = ` (got ${describe(valueAt(candidate, segments))})`
  switch (issue.keyword) {
    case "additionalProperties":
      return { column: inner.length === 0 ? segments[0] : column, reason: inner.length === 0 ? `unknown field "${segments[0]}"` : `${subject} is not an allowed field` }
    case "required":
      return { column, reason: `${subject} is required` }
    case "enum": {
      const allowed = nodeAt(jsonSchema, segments)?.enum
      return { column, reason: `${subject} must be ${allowed === undefined ? "one of the allowed values" : `one of ${allowed.join(", ")}`}${got}` }
    }
    case "pattern":
      return { column, reason: `${subject} must not be blank` }
    case "type":
      return { column, reason: `${subject} ${issue.message.replace(/^must be object$/, "must be a JSON object").replace(/^must be (string|boolean|number|integer|array|null)$/, "must be a $1")}${got}` }
    default:
      return { column, reason: `${subject} ${issue.message}${got}` }
  }
}
const fromDecoder = (exit: Exit.Exit<unknown, Schema.SchemaError>, columnOf: (field: string) => string): Array<CellProblem> => {
  const failure = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
  if (failure === undefined || !("error" in failure)) return [{ column: "", reason: "the record is invalid" }]
  const issue = (failure.error as Schema.SchemaError).issue
  return SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues.map((i) => {
    const path = (i.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? String(p.key) : String(p)))
    const column = path.length > 0 ? columnOf(path[0]) : ""
    const inner = path.slice(1).join(".")
    return { column, reason: `${inner.length > 0 ? `${column} field "${inner}"` : column || "the record"}: ${i.message}` }
  })
}
