import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { loadModeConfig } from "../LoadConfig.ts"
import { requireRead, selectPluginMode } from "../PluginSelection.ts"

/** `connector discover`: the entity and relation types the plugin can extract (Catalog JSON). */
export const discoverCommand: CliCommand = {
  name: "discover",
  summary: "Print the catalog of entity and relation types the plugin can extract (JSON)",
  usage: "--plugin <id> [--mode <mode>] [--config <file>]",
  run: (ctx) =>
    Effect.gen(function* () {
      const selection = yield* selectPluginMode(ctx)
      const read = yield* requireRead(selection)
      const config = yield* loadModeConfig(ctx.io, selection, ctx.args.config)
      const catalog = yield* read.discover(config)
      ctx.io.stdout(JSON.stringify(catalog, null, 2) + "\n")
      return ExitCode.ok
    })
}
