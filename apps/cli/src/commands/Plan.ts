import * as Effect from "effect/Effect"
import type { CliCommand } from "../CliCommand.ts"
import { ExitCode } from "../ExitCode.ts"
import { loadModeConfig } from "../LoadConfig.ts"
import { readOperationFile } from "../OperationFile.ts"
import { requireLifecycle, selectPluginMode } from "../PluginSelection.ts"

/** `connector plan`: a dry run of lifecycle operations (Plan JSON); exit 3 when blocked. */
export const planCommand: CliCommand = {
  name: "plan",
  summary: "Dry-run lifecycle operations: current state, exact calls, no-op or change (Plan JSON); exit 3 when blocked",
  usage: "--plugin <id> [--mode <mode>] [--config <file>] --operation <file.json>",
  run: (ctx) =>
    Effect.gen(function* () {
      const selection = yield* selectPluginMode(ctx)
      const lifecycle = yield* requireLifecycle(selection)
      const operations = yield* readOperationFile(ctx.io, ctx.args.operation)
      const config = yield* loadModeConfig(ctx.io, selection, ctx.args.config)
      const plan = yield* lifecycle.plan(config, operations)
      ctx.io.stdout(JSON.stringify(plan, null, 2) + "\n")
      for (const p of plan.operations) {
        ctx.io.stderr(`${p.outcome.padEnd(7)} ${p.id} ${p.operation}: ${p.summary}${p.blockers.map((b) => `\n        blocked: ${b.message}${b.fix === undefined ? "" : ` (fix: ${b.fix})`}`).join("")}\n`)
      }
      return plan.blocked ? ExitCode.config : ExitCode.ok
    })
}
