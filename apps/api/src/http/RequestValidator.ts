import { makeAjvValidator, type AjvIssue, type AjvValidator } from "@idconnect/core/AjvValidation"
import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import type * as Schema from "effect/Schema"
import type { FieldError } from "../contract/Problem.ts"

export type ValidationResult<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly errors: ReadonlyArray<FieldError> }

/**
 * Validates untrusted input in two steps: ajv on the JSON Schema derived from the Effect Schema
 * (it reports every bad field, with a path a UI can highlight), then the Effect decoder, which stays
 * authoritative and produces the decoded value (secrets become `Redacted`). Validators are compiled
 * once per schema.
 */
export interface RequestValidator {
  /** `prefix` places the errors inside a larger input, e.g. `config` for a plugin config. */
  readonly validate: <S extends Schema.Top>(schema: S, input: unknown, prefix?: string) => ValidationResult<S["Type"]>
}

const joinPath = (prefix: string | undefined, path: string): string =>
  prefix === undefined || prefix === "" ? (path === "" ? "(root)" : path) : path === "" ? prefix : `${prefix}.${path}`

/** `/config/tenantId` -> `config.tenantId`. */
const pointerToPath = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".")

const fromAjv = (issues: ReadonlyArray<AjvIssue>, prefix: string | undefined): Array<FieldError> => {
  const seen = new Set<string>()
  const out: Array<FieldError> = []
  for (const issue of issues) {
    // anyOf branches report one error each; one message per field is what a form can show.
    const field = joinPath(prefix, pointerToPath(issue.path))
    if (seen.has(field)) continue
    seen.add(field)
    out.push({ field, message: issue.message })
  }
  return out
}

export const makeRequestValidator = (): RequestValidator => {
  const cache = new WeakMap<object, AjvValidator>()
  const compiled = (schema: Schema.Top): AjvValidator => {
    let v = cache.get(schema)
    if (v === undefined) {
      v = makeAjvValidator(schema)
      cache.set(schema, v)
    }
    return v
  }
  return {
    validate: (schema, input, prefix) => {
      const pre = compiled(schema).validate(input)
      if (!pre.ok) return { ok: false, errors: fromAjv(pre.issues, prefix) }
      const decoded = decodeWithIssues(schema as unknown as Schema.Codec<any, any, never, never>, input)
      if (decoded.ok) return { ok: true, value: decoded.value }
      return { ok: false, errors: decoded.issues.map((i) => ({ field: joinPath(prefix, i.path), message: i.message })) }
    }
  }
}

/** The process-wide validator: compiled validators are cached per schema, so share one. */
export const requestValidator: RequestValidator = makeRequestValidator()
