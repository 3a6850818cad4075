import { SinkError, type ExtractionSink, type SinkBatch } from "@idconnect/core/ExtractionSink"
import type { Checkpoint, RunProgress, RunWarning } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, writeSync } from "node:fs"
import { writeCheckpointFile } from "./CheckpointFile.ts"

/** One NDJSON line per record: `{"type":"entity",...}`, `{"type":"relation",...}`, `{"type":"deletion",...}`. */
export const ndjsonLines = (batch: SinkBatch): string => {
  let text = ""
  for (const e of batch.entities) text += JSON.stringify({ type: "entity", ...e }) + "\n"
  for (const r of batch.relations) text += JSON.stringify({ type: "relation", ...r }) + "\n"
  for (const { _tag: _, ...d } of batch.deletions) text += JSON.stringify({ type: "deletion", ...d }) + "\n"
  return text
}

export interface NdjsonSinkOptions {
  /** A file path, or undefined for stdout. */
  readonly outPath: string | undefined
  readonly stdout: (text: string) => void
  /** When resuming: the length of the output file the checkpoint covers; the rest is cut off. */
  readonly resumeAtBytes: number | undefined
  readonly checkpointFile: string | undefined
  /** The checkpoint a resumed run starts from (re-saved as completed if nothing new comes). */
  readonly resumedFrom: Checkpoint | undefined
  readonly plugin: string
  readonly mode: string
  readonly onProgress: (progress: RunProgress) => void
  readonly onWarning: (warning: RunWarning) => void
}

const fail = (message: string) => (cause: unknown) =>
  new SinkError({ message: `${message}: ${(cause as Error).message}`, retryable: false, cause })

/**
 * The CLI's `ExtractionSink`: records go to an NDJSON file (or stdout), and after every committed
 * batch the checkpoint file is replaced atomically, recording how many bytes of output the
 * checkpoint covers. Data is fsynced before the checkpoint names it, so after a crash the
 * checkpoint never claims data that is not on disk, and a resume cuts off what came after it.
 */
export const openNdjsonSink = (options: NdjsonSinkOptions): Effect.Effect<{ readonly sink: ExtractionSink; readonly close: () => void; readonly bytes: () => number }, SinkError> =>
  Effect.try({
    try: () => {
      const { outPath } = options
      const resume = outPath !== undefined && options.resumeAtBytes !== undefined && existsSync(outPath)
      const fd = outPath === undefined ? undefined : openSync(outPath, resume ? "r+" : "w")
      let position = 0
      if (fd !== undefined && resume) {
        ftruncateSync(fd, options.resumeAtBytes)
        position = options.resumeAtBytes ?? 0
      }
      let lastCheckpoint: Checkpoint | undefined = options.resumedFrom
      const saveCheckpoint = (checkpoint: Checkpoint, completed: boolean) => {
        if (options.checkpointFile === undefined) return
        writeCheckpointFile(options.checkpointFile, {
          plugin: options.plugin,
          mode: options.mode,
          checkpoint,
          ...(fd === undefined ? {} : { outBytes: position }),
          completed,
          savedAt: new Date().toISOString()
        })
      }
      const sink: ExtractionSink = {
        begin: () => Effect.void,
        write: (batch, checkpoint) =>
          Effect.try({
            try: () => {
              const text = ndjsonLines(batch)
              if (fd === undefined) options.stdout(text)
              else if (text.length > 0) position += writeSync(fd, text, position, "utf8")
              if (checkpoint !== undefined) {
                if (fd !== undefined) fsyncSync(fd)
                lastCheckpoint = checkpoint
                saveCheckpoint(checkpoint, false)
              }
            },
            catch: fail(`cannot write ${outPath ?? "stdout"}`)
          }),
        warning: (w) => Effect.sync(() => options.onWarning(w)),
        progress: (p) => Effect.sync(() => options.onProgress(p)),
        complete: () =>
          Effect.try({
            try: () => {
              if (fd !== undefined) fsyncSync(fd)
              if (lastCheckpoint !== undefined) saveCheckpoint(lastCheckpoint, true)
            },
            catch: fail("cannot finish the output")
          })
      }
      return { sink, close: () => fd !== undefined && closeSync(fd), bytes: () => position }
    },
    catch: fail(`cannot open ${options.outPath ?? "stdout"}`)
  })
