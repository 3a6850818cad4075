import { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { SinkError } from "@idconnect/core/ExtractionSink"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import { installedPlugins } from "@idconnect/plugin-catalog/InstalledPlugins"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { parseCliArgs } from "./CliArgs.ts"
import type { CliCommand } from "./CliCommand.ts"
import { UsageError } from "./CliError.ts"
import type { CliIo } from "./CliIo.ts"
import { commands as defaultCommands } from "./Commands.ts"
import { ExitCode } from "./ExitCode.ts"

const COMMON = ["plugin", "mode", "config", "out", "checkpoint", "operation", "help"]

const help = (commands: ReadonlyArray<CliCommand>) =>
  [
    "Usage: connector <verb> [options]     (npm run connector -- <verb> ...)",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    "",
    "Options: --plugin <id>  --mode <direct|scim|csv|bulk> (default: the plugin's first)  --config <file.json>",
    "         --out <file.ndjson>  --checkpoint <file.json>  --operation <file.json>  --help",
    "Secrets may come from the environment (e.g. AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET for entra).",
    "Exit codes: 0 ok, 2 usage, 3 config, 4 transient (run again), 5 system (a bug), 130 interrupted.",
    ""
  ].join("\n")

/** Prints a failure for humans on stderr and picks its exit code. */
const report = (io: CliIo, error: unknown): ExitCode => {
  if (error instanceof UsageError) {
    io.stderr(`connector: ${error.message}\nRun 'connector --help' for usage.\n`)
    return ExitCode.usage
  }
  if (error instanceof ConnectorError) {
    const r = error.reason as Record<string, unknown>
    const details = ["field", "permission", "feature", "target", "fix"]
      .filter((k) => typeof r[k] === "string" && r[k] !== "")
      .map((k) => `\n  ${k}: ${String(r[k])}`)
      .join("")
    io.stderr(`connector: ${error.code} (${error.failureClass}): ${error.message}${details}\n`)
    return ExitCode[error.failureClass]
  }
  if (error instanceof SinkError) {
    io.stderr(`connector: output failed: ${error.message}\n`)
    return ExitCode.system
  }
  io.stderr(`connector: unexpected failure (a bug): ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  return ExitCode.system
}

/**
 * The whole CLI as one Effect that never fails: parses argv, runs the verb, and turns every
 * outcome into an exit code (see `ExitCode.ts`). `main.ts` runs it on the real process; tests
 * and the demo run it in-process with their own io.
 */
export const cliProgram = (
  argv: ReadonlyArray<string>,
  io: CliIo,
  options: { readonly plugins?: ReadonlyArray<ConnectorPlugin>; readonly commands?: ReadonlyArray<CliCommand> } = {}
): Effect.Effect<ExitCode> => {
  const commands = options.commands ?? defaultCommands
  return Effect.gen(function* () {
    const args = yield* parseCliArgs(argv)
    if (args.verb === undefined || args.verb === "help") {
      io.stdout(help(commands))
      return args.verb === undefined && !args.help ? ExitCode.usage : ExitCode.ok
    }
    const command = commands.find((c) => c.name === args.verb)
    if (command === undefined) {
      return yield* new UsageError({ message: `unknown verb '${args.verb}' (verbs: ${commands.map((c) => c.name).join(", ")})` })
    }
    if (args.help) {
      io.stdout(`Usage: connector ${command.name} ${command.usage}\n\n${command.summary}\n`)
      return ExitCode.ok
    }
    const unknown = Object.keys(args.extra).filter((k) => !COMMON.includes(k) && !(command.extraOptions ?? []).includes(k))
    if (unknown.length > 0) return yield* new UsageError({ message: `${command.name}: unknown option --${unknown[0]}` })
    const registry = PluginRegistry.make(options.plugins ?? installedPlugins)
    return yield* command.run({ args, io, registry })
  }).pipe(
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.interrupt
      const failure = cause.reasons.find((r) => r._tag === "Fail")
      const die = cause.reasons.find((r) => r._tag === "Die")
      const error = failure !== undefined && "error" in failure ? failure.error : die !== undefined && "defect" in die ? die.defect : Cause.pretty(cause)
      return Effect.succeed(report(io, error))
    })
  )
}

/** Runs the CLI in-process and resolves with its exit code. */
export const runCli = (argv: ReadonlyArray<string>, io: CliIo, options?: Parameters<typeof cliProgram>[2]): Promise<number> =>
  Effect.runPromise(cliProgram(argv, io, options))
