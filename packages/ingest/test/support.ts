import { makeMemorySink } from "@idconnect/core/MemorySink"
import * as Effect from "effect/Effect"
import { fileInput } from "../src/FileInput.ts"
import { ingestFiles, type IngestInput, type IngestOptions } from "../src/Ingest.ts"
import { KnownEntities } from "../src/ReferenceCheck.ts"

/** A committed fixture file as an upload input; errors name it by its base name. */
export const fixture = (name: string): IngestInput => fileInput(new URL(`./fixtures/${name}`, import.meta.url).pathname)

/** An upload input from text held in memory, cut into small chunks to exercise chunk boundaries. */
export const textInput = (name: string, text: string, format: "csv" | "ndjson" = "csv"): IngestInput => ({
  name,
  format,
  open: () => {
    const bytes = new TextEncoder().encode(text)
    const chunks: Array<Uint8Array> = []
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7))
    return chunks
  }
})

/** Runs an ingestion into a fresh memory sink; returns the report and what the sink holds. */
export const ingestToMemory = (options: Omit<IngestOptions, "sink" | "known"> & { readonly known?: IngestOptions["known"] }) =>
  Effect.gen(function* () {
    const { sink, state } = makeMemorySink()
    const report = yield* ingestFiles({ known: KnownEntities.none, ...options, sink })
    return { report, state }
  })
