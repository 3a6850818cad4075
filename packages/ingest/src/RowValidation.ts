import { Entity } from "@idconnect/schemas/Entity"
import { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { toDraft07 } from "@idconnect/schemas/JsonSchemaExport"
import { Ajv, type ErrorObject } from "ajv"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type { CellProblem } from "./CsvColumns.ts"

/**
 * Validates candidate records (from a CSV row or an NDJSON line) against the shared schemas.
 * ajv, compiled once from the JSON Schema derived from the Effect Schema, gives fast,
 * field-located messages; the Effect decoder then decides, as everywhere in the platform.
 * Problems are named by column (`columnOf` maps a record field to the CSV column name, or keeps
 * the field name for NDJSON).
 *
 * The ajv wiring is local to this package: no shared ajv helper exists in core yet.
 */
export type RowValidator<A> = (
  candidate: unknown,
  columnOf: (field: string) => string
) => { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problems: ReadonlyArray<CellProblem> }

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true })

export const makeRowValidator = <A>(schema: Schema.Codec<A, any, never, never>): RowValidator<A> => {
  const check = ajv.compile(toDraft07(schema))
  // ajv has already rejected excess properties (the JSON Schema says additionalProperties: false),
  // so the decoder runs with its cheaper defaults; it still re-checks every field.
  const decode = Schema.decodeUnknownExit(schema)
  return (candidate, columnOf) => {
    if (!check(candidate)) return { ok: false, problems: (check.errors ?? []).map((e) => fromAjv(e, columnOf)) }
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

/** An ajv error as a sentence about a column: `Entity Type must be one of identity, ... (got "user")`. */
const fromAjv = (e: ErrorObject, columnOf: (field: string) => string): CellProblem => {
  const segments = e.instancePath.split("/").slice(1)
  if (segments.length === 0) {
    if (e.keyword === "required") {
      const column = columnOf(String(e.params.missingProperty))
      return { column, reason: `${column} is required` }
    }
    if (e.keyword === "additionalProperties") {
      const column = String(e.params.additionalProperty)
      return { column, reason: `unknown field "${column}"` }
    }
    return { column: "", reason: `the record ${e.message ?? "is invalid"}` }
  }
  const column = columnOf(segments[0])
  const inner = segments.slice(1).join(".")
  const subject = inner.length === 0 ? column : `${column} field "${inner}"`
  switch (e.keyword) {
    case "enum":
      return {
        column,
        reason: `${subject} must be one of ${(e.params.allowedValues as Array<unknown>).join(", ")} (got ${describe(e.data)})`
      }
    case "pattern":
      return { column, reason: `${subject} must not be blank` }
    case "type":
      return { column, reason: `${subject} must be ${e.params.type === "object" ? "a JSON object" : `a ${e.params.type}`} (got ${describe(e.data)})` }
    case "required":
      return { column, reason: `${subject} is missing "${e.params.missingProperty}"` }
    default:
      return { column, reason: `${subject} ${e.message ?? "is invalid"}` }
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
