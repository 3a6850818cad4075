import type { BareCopyInput } from "../children/BareCopyChild.ts"
import type { CsvIngestInput, CsvIngestOutput } from "../children/CsvIngestChild.ts"
import type { BareCopyResult } from "../baselines/BareCopy.ts"
import type { BenchContext } from "../BenchContext.ts"
import { runChild } from "../ChildProcess.ts"
import { DEFAULT_CSV_SIZE, QUICK_CSV_SIZE, writeCsvDataset } from "../inputs/CsvDataset.ts"
import { figure, type ScenarioReport } from "../Report.ts"
import { formatNumber, median, mib } from "../Stats.ts"

/**
 * Scenario 3: ingest an upload of 100k entities and 1M relations (CSV, generated at bench time)
 * into PostgreSQL as the worker does, next to PostgreSQL's COPY of the same files into bare tables.
 */

const INGEST_CHILD = new URL("../children/CsvIngestChild.ts", import.meta.url)
const COPY_CHILD = new URL("../children/BareCopyChild.ts", import.meta.url)
const DEFAULT_RUNS = 3
const TIMEOUT_MS = 20 * 60_000

export const runCsvIngest = async (ctx: BenchContext): Promise<ScenarioReport> => {
  const started = performance.now()
  const runs = ctx.runsFor(DEFAULT_RUNS)
  const size = ctx.args.quick ? QUICK_CSV_SIZE : DEFAULT_CSV_SIZE
  ctx.log(`scenario 3: generating the CSV upload (${formatNumber(size.users + size.groups + size.roles + size.applications)} entities)`)
  const data = await writeCsvDataset(ctx.tempDir, size)
  const rows = data.entities + data.relations
  const ours: Array<{ output: CsvIngestOutput; maxRssMb: number }> = []
  const copies: Array<BareCopyResult> = []
  for (let i = 0; i < runs; i++) {
    ctx.log(`scenario 3: our ingest #${i + 1}/${runs}`)
    const databaseUrl = await ctx.postgres.createDatabase("csv")
    const out = await runChild<CsvIngestOutput>(
      INGEST_CHILD,
      { databaseUrl, encryptionKey: ctx.encryptionKey, entitiesFile: data.entitiesFile, relationsFile: data.relationsFile } satisfies CsvIngestInput,
      { label: `csv ingest #${i + 1}`, timeoutMs: TIMEOUT_MS }
    )
    ours.push({ output: out.result, maxRssMb: out.maxRssKb / 1024 })
    ctx.log(`  ${formatNumber(out.result.totalMs / 1000)} s (ingest ${formatNumber(out.result.ingestMs / 1000)} s, publish ${formatNumber(out.result.publishMs / 1000)} s), peak RSS ${formatNumber(out.maxRssKb / 1024)} MB`)
    ctx.log(`scenario 3: COPY baseline #${i + 1}/${runs}`)
    const copyDb = await ctx.postgres.createDatabase("copy")
    const copy = await runChild<BareCopyResult>(COPY_CHILD, { databaseUrl: copyDb, files: [data.entitiesFile, data.relationsFile] } satisfies BareCopyInput, {
      label: `copy #${i + 1}`,
      timeoutMs: TIMEOUT_MS
    })
    if (copy.result.rows !== rows) throw new Error(`COPY loaded ${copy.result.rows} rows, expected ${rows}`)
    copies.push(copy.result)
    ctx.log(`  ${formatNumber(copy.result.ms / 1000)} s`)
  }
  const perSecond = (ms: number) => rows / (ms / 1000)
  const published = ours[0]!.output.published
  return {
    id: 3,
    title: "CSV ingest into PostgreSQL",
    status: "ok",
    durationMs: performance.now() - started,
    figures: [
      figure({
        metric: "rows/s, upload to published (end to end)",
        unit: "rows/s",
        ours: ours.map((r) => perSecond(r.output.totalMs)),
        baseline: { label: "COPY, bare table", runs: copies.map((c) => perSecond(c.ms)) },
        ratio: "ours/baseline"
      }),
      figure({
        metric: "rows/s, parse + validate + stage only",
        unit: "rows/s",
        ours: ours.map((r) => perSecond(r.output.ingestMs)),
        baseline: { label: "COPY, bare table", runs: copies.map((c) => perSecond(c.ms)) },
        ratio: "ours/baseline"
      }),
      figure({ metric: "  publish (snapshot + effective access)", unit: "s", ours: ours.map((r) => r.output.publishMs / 1000) }),
      figure({ metric: "peak RSS of the ingesting process", unit: "MB", ours: ours.map((r) => r.maxRssMb) })
    ],
    method: [
      `Input: ${formatNumber(data.entities)} entities and ${formatNumber(data.relations)} relations (${formatNumber(mib(data.bytes))} MiB of CSV in the BalkanID upload format), generated with a fixed seed in a temp dir: ${formatNumber(size.users)} users, ${formatNumber(size.groups)} groups (a quarter top-level, the rest nested two levels deep), ${formatNumber(size.roles)} roles, ${formatNumber(size.applications)} applications; ${formatNumber(size.groupsPerUser)} group memberships per user, nested memberships, ${formatNumber(size.grants)} role and app role assignments.`,
      "Ours: packages/ingest `ingestFiles` (streaming CSV parse, ajv + Schema row validation, duplicate and reference checks, strict mode) into the store's sink on PostgreSQL (COPY into staging per 5,000-row batch), then the publish (snapshot swap and effective-access rebuild), for a new csv-mode integration in a fresh database, in a child process (peak RSS).",
      "Baseline: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same two files through pg-copy-streams into bare tables (text columns, no keys or indexes), in a fresh database and its own process.",
      `rows/s = (entities + relations) / wall time. The first run published ${formatNumber(published?.entities.opened ?? 0)} entities, ${formatNumber(published?.relations.opened ?? 0)} relations and ${formatNumber(published?.effectiveAccess.opened ?? 0)} effective-access rows. Median COPY time ${formatNumber(median(copies.map((c) => c.ms)) / 1000)} s.`
    ],
    findings: (() => {
      const publish = median(ours.map((r) => r.output.publishMs))
      const total = median(ours.map((r) => r.output.totalMs))
      return publish / total > 0.5
        ? [`The publish took ${formatNumber(publish / 1000)} s of the ${formatNumber(total / 1000)} s end to end (${Math.round((publish / total) * 100)}%); parsing, validating and staging the ${formatNumber(rows)} rows took the rest.`]
        : []
    })()
  }
}
