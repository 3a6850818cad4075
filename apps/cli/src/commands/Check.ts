import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { loadModeConfig } from "../LoadConfig.ts"
import { requireRead, selectPluginMode } from "../PluginSelection.ts"

/** `connector check`: test the connection; the CheckReport on stdout, a summary on stderr. */
export const checkCommand: CliCommand = {
  name: "check",
  summary: "Test the connection and permissions (CheckReport JSON); exit 3 when it reports Error",
  usage: "--plugin <id> [--mode <mode>] [--config <file>]",
  run: (ctx) =>
    Effect.gen(function* () {
      const selection = yield* selectPluginMode(ctx)
      const read = yield* requireRead(selection)
      const config = yield* loadModeConfig(ctx.io, selection, ctx.args.config)
      const report = yield* read.check(config)
      ctx.io.stdout(JSON.stringify(report, null, 2) + "\n")
      ctx.io.stderr(`check ${report.status === "Connected" ? "ok" : "failed"}: ${report.message}\n`)
      for (const f of report.findings) {
        if (f.severity !== "ok") ctx.io.stderr(`  ${f.severity} ${f.code}: ${f.message}${f.fix === undefined ? "" : ` (fix: ${f.fix})`}\n`)
      }
      return report.status === "Connected" ? ExitCode.ok : ExitCode.config
    })
}
