import { assert, describe, it } from "@effect/vitest"
import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import * as Effect from "effect/Effect"
import { createReadStream, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseCsv } from "../src/CsvParser.ts"
import { fileInput } from "../src/FileInput.ts"
import { ingestFiles } from "../src/Ingest.ts"
import { KnownEntities } from "../src/ReferenceCheck.ts"
import { writeGeneratedUpload } from "./GeneratedUpload.ts"

// A generated upload of 1,000,000 relations (about 200 MB) over 50,000 users and 20 groups,
// written to a temp dir by the test and removed after. It asserts correctness and a generous
// memory bound; speed and peak memory are printed, not asserted.
const USERS = 50_000
const GROUPS = 20
const RELATIONS = 1_000_000

/** A sink that only counts, so the measurement is the engine's memory, not the data's. */
const countingSink = () => {
  const counts = { entities: 0, relations: 0, writes: 0, completed: false }
  const sink: ExtractionSink = {
    begin: () => Effect.void,
    write: (batch) =>
      Effect.sync(() => {
        counts.entities += batch.entities.length
        counts.relations += batch.relations.length
        counts.writes++
      }),
    warning: () => Effect.void,
    progress: () => Effect.void,
    complete: () => Effect.sync(() => void (counts.completed = true))
  }
  return { sink, counts }
}

/** Samples RSS while `run` goes; returns its result and the peak seen. */
const withPeakRss = async <A>(run: () => Promise<A>) => {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  try {
    const value = await run()
    return { value, peak: Math.max(peak, process.memoryUsage().rss) }
  } finally {
    clearInterval(timer)
  }
}

/** User + system CPU time; unlike wall time it hardly changes when other processes load the machine. */
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

describe("ingest at scale", () => {
  it("ingests a generated 1M-row relations file with bounded memory", { timeout: 900_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ingest-1m-"))
    try {
      const { entitiesPath, relationsPath, relationsBytes: fileBytes } = await writeGeneratedUpload(dir, { users: USERS, groups: GROUPS, relations: RELATIONS })

      // The whole engine: parse, map, ajv + decoder, duplicate and reference checks, batching.
      const { sink, counts } = countingSink()
      const baseline = process.memoryUsage().rss
      const started = performance.now()
      const cpu = process.cpuUsage()
      const { value: report, peak } = await withPeakRss(() =>
        Effect.runPromise(ingestFiles({ entities: fileInput(entitiesPath), relations: fileInput(relationsPath), sink, known: KnownEntities.none }))
      )
      const seconds = (performance.now() - started) / 1000
      const engineCpuSeconds = cpuSeconds(process.cpuUsage(cpu))
      const rows = USERS + GROUPS + RELATIONS

      // The tokenizer alone.
      const parseStart = performance.now()
      const parseCpu = process.cpuUsage()
      let parsedRows = 0
      for await (const items of parseCsv(createReadStream(relationsPath, { highWaterMark: 256 * 1024 }))) parsedRows += items.length
      const parseSeconds = (performance.now() - parseStart) / 1000
      const parseCpuSeconds = cpuSeconds(process.cpuUsage(parseCpu))
      assert.strictEqual(parsedRows, RELATIONS + 1)

      console.log(
        [
          `ingest 1M: relations file ${mb(fileBytes)} MB (${RELATIONS.toLocaleString("en-US")} rows) + ${(USERS + GROUPS).toLocaleString("en-US")} entities`,
          `  full ingest: ${seconds.toFixed(1)} s wall, ${Math.round(rows / seconds).toLocaleString("en-US")} rows/s; ${engineCpuSeconds.toFixed(1)} s CPU, ${Math.round(rows / engineCpuSeconds).toLocaleString("en-US")} rows per CPU-second`,
          `  tokenizer only: ${parseSeconds.toFixed(1)} s wall, ${Math.round(parsedRows / parseSeconds).toLocaleString("en-US")} rows/s; ${parseCpuSeconds.toFixed(1)} s CPU, ${Math.round(parsedRows / parseCpuSeconds).toLocaleString("en-US")} rows per CPU-second (${Math.round(fileBytes / 1024 / 1024 / parseCpuSeconds)} MB per CPU-second)`,
          `  RSS: baseline ${mb(baseline)} MB, peak ${mb(peak)} MB, growth ${mb(peak - baseline)} MB; process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`
        ].join("\n")
      )

      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(report.totalErrors, 0)
      assert.isTrue(report.published)
      assert.deepStrictEqual(report.entities, { read: USERS + GROUPS, accepted: USERS + GROUPS, rejected: 0 })
      assert.deepStrictEqual(report.relations, { read: RELATIONS, accepted: RELATIONS, rejected: 0 })
      assert.strictEqual(counts.entities, USERS + GROUPS)
      assert.strictEqual(counts.relations, RELATIONS)
      assert.isTrue(counts.completed)
      // The file never sits in memory: growth stays well below what holding the rows would take.
      assert.isBelow(peak - baseline, 400 * 1024 * 1024, "RSS growth while ingesting a 200 MB file")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
