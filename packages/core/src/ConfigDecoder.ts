import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { ConnectorErrors, type ConnectorError } from "./ConnectorError.ts"

/** One problem with an input, located by a JSON-pointer-like path (`auth.token`, `tenantId`). */
export interface FieldIssue {
  readonly path: string
  readonly message: string
}

/**
 * Decodes untrusted input (a config file, an API body) with the authoritative Effect decoder and
 * reports every problem with the field it is about. Excess properties are errors.
 */
export const decodeWithIssues = <A>(
  schema: Schema.Codec<A, any, never, never>,
  input: unknown
): { readonly ok: true; readonly value: A } | { readonly ok: false; readonly issues: ReadonlyArray<FieldIssue> } => {
  const exit = Schema.decodeUnknownExit(schema, { onExcessProperty: "error", errors: "all" })(input)
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const issues: Array<FieldIssue> = []
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  const issue = error !== undefined && "error" in error ? (error.error as Schema.SchemaError).issue : undefined
  if (issue === undefined) return { ok: false, issues: [{ path: "", message: String(exit.cause) }] }
  const formatted = SchemaIssue.makeFormatterStandardSchemaV1()(issue)
  for (const i of formatted.issues) {
    const path = (i.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? String(p.key) : String(p))).join(".")
    issues.push({ path, message: i.message })
  }
  return { ok: false, issues }
}

/** Decodes a plugin mode config, failing with a `ConfigInvalid` error naming the first bad field. */
export const decodeConfig = <A>(schema: Schema.Codec<A, any, never, never>, input: unknown): Effect.Effect<A, ConnectorError> => {
  const result = decodeWithIssues(schema, input)
  if (result.ok) return Effect.succeed(result.value)
  const first = result.issues[0]
  const all = result.issues.map((i) => `${i.path === "" ? "(root)" : i.path}: ${i.message}`).join("; ")
  return Effect.fail(ConnectorErrors.configInvalid({ field: first?.path ?? "", message: `Invalid configuration: ${all}` }))
}
