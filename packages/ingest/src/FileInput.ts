import { createReadStream } from "node:fs"
import { basename, extname } from "node:path"
import type { IngestInput } from "./Ingest.ts"

/** The format a file name suggests: `.ndjson`/`.jsonl` are NDJSON, anything else CSV. */
export const formatOfPath = (path: string): "csv" | "ndjson" =>
  [".ndjson", ".jsonl"].includes(extname(path).toLowerCase()) ? "ndjson" : "csv"

/**
 * An upload input read from a local file, streamed in 256 KiB chunks. Errors name the file by its
 * base name unless `name` says otherwise.
 */
export const fileInput = (path: string, options: { readonly format?: "csv" | "ndjson"; readonly name?: string } = {}): IngestInput => ({
  name: options.name ?? basename(path),
  format: options.format ?? formatOfPath(path),
  open: () => createReadStream(path, { highWaterMark: 256 * 1024 })
})
