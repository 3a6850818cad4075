import { modeConfigJsonSchema } from "@idconnect/core/Capabilities"
import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { selectPluginMode } from "../PluginSelection.ts"

/** `connector spec`: the JSON Schema (draft-07) of a mode's config, derived from its Effect Schema. */
export const specCommand: CliCommand = {
  name: "spec",
  summary: "Print the JSON Schema of a mode's config (what --config must contain)",
  usage: "--plugin <id> [--mode <mode>]",
  run: (ctx) =>
    Effect.map(selectPluginMode(ctx), ({ plugin, mode }) => {
      ctx.io.stdout(JSON.stringify(modeConfigJsonSchema(plugin, mode), null, 2) + "\n")
      return ExitCode.ok
    })
}
