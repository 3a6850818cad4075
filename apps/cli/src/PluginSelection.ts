import { pluginModes, type ConnectorPlugin, type LifecycleCapability, type ModeDefinition, type ReadCapability } from "@idconnect/core/ConnectorPlugin"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import type { CommandContext } from "./CliCommand.ts"
import { UsageError } from "./CliError.ts"

export interface Selection {
  readonly plugin: ConnectorPlugin
  readonly mode: ExtractionMode
  readonly definition: ModeDefinition<unknown>
}

/** The plugin named by `--plugin` and the mode named by `--mode` (default: its first mode). */
export const selectPluginMode = (ctx: CommandContext): Effect.Effect<Selection, UsageError> =>
  Effect.gen(function* () {
    const known = ctx.registry.list().map((p) => p.metadata.id).join(", ")
    const id = ctx.args.plugin
    if (id === undefined) return yield* new UsageError({ message: `--plugin is required (installed: ${known})` })
    const plugin = ctx.registry.find(id)
    if (plugin === undefined) return yield* new UsageError({ message: `--plugin: unknown plugin '${id}' (installed: ${known})` })
    const modes = pluginModes(plugin)
    const mode = (ctx.args.mode ?? modes[0]) as ExtractionMode
    const definition = plugin.modes[mode]
    if (definition === undefined) {
      return yield* new UsageError({ message: `--mode: plugin '${id}' has no mode '${mode}' (modes: ${modes.join(", ")})` })
    }
    return { plugin, mode, definition }
  })

export const requireRead = (s: Selection): Effect.Effect<ReadCapability<unknown>, UsageError> =>
  s.definition.read === undefined
    ? Effect.fail(
        new UsageError({
          message: `--mode: ${s.mode} data is pushed by the customer and ingested by the platform; check/discover/extract need a pull mode (${pluginModes(s.plugin).filter((m) => s.plugin.modes[m]?.read).join(", ") || "none"})`
        })
      )
    : Effect.succeed(s.definition.read)

export const requireLifecycle = (s: Selection): Effect.Effect<LifecycleCapability<unknown>, UsageError> =>
  s.definition.lifecycle === undefined
    ? Effect.fail(new UsageError({ message: `--mode: plugin '${s.plugin.metadata.id}' mode '${s.mode}' has no lifecycle operations` }))
    : Effect.succeed(s.definition.lifecycle)
