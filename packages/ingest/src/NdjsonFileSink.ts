import { type ExtractionSink, SinkError } from "@idconnect/core/ExtractionSink"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import * as Effect from "effect/Effect"
import { once } from "node:events"
import { createWriteStream, type WriteStream } from "node:fs"
import { rename, rm } from "node:fs/promises"

/**
 * An `ExtractionSink` that writes NDJSON in the extract-output shape (`{"_tag":"syncMode",...}`,
 * then `{"_tag":"entity","entity":{...}}` / `{"_tag":"relation",...}` lines), which `ingest`
 * reads back. It writes to `<path>.partial` and renames it to `path` on `complete()`, so like the
 * store it publishes all or nothing: an upload that is not published leaves no output file.
 * `discard()` removes the partial file (call it when the run ends unpublished).
 */
export const makeNdjsonFileSink = (path: string): ExtractionSink & { readonly discard: () => Effect.Effect<void> } => {
  const partial = `${path}.partial`
  let stream: WriteStream | undefined
  const fail = (message: string) => (cause: unknown) => new SinkError({ message, retryable: false, cause })
  const writeLines = (records: ReadonlyArray<ExtractRecord>) =>
    Effect.tryPromise({
      try: async () => {
        stream ??= createWriteStream(partial)
        let text = ""
        for (const r of records) text += `${JSON.stringify(r)}\n`
        if (!stream.write(text)) await once(stream, "drain")
      },
      catch: fail(`Could not write ${partial}`)
    })
  return {
    begin: (mode) => writeLines([{ _tag: "syncMode", mode }]),
    write: (batch) =>
      writeLines([
        ...batch.entities.map((entity): ExtractRecord => ({ _tag: "entity", entity })),
        ...batch.relations.map((relation): ExtractRecord => ({ _tag: "relation", relation })),
        ...batch.deletions
      ]),
    warning: (warning) => writeLines([{ _tag: "warning", warning }]),
    progress: () => Effect.void,
    complete: () =>
      Effect.tryPromise({
        try: async () => {
          stream ??= createWriteStream(partial)
          stream.end()
          await once(stream, "finish")
          await rename(partial, path)
        },
        catch: fail(`Could not complete ${path}`)
      }),
    discard: () =>
      Effect.promise(async () => {
        if (stream !== undefined && !stream.closed) {
          stream.end()
          await once(stream, "close")
        }
        await rm(partial, { force: true })
      })
  }
}
