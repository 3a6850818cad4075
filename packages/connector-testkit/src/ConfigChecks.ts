import { makeAjvValidator } from "@idconnect/core/AjvValidation"
import { modeConfigJsonSchema } from "@idconnect/core/Capabilities"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { inspect } from "node:util"
import type { Defects } from "./Defects.ts"
import { rootObject } from "./SchemaFields.ts"

type JsonSchema = Record<string, unknown>

/** Whether a property schema is marked secret (`writeOnly` / `x-secret`, possibly under allOf). */
const isMarkedSecret = (property: unknown): boolean => {
  if (property === null || typeof property !== "object") return false
  const p = property as JsonSchema
  if (p.writeOnly === true || p["x-secret"] === true) return true
  return Array.isArray(p.allOf) && p.allOf.some(isMarkedSecret)
}

const decodeOutcome = (plugin: ConnectorPlugin, mode: ExtractionMode, input: unknown) => {
  const def = plugin.modes[mode]!
  return Effect.runSync(Effect.exit(decodeConfig(def.config, input)))
}

/** The `field` a decode failure names, or a defect message when it is not a ConfigInvalid. */
const failureField = (exit: Exit.Exit<unknown, ConnectorError>): { field: string } | { problem: string } => {
  if (Exit.isSuccess(exit)) return { problem: "it was accepted" }
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  const e = error !== undefined && "error" in error ? error.error : undefined
  if (!(e instanceof ConnectorError)) return { problem: `it failed with ${String(exit.cause)} instead of a ConnectorError` }
  if (e.reason._tag !== "ConfigInvalid") return { problem: `it failed with ${e.code} instead of ConfigInvalid` }
  return { field: e.reason.field }
}

const names = (field: string, key: string) => field === key || field.startsWith(`${key}.`)

/**
 * Config and spec cases for one mode, derived from the mode's Schema and (when given) a valid raw
 * config: the JSON Schema compiles in ajv and marks the secret fields; an empty config and a
 * non-object are config errors naming a field; for the valid config, dropping a required key,
 * giving any key a wrong type, or adding an unknown key is a ConfigInvalid naming that key, and
 * ajv rejects the same inputs; decoded secrets never print.
 */
export const checkConfigCases = (
  plugin: ConnectorPlugin,
  mode: ExtractionMode,
  valid?: Record<string, unknown>
): Defects => {
  const defects: Array<string> = []
  const def = plugin.modes[mode]
  if (def === undefined) return [`mode ${mode} is not supported by plugin ${plugin.metadata.id}`]
  const jsonSchema = modeConfigJsonSchema(plugin, mode)
  const root = rootObject(jsonSchema)
  const properties = (root.properties ?? {}) as Record<string, unknown>
  const required = (root.required ?? []) as ReadonlyArray<string>
  let ajv: ReturnType<typeof makeAjvValidator> | undefined
  try {
    ajv = makeAjvValidator(def.config)
  } catch (e) {
    defects.push(`${mode}: the derived JSON Schema does not compile in ajv: ${(e as Error).message}`)
  }

  for (const secret of def.secretFields) {
    const top = secret.split(".")[0]!
    if (!(top in properties)) defects.push(`${mode}: secret field '${secret}' is not a field of the config schema`)
    else if (!secret.includes(".") && !isMarkedSecret(properties[top])) {
      defects.push(`${mode}: secret field '${secret}' is not marked writeOnly/x-secret in the JSON Schema: use Secret from @idconnect/schemas/ModeConfig`)
    }
  }

  const expectRejected = (label: string, input: unknown, key: string | undefined) => {
    const outcome = failureField(decodeOutcome(plugin, mode, input))
    if ("problem" in outcome) defects.push(`${mode}: ${label}: expected a ConfigInvalid error${key === undefined ? "" : ` naming '${key}'`}, but ${outcome.problem}`)
    else if (key !== undefined && !names(outcome.field, key)) {
      defects.push(`${mode}: ${label}: the error names '${outcome.field}' instead of '${key}'`)
    }
    if (ajv !== undefined && ajv.validate(input).ok) defects.push(`${mode}: ${label}: ajv accepts what the decoder must reject`)
  }

  if (required.length > 0) {
    const outcome = failureField(decodeOutcome(plugin, mode, {}))
    if ("problem" in outcome) defects.push(`${mode}: empty config: expected a ConfigInvalid error, but ${outcome.problem}`)
    else if (!required.some((k) => names(outcome.field, k))) {
      defects.push(`${mode}: empty config: the error names '${outcome.field}', not one of the required fields ${required.join(", ")}`)
    }
  }
  for (const notObject of [null, "config", 42, []]) {
    const outcome = failureField(decodeOutcome(plugin, mode, notObject))
    if ("problem" in outcome) defects.push(`${mode}: config ${JSON.stringify(notObject)}: expected a ConfigInvalid error, but ${outcome.problem}`)
  }

  if (valid !== undefined) {
    const accepted = decodeOutcome(plugin, mode, valid)
    if (Exit.isFailure(accepted)) {
      defects.push(`${mode}: the valid config given to the kit does not decode: ${String(accepted.cause)}`)
      return defects
    }
    if (ajv !== undefined) {
      const result = ajv.validate(valid)
      if (!result.ok) defects.push(`${mode}: ajv rejects the valid config: ${result.issues.map((i) => `${i.path} ${i.message}`).join("; ")}`)
    }
    const printed = inspect(accepted.value, { depth: 10 }) + JSON.stringify(accepted.value)
    for (const secret of def.secretFields) {
      const raw = secret.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], valid)
      if (typeof raw === "string" && raw.length >= 4 && printed.includes(raw)) {
        defects.push(`${mode}: the decoded config prints the secret '${secret}': decode it as Redacted (Secret)`)
      }
    }
    for (const key of Object.keys(valid)) {
      const { [key]: _dropped, ...without } = valid
      if (required.includes(key)) expectRejected(`config without required '${key}'`, without, key)
      const wrong = typeof valid[key] === "number" ? "not-a-number" : 12345
      expectRejected(`config with '${key}' of the wrong type`, { ...valid, [key]: wrong }, key)
    }
    expectRejected("config with an unknown field", { ...valid, unexpectedSetting: true }, "unexpectedSetting")
  }
  return defects
}
