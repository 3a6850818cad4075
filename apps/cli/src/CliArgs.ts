import * as Effect from "effect/Effect"
import { parseArgs } from "node:util"
import { UsageError } from "./CliError.ts"

/** The parsed command line: `connector <verb> [options]`. */
export interface CliArgs {
  readonly verb: string | undefined
  readonly plugin: string | undefined
  readonly mode: string | undefined
  readonly config: string | undefined
  readonly out: string | undefined
  readonly checkpoint: string | undefined
  readonly operation: string | undefined
  /** Files or other arguments after the verb (commands that take them read them from here). */
  readonly positionals: ReadonlyArray<string>
  /** Options only some commands know (e.g. ingest's); `--name value` or `--flag`. */
  readonly extra: Readonly<Record<string, string | boolean>>
  readonly help: boolean
}

const KNOWN = {
  plugin: { type: "string", short: "p" },
  mode: { type: "string", short: "m" },
  config: { type: "string", short: "c" },
  out: { type: "string", short: "o" },
  checkpoint: { type: "string" },
  operation: { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

/**
 * Parses argv (without the node and script paths). Unknown `--options` are kept in `extra` so a
 * command can accept its own; each command rejects the ones it does not know.
 */
export const parseCliArgs = (argv: ReadonlyArray<string>): Effect.Effect<CliArgs, UsageError> =>
  Effect.try({
    try: () => {
      const { values, positionals, tokens } = parseArgs({ args: [...argv], options: KNOWN, allowPositionals: true, strict: false, tokens: true })
      const extra: Record<string, string | boolean> = {}
      for (const token of tokens ?? []) {
        if (token.kind === "option" && !(token.name in KNOWN)) extra[token.name] = token.value ?? true
      }
      for (const name of ["plugin", "mode", "config", "out", "checkpoint", "operation"] as const) {
        if (values[name] === true) throw new Error(`--${name} needs a value`)
      }
      const text = (v: unknown) => (typeof v === "string" ? v : undefined)
      return {
        verb: positionals[0],
        plugin: text(values.plugin),
        mode: text(values.mode),
        config: text(values.config),
        out: text(values.out),
        checkpoint: text(values.checkpoint),
        operation: text(values.operation),
        positionals: positionals.slice(1),
        extra,
        help: values.help === true
      }
    },
    catch: (e) => new UsageError({ message: (e as Error).message })
  })
