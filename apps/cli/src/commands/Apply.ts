import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode, exitCodeForClass } from "../ExitCode.ts"
import { loadModeConfig } from "../LoadConfig.ts"
import { readOperationFile } from "../OperationFile.ts"
import { requireLifecycle, selectPluginMode } from "../PluginSelection.ts"

/**
 * `connector apply`: applies lifecycle operations (idempotent: a rerun reports no-op) and prints
 * the results as JSON. Exits with the failure class of the first failed operation, if any.
 */
export const applyCommand: CliCommand = {
  name: "apply",
  summary: "Apply lifecycle operations idempotently (results JSON); exit code from the first failure",
  usage: "--plugin <id> [--mode <mode>] [--config <file>] --operation <file.json>",
  run: (ctx) =>
    Effect.gen(function* () {
      const selection = yield* selectPluginMode(ctx)
      const lifecycle = yield* requireLifecycle(selection)
      const operations = yield* readOperationFile(ctx.io, ctx.args.operation)
      const config = yield* loadModeConfig(ctx.io, selection, ctx.args.config)
      const results = yield* lifecycle.apply(config, operations)
      ctx.io.stdout(JSON.stringify(results, null, 2) + "\n")
      for (const r of results) ctx.io.stderr(`${r.status.padEnd(7)} ${r.id} ${r.operation}: ${r.message}\n`)
      const failed = results.find((r) => r.status === "failed")
      if (failed === undefined) return ExitCode.ok
      const failureClass = failed.error?.failureClass
      return failureClass === "config" || failureClass === "transient" || failureClass === "system" ? exitCodeForClass(failureClass) : ExitCode.system
    })
}
