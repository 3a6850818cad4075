import { type ExtractionSink, SinkError } from "@idconnect/core/ExtractionSink"
import * as Effect from "effect/Effect"
import { once } from "node:events"
import { createWriteStream, type WriteStream } from "node:fs"
import { rename, rm } from "node:fs/promises"

/**
 * An `ExtractionSink` that writes NDJSON in the shape `connector extract` writes
 * (`{"type":"entity",...fields}`, `{"type":"relation",...fields}`), which `ingest` reads back. It writes to `<path>.partial` and renames it to `path` on `complete()`, so like the
 * store it publishes all or nothing: an upload that is not published leaves no output file.
 * `discard()` removes the partial file (call it when the run ends unpublished).
 */
export const makeNdjsonFileSink = (path: string): ExtractionSink & { readonly discard: () => Effect.Effect<void> } => {
  const partial = `${path}.partial`
  let stream: WriteStream | undefined
  const fail = (message: string) => (cause: unknown) => new SinkError({ message, retryable: false, cause })
  const writeText = (text: string) =>
    Effect.tryPromise({
      try: async () => {
        stream ??= createWriteStream(partial)
        if (!stream.write(text)) await once(stream, "drain")
      },
      catch: fail(`Could not write ${partial}`)
    })
  return {
    begin: () => Effect.void,
    write: (batch) => {
      let text = ""
      for (const e of batch.entities) text += `${JSON.stringify({ type: "entity", ...e })}\n`
      for (const r of batch.relations) text += `${JSON.stringify({ type: "relation", ...r })}\n`
      for (const { _tag: _, ...d } of batch.deletions) text += `${JSON.stringify({ type: "deletion", ...d })}\n`
      return text.length === 0 ? Effect.void : writeText(text)
    },
    warning: () => Effect.void,
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
