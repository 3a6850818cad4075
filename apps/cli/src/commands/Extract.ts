import { runExtraction } from "@idconnect/core/ExtractionRunner"
import * as Effect from "effect/Effect"
import { resolve } from "node:path"
import { readCheckpointFile } from "../CheckpointFile.ts"
import type { CliCommand } from "../CliCommand.ts"
import { UsageError } from "../CliError.ts"
import { ExitCode } from "../ExitCode.ts"
import { loadModeConfig } from "../LoadConfig.ts"
import { openNdjsonSink } from "../NdjsonSink.ts"
import { requireRead, selectPluginMode } from "../PluginSelection.ts"
import { makeProgressReporter } from "../Progress.ts"

/**
 * `connector extract`: runs an extraction through the same runner the worker uses (checkpoints,
 * retries honouring Retry-After) and writes entities and relations as NDJSON. With
 * `--checkpoint <file>`, the latest checkpoint is saved after every committed batch and a rerun
 * resumes from it; once a run completed, the next one starts a full extraction again (or, for a
 * plugin with delta sync, continues incrementally from the final checkpoint).
 */
export const extractCommand: CliCommand = {
  name: "extract",
  summary: "Extract entities and relations as NDJSON (stdout or --out); --checkpoint resumes an interrupted run",
  usage: "--plugin <id> [--mode <mode>] [--config <file>] [--out <file.ndjson>] [--checkpoint <file.json>]",
  run: (ctx) =>
    Effect.gen(function* () {
      const { io, args } = ctx
      const selection = yield* selectPluginMode(ctx)
      const read = yield* requireRead(selection)
      const config = yield* loadModeConfig(io, selection, args.config)
      const id = selection.plugin.metadata.id
      const checkpointFile = args.checkpoint === undefined ? undefined : resolve(io.cwd, args.checkpoint)
      const saved = checkpointFile === undefined ? undefined : yield* readCheckpointFile(checkpointFile, id, selection.mode)
      const incremental = selection.plugin.metadata.features?.deltaSync === "supported"
      const resumeFrom = saved !== undefined && (!saved.completed || incremental) ? saved : undefined
      if (saved !== undefined && resumeFrom === undefined) io.stderr("The previous run completed; starting a full extraction\n")
      if (resumeFrom !== undefined) io.stderr(`Resuming from the checkpoint saved at ${resumeFrom.savedAt}\n`)

      const outPath = args.out === undefined ? undefined : resolve(io.cwd, args.out)
      const progress = makeProgressReporter(io)
      const output = yield* openNdjsonSink({
        outPath,
        stdout: io.stdout,
        resumeAtBytes: resumeFrom?.outBytes,
        checkpointFile,
        resumedFrom: resumeFrom?.checkpoint,
        plugin: id,
        mode: selection.mode,
        onProgress: progress.update,
        onWarning: (w) => io.stderr(`warning ${w.code}${w.stream === undefined ? "" : ` (${w.stream})`}: ${w.message}\n`)
      }).pipe(Effect.mapError((e) => new UsageError({ message: `--out: ${e.message}` })))

      const summary = yield* runExtraction({ read, config, sink: output.sink, checkpoint: resumeFrom?.checkpoint }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            output.close()
            progress.finish()
          })
        )
      )
      io.stderr(
        `Extracted ${summary.entities} entities and ${summary.relations} relations` +
          `${summary.deletions > 0 ? ` and ${summary.deletions} deletions` : ""} (${summary.mode}, ${summary.checkpoints} checkpoints, ` +
          `${summary.attempts} attempt${summary.attempts === 1 ? "" : "s"}, ${summary.warnings.length} warnings` +
          `${summary.usage.requests > 0 ? `; ${summary.usage.requests} requests, ${summary.usage.resourceUnits} resource units, ${summary.usage.throttled} throttled` : ""})` +
          `${outPath === undefined ? "" : ` -> ${outPath}`}\n`
      )
      return ExitCode.ok
    })
}
