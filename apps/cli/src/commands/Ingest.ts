import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import { fileInput, formatOfPath } from "@idconnect/ingest/FileInput"
import { ingestFiles, type IngestInput, type IngestReport } from "@idconnect/ingest/Ingest"
import { formatRowIssue } from "@idconnect/ingest/IngestErrors"
import { makeNdjsonFileSink } from "@idconnect/ingest/NdjsonFileSink"
import { KnownEntities } from "@idconnect/ingest/ReferenceCheck"
import { makeFileRejectsSink } from "@idconnect/ingest/RejectsSink"
import * as Effect from "effect/Effect"
import { statSync } from "node:fs"
import { basename, extname, join, resolve } from "node:path"
import type { CliArgs } from "../CliArgs.ts"
import type { CliCommand } from "../CliCommand.ts"
import { UsageError } from "../CliError.ts"
import { ExitCode } from "../ExitCode.ts"
import { makeProgressReporter } from "../Progress.ts"

const VALUE_OPTIONS = ["entities", "relations", "max-errors", "rejects", "format"] as const
const FLAG_OPTIONS = ["best-effort"] as const

/**
 * The ingest options, whether written `--entities a.csv` or `--entities=a.csv`. The shared
 * argument parser keeps a command's own options as flags and their separate values as
 * positionals, in command-line order; this pairs them back up.
 */
const ingestOptions = (args: CliArgs): Effect.Effect<Record<string, string | true>, UsageError> =>
  Effect.gen(function* () {
    const values = [...args.positionals]
    const options: Record<string, string | true> = {}
    for (const [name, value] of Object.entries(args.extra)) {
      if ((FLAG_OPTIONS as ReadonlyArray<string>).includes(name)) {
        if (value !== true) return yield* new UsageError({ message: `ingest: --${name} takes no value` })
        options[name] = true
      } else if ((VALUE_OPTIONS as ReadonlyArray<string>).includes(name)) {
        const given = value === true ? values.shift() : value
        if (typeof given !== "string" || given === "") return yield* new UsageError({ message: `ingest: --${name} needs a value` })
        options[name] = given
      }
    }
    if (values.length > 0) return yield* new UsageError({ message: `ingest: unexpected argument '${values[0]}'` })
    return options
  })

/** An input file named by an option, checked to exist before anything is read. */
const inputFile = (cwd: string, option: string, path: string, format: "csv" | "ndjson" | undefined, mode: string): Effect.Effect<IngestInput, UsageError> =>
  Effect.gen(function* () {
    const full = resolve(cwd, path)
    const isFile = yield* Effect.try({ try: () => statSync(full).isFile(), catch: () => new UsageError({ message: `--${option}: no such file ${path}` }) })
    if (!isFile) return yield* new UsageError({ message: `--${option}: ${path} is not a file` })
    const chosen = format ?? (mode === "csv" ? "csv" : formatOfPath(full))
    if (mode === "csv" && chosen === "ndjson") {
      return yield* new UsageError({ message: `--${option}: --mode csv reads CSV files; use --mode bulk for NDJSON (${path})` })
    }
    return fileInput(full, { format: chosen, name: path })
  })

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

const summary = (report: IngestReport): string =>
  [
    `Entities: ${plural(report.entities.read, "row")} read, ${report.entities.accepted.toLocaleString("en-US")} valid, ${report.entities.rejected.toLocaleString("en-US")} invalid`,
    `Relations: ${plural(report.relations.read, "row")} read, ${report.relations.accepted.toLocaleString("en-US")} valid, ${report.relations.rejected.toLocaleString("en-US")} invalid`
  ].join("\n")

/**
 * `connector ingest`: validates (and with --out converts) an Entities CSV and an Entity
 * Relations CSV (or NDJSON with --mode bulk) locally, with the engine the upload API and the
 * worker use, so a customer can check a file before uploading it. No server and no store:
 * relations may only point at entities of the same upload. Each problem is printed as
 * `<file>:<line>:<column>: <reason>` on stderr, the report as JSON on stdout. Exit 0 when every
 * row is valid, 3 when any row is invalid (in best-effort mode too; the valid rows are still
 * written), 2 for usage errors and unreadable files.
 */
export const ingestCommand: CliCommand = {
  name: "ingest",
  summary: "Validate and convert Entities / Entity Relations files locally (CSV, or NDJSON with --mode bulk); exit 3 on any invalid row",
  usage:
    "[--mode csv|bulk] --entities <file> [--relations <file>] [--out <file.ndjson>] [--best-effort] [--rejects <dir>] [--max-errors <n>] [--format csv|ndjson]",
  extraOptions: [...VALUE_OPTIONS, ...FLAG_OPTIONS],
  run: (ctx) =>
    Effect.gen(function* () {
      const { io, args } = ctx
      const options = yield* ingestOptions(args)
      const mode = args.mode ?? "csv"
      if (mode !== "csv" && mode !== "bulk") return yield* new UsageError({ message: `ingest: --mode must be csv or bulk, not '${mode}'` })
      const format = options.format
      if (format !== undefined && format !== "csv" && format !== "ndjson") {
        return yield* new UsageError({ message: `ingest: --format must be csv or ndjson, not '${String(format)}'` })
      }
      const maxErrors = options["max-errors"] === undefined ? 100 : Number(options["max-errors"])
      if (!Number.isInteger(maxErrors) || maxErrors < 0) {
        return yield* new UsageError({ message: `ingest: --max-errors must be a whole number, not '${String(options["max-errors"])}'` })
      }
      const entitiesPath = options.entities
      const relationsPath = options.relations
      if (typeof entitiesPath !== "string" && typeof relationsPath !== "string") {
        return yield* new UsageError({ message: "ingest: give --entities <file> and/or --relations <file>" })
      }
      const entities = typeof entitiesPath === "string" ? yield* inputFile(io.cwd, "entities", entitiesPath, format, mode) : undefined
      const relations = typeof relationsPath === "string" ? yield* inputFile(io.cwd, "relations", relationsPath, format, mode) : undefined

      const bestEffort = options["best-effort"] === true
      const rejectsDir = typeof options.rejects === "string" ? resolve(io.cwd, options.rejects) : undefined
      if (rejectsDir !== undefined && !bestEffort) return yield* new UsageError({ message: "ingest: --rejects only applies with --best-effort" })
      const rejectsName = (input: IngestInput | undefined, fallback: string) => {
        const name = basename(input?.name ?? fallback)
        return join(rejectsDir ?? "", `${basename(name, extname(name))}.rejects${input?.format === "ndjson" ? ".ndjson" : ".csv"}`)
      }
      const rejects =
        rejectsDir === undefined ? undefined : makeFileRejectsSink({ entities: rejectsName(entities, "entities"), relations: rejectsName(relations, "relations") })

      const outPath = args.out === undefined ? undefined : resolve(io.cwd, args.out)
      const out = outPath === undefined ? undefined : makeNdjsonFileSink(outPath)
      const progress = makeProgressReporter(io)
      const sink: ExtractionSink = {
        begin: (m) => out?.begin(m) ?? Effect.void,
        write: (batch, checkpoint) => out?.write(batch, checkpoint) ?? Effect.void,
        warning: (w) => out?.warning(w) ?? Effect.void,
        progress: (p) => Effect.sync(() => progress.update(p)),
        complete: () => out?.complete() ?? Effect.void
      }

      const report = yield* ingestFiles({
        ...(entities === undefined ? {} : { entities }),
        ...(relations === undefined ? {} : { relations }),
        sink,
        known: KnownEntities.none,
        bestEffort,
        maxReportedErrors: maxErrors,
        ...(rejects === undefined ? {} : { rejects })
      }).pipe(
        Effect.mapError((e) => (e._tag === "IngestInputError" ? new UsageError({ message: e.message }) : e)),
        Effect.ensuring(Effect.sync(() => progress.finish())),
        Effect.ensuring(out === undefined ? Effect.void : Effect.suspend(() => out.discard()))
      )

      for (const issue of report.errors) io.stderr(`${formatRowIssue(issue)}\n`)
      if (report.totalErrors > report.errors.length) {
        io.stderr(`... and ${plural(report.totalErrors - report.errors.length, "more error")} (--max-errors ${report.totalErrors} shows them all)\n`)
      }
      io.stderr(`${summary(report)}\n`)
      if (report.rejects !== undefined) io.stderr(`Rejected rows: ${Object.values(report.rejects).join(", ")}\n`)
      if (outPath !== undefined) io.stderr(report.published ? `Wrote ${outPath}\n` : `Nothing written to ${outPath}: ${report.notPublishedReason ?? ""}\n`)
      io.stderr(report.totalErrors === 0 ? "ok: every row is valid\n" : `invalid: ${plural(report.totalErrors, "error")}\n`)
      io.stdout(`${JSON.stringify(report, null, 2)}\n`)
      return report.totalErrors === 0 ? ExitCode.ok : ExitCode.config
    })
}
