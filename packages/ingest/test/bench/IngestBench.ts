// Measures the ingestion engine on a generated upload (written to a temp dir, removed after):
//
//   npx node --conditions=@idconnect/source packages/ingest/test/bench/IngestBench.ts [relations=1000000]
//
// Prints rows/s of the tokenizer alone and of the whole engine (parse, map, ajv + Effect decoder,
// duplicate and reference checks, batches to a counting sink), with CPU seconds next to wall
// seconds (wall time is meaningless on a loaded machine) and the peak RSS while ingesting.
import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import * as Effect from "effect/Effect"
import { createReadStream, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseCsv } from "../../src/CsvParser.ts"
import { fileInput } from "../../src/FileInput.ts"
import { ingestFiles } from "../../src/Ingest.ts"
import { KnownEntities } from "../../src/ReferenceCheck.ts"
import { writeGeneratedUpload } from "../GeneratedUpload.ts"

const relations = Number(process.argv[2] ?? 1_000_000)
const users = 50_000
const groups = Math.ceil(relations / users)
const dir = mkdtempSync(join(tmpdir(), "ingest-bench-"))
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6
const rate = (n: number, s: number) => Math.round(n / s).toLocaleString("en-US")
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

try {
  const files = await writeGeneratedUpload(dir, { users, groups, relations })
  console.log(`relations.csv: ${mb(files.relationsBytes)} MB, ${relations.toLocaleString("en-US")} rows; entities.csv: ${(users + groups).toLocaleString("en-US")} rows`)

  let t = performance.now()
  let c = process.cpuUsage()
  let parsed = 0
  for await (const items of parseCsv(createReadStream(files.relationsPath, { highWaterMark: 256 * 1024 }))) parsed += items.length
  let wall = (performance.now() - t) / 1000
  let cpu = cpuSeconds(process.cpuUsage(c))
  console.log(`tokenizer: ${rate(parsed, wall)} rows/s wall (${wall.toFixed(1)} s), ${rate(parsed, cpu)} rows per CPU-second (${cpu.toFixed(1)} s), ${Math.round(mb(files.relationsBytes) / cpu)} MB per CPU-second`)

  let written = 0
  const sink: ExtractionSink = {
    begin: () => Effect.void,
    write: (b) => Effect.sync(() => void (written += b.entities.length + b.relations.length)),
    warning: () => Effect.void,
    progress: () => Effect.void,
    complete: () => Effect.void
  }
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const timer = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  t = performance.now()
  c = process.cpuUsage()
  const report = await Effect.runPromise(
    ingestFiles({ entities: fileInput(files.entitiesPath), relations: fileInput(files.relationsPath), sink, known: KnownEntities.none })
  )
  wall = (performance.now() - t) / 1000
  cpu = cpuSeconds(process.cpuUsage(c))
  clearInterval(timer)
  const rows = report.entities.read + report.relations.read
  console.log(`engine: ${rate(rows, wall)} rows/s wall (${wall.toFixed(1)} s), ${rate(rows, cpu)} rows per CPU-second (${cpu.toFixed(1)} s); ${written.toLocaleString("en-US")} rows written, ${report.totalErrors} errors`)
  console.log(`RSS: baseline ${mb(baseline)} MB, peak ${mb(peak)} MB while ingesting (growth ${mb(peak - baseline)} MB)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
