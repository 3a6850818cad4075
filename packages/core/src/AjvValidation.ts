import { toDraft07 } from "@idconnect/schemas/JsonSchemaExport"
import { Ajv, type ErrorObject } from "ajv"
import addFormats from "ajv-formats"
import type * as Schema from "effect/Schema"

/** One ajv finding, located by a JSON pointer into the input (`/auth/token`, `/0/name`). */
export interface AjvIssue {
  readonly path: string
  readonly keyword: string
  readonly message: string
}

export type AjvResult = { readonly ok: true } | { readonly ok: false; readonly issues: ReadonlyArray<AjvIssue> }

/** A compiled validator for one Effect Schema, plus the derived JSON Schema it checks against. */
export interface AjvValidator {
  readonly jsonSchema: Record<string, unknown>
  readonly validate: (input: unknown) => AjvResult
}

let shared: Ajv | undefined
const ajv = (): Ajv => {
  if (shared === undefined) {
    // strict: false because the derived schemas carry annotation keywords (x-secret, title on $ref).
    shared = new Ajv({ allErrors: true, strict: false })
    addFormats.default(shared)
  }
  return shared
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1")

/** Points at the field at fault: for a missing or excess key that is the key, not its parent object. */
const toIssue = (e: ErrorObject): AjvIssue => {
  const params = e.params as Record<string, unknown>
  const child =
    e.keyword === "required"
      ? params.missingProperty
      : e.keyword === "additionalProperties"
        ? params.additionalProperty
        : undefined
  const path = typeof child === "string" ? `${e.instancePath}/${escapePointer(child)}` : e.instancePath
  const message =
    e.keyword === "additionalProperties" ? "is not an allowed field" : e.keyword === "required" ? "is required" : e.message ?? e.keyword
  return { path, keyword: e.keyword, message }
}

/**
 * Validates JSON input (an API body, a CSV row turned object) against the draft-07 JSON Schema
 * derived from an Effect Schema. Use it at the edges for fast pre-validation with field-level errors;
 * the Effect decoder stays authoritative. Compiles once per call: keep the returned validator.
 *
 * @category validation
 */
export const makeAjvValidator = (schema: Schema.Top): AjvValidator => {
  const jsonSchema = toDraft07(schema)
  const compiled = ajv().compile(jsonSchema)
  return {
    jsonSchema,
    validate: (input) => {
      if (compiled(input)) return { ok: true }
      const seen = new Set<string>()
      const issues: Array<AjvIssue> = []
      for (const e of compiled.errors ?? []) {
        const issue = toIssue(e)
        const key = `${issue.path}\u0000${issue.message}`
        if (!seen.has(key)) {
          seen.add(key)
          issues.push(issue)
        }
      }
      return { ok: false, issues }
    }
  }
}

/** "/auth/token: is required; /extra: is not an allowed field" for error messages. */
export const formatAjvIssues = (issues: ReadonlyArray<AjvIssue>): string =>
  issues.map((i) => `${i.path === "" ? "(root)" : i.path}: ${i.message}`).join("; ")
