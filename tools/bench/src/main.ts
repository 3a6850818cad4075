import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parseBenchArgs, resultsBaseName, unusedBaseName, USAGE } from "./BenchArgs.ts"
import type { BenchContext, LargeTenantStore } from "./BenchContext.ts"
import { openBenchPostgres } from "./BenchPostgres.ts"
import { LoadMonitor, machineInfo } from "./Machine.ts"
import { type BenchReport, renderConsoleTable, renderMarkdown, type ScenarioReport } from "./Report.ts"
import { runApiReads } from "./scenarios/ApiReads.ts"
import { runBulkIngest } from "./scenarios/BulkIngest.ts"
import { runCsvIngest } from "./scenarios/CsvIngest.ts"
import { runEntraScenarios } from "./scenarios/EntraExtraction.ts"

// `npm run bench [-- --only 1,3 --runs 3]`: runs the scenarios, prints the table on stdout (progress
// on stderr) and writes tools/bench/results/<date>.json and .md. Not part of `npm test`.

const TITLES: Record<number, string> = {
  1: "Full Entra extraction, large tenant",
  2: "Incremental Entra sync after 1% change",
  3: "CSV ingest into PostgreSQL",
  4: "Bulk API ingest over loopback HTTP",
  5: "API reads on the large tenant's data"
}

const failed = (id: number, startedAt: number, error: unknown): ScenarioReport => ({
  id,
  title: TITLES[id]!,
  status: "failed",
  durationMs: performance.now() - startedAt,
  figures: [],
  method: [],
  findings: [],
  error: error instanceof Error ? error.message : String(error)
})

const main = async () => {
  let args
  try {
    args = parseBenchArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`)
    process.exit(2)
  }
  if (args.help) {
    console.log(USAGE)
    return
  }
  const startedAt = new Date()
  // Taken before anything starts: the load of other work alone.
  const monitor = new LoadMonitor()
  const t0 = performance.now()
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`)
  const postgres = await openBenchPostgres()
  log(`PostgreSQL from ${postgres.source} (${postgres.version})`)
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), "idconnect-bench-"))
  const ctx: BenchContext = {
    args,
    postgres,
    tempDir,
    encryptionKey: randomBytes(32).toString("base64"),
    runsFor: (defaultRuns) => args.runs ?? (args.quick ? 1 : defaultRuns),
    log
  }
  const reports: Array<ScenarioReport> = []
  const only = new Set(args.only)
  // Each scenario's reports, with the machine's load while it ran.
  const record = (mark: number, ...done: ReadonlyArray<ScenarioReport>) => {
    const load = monitor.since(mark)
    for (const r of done) reports.push({ ...r, load })
  }
  try {
    let store: LargeTenantStore | undefined
    if (only.has(1) || only.has(2) || only.has(5)) {
      const s = performance.now()
      const mark = monitor.mark()
      try {
        const entra = await runEntraScenarios(ctx, { full: only.has(1), incremental: only.has(2), store: only.has(5) })
        record(mark, ...entra.reports)
        store = entra.store
      } catch (e) {
        log(`scenario 1/2 failed: ${(e as Error).stack ?? String(e)}`)
        record(mark, ...[1, 2].filter((id) => only.has(id as 1 | 2)).map((id) => failed(id, s, e)))
      }
    }
    if (only.has(3)) {
      const s = performance.now()
      const mark = monitor.mark()
      record(mark, await runCsvIngest(ctx).catch((e) => (log(`scenario 3 failed: ${(e as Error).stack}`), failed(3, s, e))))
    }
    if (only.has(4)) {
      const s = performance.now()
      const mark = monitor.mark()
      record(mark, await runBulkIngest(ctx).catch((e) => (log(`scenario 4 failed: ${(e as Error).stack}`), failed(4, s, e))))
    }
    if (only.has(5)) {
      const s = performance.now()
      const mark = monitor.mark()
      record(
        mark,
        store === undefined
          ? failed(5, s, new Error("no large-tenant data: the full sync of scenario 1 did not complete"))
          : await runApiReads(ctx, store).catch((e) => (log(`scenario 5 failed: ${(e as Error).stack}`), failed(5, s, e)))
      )
    }
  } finally {
    monitor.stop()
    const kept = await postgres.close(args.keepTemp).catch((e) => (log(`could not drop the bench databases: ${String(e)}`), []))
    for (const url of kept) log(`kept database ${url}`)
    if (!args.keepTemp) await fs.rm(tempDir, { recursive: true, force: true })
    else log(`kept ${tempDir}`)
  }

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - t0,
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    machine: machineInfo(postgres.version, monitor),
    scenarios: reports.sort((a, b) => a.id - b.id)
  }
  const outDir = args.outDir ?? fileURLToPath(new URL("../results", import.meta.url))
  await fs.mkdir(outDir, { recursive: true })
  const base = await unusedBaseName(path.join(outDir, resultsBaseName(startedAt, args.only, args.quick)), (file) =>
    fs.stat(file).then(() => true, () => false)
  )
  await fs.writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`)
  await fs.writeFile(`${base}.md`, renderMarkdown(report))
  console.log(renderConsoleTable(report.scenarios))
  log(`finished in ${((performance.now() - t0) / 60_000).toFixed(1)} min; wrote ${base}.json and ${base}.md`)
  if (reports.some((r) => r.status === "failed")) process.exitCode = 1
}

await main()
