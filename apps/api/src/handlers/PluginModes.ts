import type { ConnectorPlugin, ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import type { FieldError } from "../contract/Problem.ts"
import { ApiErrors, type ApiError } from "../http/ApiError.ts"
import { requestValidator } from "../http/RequestValidator.ts"

/** The plugin and mode definition an integration names, or a field-level error on `app` / `mode`. */
export const resolveMode = (
  app: string,
  mode: ExtractionMode
): Effect.Effect<{ plugin: ConnectorPlugin; definition: ModeDefinition<unknown> }, ApiError, PluginRegistry> =>
  PluginRegistry.use((registry) => {
    const plugin = registry.find(app)
    if (plugin === undefined) {
      const known = registry.list().map((p) => p.metadata.id)
      return Effect.fail(ApiErrors.validation([{ field: "app", message: `Unknown plugin '${app}'; installed: ${known.join(", ") || "none"}` }]))
    }
    const definition = plugin.modes[mode]
    if (definition === undefined) {
      const modes = Object.keys(plugin.modes).join(", ")
      return Effect.fail(ApiErrors.validation([{ field: "mode", message: `Plugin '${app}' does not support mode '${mode}'; it supports: ${modes}` }]))
    }
    return Effect.succeed({ plugin, definition })
  })

/** Checks a config against the mode's Schema (ajv then the decoder), errors prefixed with `config`. */
export const checkConfig = (definition: ModeDefinition<unknown>, config: unknown): Effect.Effect<unknown, ApiError> => {
  const result = requestValidator.validate(definition.config, config, "config")
  return result.ok ? Effect.succeed(result.value) : Effect.fail(ApiErrors.validation(result.errors as Array<FieldError>))
}
