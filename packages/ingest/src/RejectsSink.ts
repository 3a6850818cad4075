import { SinkError } from "@idconnect/core/ExtractionSink"
import * as Effect from "effect/Effect"
import { once } from "node:events"
import { createWriteStream, type WriteStream } from "node:fs"

/** Which input a rejected row came from. */
export type RejectsKind = "entities" | "relations"

/**
 * Where best-effort ingestion writes the rows it rejected, so the uploader can download, fix and
 * upload them again. Rows arrive as text already formatted by the ingester (CSV rows with an
 * `Error` column, or NDJSON lines), one `write` per row or header.
 */
export interface RejectsSink {
  readonly write: (kind: RejectsKind, text: string) => Effect.Effect<void, SinkError>
  /** Flushes and closes; returns where each kind went (e.g. file paths), for the report. */
  readonly close: () => Effect.Effect<Partial<Record<RejectsKind, string>>, SinkError>
}

/** Keeps rejects in memory: for tests and small uploads. */
export const makeMemoryRejectsSink = (): { readonly sink: RejectsSink; readonly texts: Record<RejectsKind, Array<string>> } => {
  const texts: Record<RejectsKind, Array<string>> = { entities: [], relations: [] }
  return {
    texts,
    sink: {
      write: (kind, text) => Effect.sync(() => void texts[kind].push(text)),
      close: () => Effect.succeed({ entities: "memory:entities", relations: "memory:relations" })
    }
  }
}

/**
 * Writes rejects to files, one per kind, created on the first reject of that kind (no reject, no
 * file). Honours back-pressure, so a file of a million rejects streams to disk.
 */
export const makeFileRejectsSink = (paths: Record<RejectsKind, string>): RejectsSink => {
  const streams = new Map<RejectsKind, WriteStream>()
  const fail = (message: string) => (cause: unknown) => new SinkError({ message, retryable: false, cause })
  return {
    write: (kind, text) =>
      Effect.tryPromise({
        try: async () => {
          let stream = streams.get(kind)
          if (stream === undefined) {
            stream = createWriteStream(paths[kind])
            streams.set(kind, stream)
          }
          if (!stream.write(text)) await once(stream, "drain")
        },
        catch: fail(`Could not write the rejects file ${paths[kind]}`)
      }),
    close: () =>
      Effect.tryPromise({
        try: async () => {
          const written: Partial<Record<RejectsKind, string>> = {}
          for (const [kind, stream] of streams) {
            stream.end()
            await once(stream, "finish")
            written[kind] = paths[kind]
          }
          return written
        },
        catch: fail("Could not close the rejects files")
      })
  }
}
