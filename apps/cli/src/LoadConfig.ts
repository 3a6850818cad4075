import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { trustCaFile } from "@idconnect/core/TrustCa"
import * as Effect from "effect/Effect"
import { readFile } from "node:fs/promises"
import { dirname, isAbsolute, resolve } from "node:path"
import type { CliIo } from "./CliIo.ts"
import { UsageError } from "./CliError.ts"
import { envFallbacks } from "./EnvFallbacks.ts"
import type { Selection } from "./PluginSelection.ts"

/**
 * Builds a mode's config the way operators expect: the `--config` JSON file (the flat mode config
 * the schemas define), then missing fields from the standard environment variables, then a strict
 * decode that names every bad field (exit 3). A relative `caFile` is relative to the config file;
 * when present, the process trusts that CA for all its HTTPS calls.
 */
export const loadModeConfig = Effect.fn("Cli.loadModeConfig")(function* (
  io: CliIo,
  selection: Selection,
  file: string | undefined
): Effect.fn.Return<unknown, UsageError | ConnectorError> {
  let raw: Record<string, unknown> = {}
  let baseDir = io.cwd
  if (file !== undefined) {
    const path = resolve(io.cwd, file)
    baseDir = dirname(path)
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => new UsageError({ message: `--config: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` })
    })
    const parsed = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => ConnectorErrors.configInvalid({ field: "", message: `--config ${file} is not valid JSON: ${(e as Error).message}` })
    })
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return yield* ConnectorErrors.configInvalid({ field: "", message: `--config ${file} must hold a JSON object (the ${selection.mode} mode config)` })
    }
    raw = { ...(parsed as Record<string, unknown>) }
  }
  const fallbacks = envFallbacks[selection.plugin.metadata.id]?.[selection.mode] ?? {}
  for (const [field, variable] of Object.entries(fallbacks)) {
    const value = io.env[variable]
    if (raw[field] === undefined && value !== undefined && value !== "") raw[field] = value
  }
  if (typeof raw.caFile === "string" && !isAbsolute(raw.caFile)) raw.caFile = resolve(baseDir, raw.caFile)
  const config = yield* decodeConfig(selection.definition.config, raw)
  if (typeof raw.caFile === "string") yield* trustCaFile(raw.caFile)
  return config
})
