import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { SinkError } from "@idconnect/core/ExtractionSink"
import type { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type * as Effect from "effect/Effect"
import type { CliArgs } from "./CliArgs.ts"
import type { UsageError } from "./CliError.ts"
import type { CliIo } from "./CliIo.ts"
import type { ExitCode } from "./ExitCode.ts"

/** What a command gets: the parsed command line, the process's io, and the installed plugins. */
export interface CommandContext {
  readonly args: CliArgs
  readonly io: CliIo
  readonly registry: PluginRegistry["Service"]
}

/**
 * One `connector <verb>`. Machine output goes to `io.stdout`, humans read `io.stderr`. A command
 * returns its exit code, or fails and the CLI maps the failure to one (see `ExitCode.ts`).
 * Register new commands in `Commands.ts`.
 */
export interface CliCommand {
  readonly name: string
  readonly summary: string
  /** The options line shown by `connector <verb> --help`, e.g. "--plugin <id> [--out <file>]". */
  readonly usage: string
  /** Extra `--options` this command accepts besides the common ones. */
  readonly extraOptions?: ReadonlyArray<string>
  readonly run: (ctx: CommandContext) => Effect.Effect<ExitCode, UsageError | ConnectorError | SinkError>
}
