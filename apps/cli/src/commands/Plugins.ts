import { deriveCapabilities } from "@idconnect/core/Capabilities"
import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode } from "../ExitCode.ts"

/** `connector plugins`: the installed plugins and their derived capabilities, as JSON. */
export const pluginsCommand: CliCommand = {
  name: "plugins",
  summary: "List the installed plugins with their modes and capabilities (JSON)",
  usage: "",
  run: (ctx) =>
    Effect.sync(() => {
      const list = ctx.registry.list().map((plugin) => ({ ...deriveCapabilities(plugin), description: plugin.metadata.description }))
      ctx.io.stdout(JSON.stringify(list, null, 2) + "\n")
      return ExitCode.ok
    })
}
