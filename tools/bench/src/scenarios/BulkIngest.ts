import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { startApi, startApp } from "../AppProcess.ts"
import type { BareCopyResult } from "../baselines/BareCopy.ts"
import type { BenchContext } from "../BenchContext.ts"
import { runChild } from "../ChildProcess.ts"
import type { BareCopyInput } from "../children/BareCopyChild.ts"
import { DEFAULT_CSV_SIZE, QUICK_CSV_SIZE, writeEntitiesFile } from "../inputs/CsvDataset.ts"
import { figure, type ScenarioReport } from "../Report.ts"
import { formatNumber, mib } from "../Stats.ts"

/**
 * Scenario 4: the bulk API end to end over loopback HTTP, as a customer's upload job drives it:
 * ask for an upload URL, PUT the Entities file (100k entities, CSV), poll the polling URL until
 * the upload is processed; the API and a worker run as their own processes on a fresh database.
 * Baseline: COPY of the same file into a bare table.
 */

const COPY_CHILD = new URL("../children/BareCopyChild.ts", import.meta.url)
const DEFAULT_RUNS = 3
/** The client's polling interval; adds up to this much to the measured time. */
const POLL_MS = 100
const TIMEOUT_MS = 15 * 60_000

interface Call {
  readonly status: number
  readonly json: any
}

const call = async (url: string, init: RequestInit = {}): Promise<Call> => {
  const res = await fetch(url, init)
  const text = await res.text()
  return { status: res.status, json: text !== "" && /json/u.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : undefined }
}

const expect = (what: string, c: Call, status: number): any => {
  if (c.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${c.status}: ${JSON.stringify(c.json).slice(0, 300)}`)
  return c.json
}

export const runBulkIngest = async (ctx: BenchContext): Promise<ScenarioReport> => {
  const started = performance.now()
  const runs = ctx.runsFor(DEFAULT_RUNS)
  const size = ctx.args.quick ? QUICK_CSV_SIZE : DEFAULT_CSV_SIZE
  const dir = path.join(ctx.tempDir, "bulk")
  await fs.mkdir(dir, { recursive: true })
  const data = await writeEntitiesFile(dir, size)
  const body = await fs.readFile(data.file)
  const ours: Array<{ totalMs: number; uploadMs: number; entities: number }> = []
  const copies: Array<BareCopyResult> = []
  for (let i = 0; i < runs; i++) {
    const databaseUrl = await ctx.postgres.createDatabase("bulk")
    const adminToken = randomBytes(16).toString("hex")
    const env = { DATABASE_URL: databaseUrl, IDCONNECT_ENCRYPTION_KEY: ctx.encryptionKey, IDCONNECT_ADMIN_TOKEN: adminToken }
    ctx.log(`scenario 4: starting API and worker (run ${i + 1}/${runs})`)
    const api = await startApi(env)
    const worker = startApp("worker", ["--modes", "bulk", "--concurrency", "1", "--metrics-port", "off", "--no-schedules", "--polling-seconds", "1"], env, "worker")
    try {
      const json = (value: unknown, headers: Record<string, string> = {}) => ({
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(value)
      })
      const created = expect("create tenant", await call(`${api.url}/v1/admin/tenants`, json({ name: "Bulk bench" }, { authorization: `Bearer ${adminToken}` })), 201)
      const key = { "x-api-key-id": created.apiKey.id, "x-api-key-secret": created.apiKey.secret }
      const integration = expect(
        "create integration",
        await call(`${api.url}/v1/integrations`, json({ name: "HR (bulk bench)", app: "example", primaryOwner: { email: "bench@example.com" }, mode: "bulk", config: { sourceSystem: "bench" } }, key)),
        201
      )

      ctx.log(`scenario 4: upload #${i + 1}/${runs} (${formatNumber(data.entities)} entities, ${formatNumber(mib(data.bytes))} MiB)`)
      const t0 = performance.now()
      const ticket = expect("upload URL", await call(`${api.url}/v1/integrations/${integration.id}/entities/upload-url`, json({ format: "csv" }, key)), 201)
      expect("PUT file", await call(ticket.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body }), 202)
      const uploadMs = performance.now() - t0
      const pollingUrl = new URL(ticket.pollingUrl, api.url).toString()
      for (;;) {
        const head = await fetch(pollingUrl, { method: "HEAD", headers: key })
        if (head.status === 200) break
        if (head.status !== 404) throw new Error(`polling answered ${head.status}`)
        if (performance.now() - t0 > TIMEOUT_MS) throw new Error("the upload was not processed within 15 minutes")
        await sleep(POLL_MS)
      }
      const totalMs = performance.now() - t0
      const report = expect("upload report", await call(pollingUrl, { headers: key }), 200)
      if (report.published !== true || report.counts.entities !== data.entities) throw new Error(`upload not published as expected: ${JSON.stringify(report).slice(0, 400)}`)
      ours.push({ totalMs, uploadMs, entities: report.counts.entities })
      ctx.log(`  published in ${formatNumber(totalMs / 1000)} s (upload ${formatNumber(uploadMs / 1000)} s)`)
    } finally {
      await worker.stop()
      await api.stop()
    }
    ctx.log(`scenario 4: COPY baseline #${i + 1}/${runs}`)
    const copy = await runChild<BareCopyResult>(COPY_CHILD, { databaseUrl: await ctx.postgres.createDatabase("copy"), files: [data.file] } satisfies BareCopyInput, {
      label: `copy #${i + 1}`,
      timeoutMs: TIMEOUT_MS
    })
    copies.push(copy.result)
  }
  return {
    id: 4,
    title: "Bulk API ingest over loopback HTTP",
    status: "ok",
    durationMs: performance.now() - started,
    figures: [
      figure({
        metric: "entities/s, upload to published",
        unit: "entities/s",
        ours: ours.map((r) => r.entities / (r.totalMs / 1000)),
        baseline: { label: "COPY, bare table", runs: copies.map((c) => c.rows / (c.ms / 1000)) },
        ratio: "ours/baseline"
      }),
      figure({ metric: "  of which upload (URL + PUT)", unit: "s", ours: ours.map((r) => r.uploadMs / 1000) }),
      figure({ metric: "  end to end", unit: "s", ours: ours.map((r) => r.totalMs / 1000) })
    ],
    method: [
      `Input: ${formatNumber(data.entities)} entities (the Entities file of scenario 3, ${formatNumber(mib(data.bytes))} MiB CSV).`,
      "Ours: the API (`apps/api`) and one worker (`apps/worker --modes bulk --polling-seconds 1`) as separate processes on a fresh PostgreSQL database; the client creates a tenant and a bulk-mode integration, then the clock runs from `POST .../entities/upload-url` through the `PUT` of the file to the first `HEAD` of the polling URL that answers 200 (processed and published). The client polls every 100 ms; the worker polls its queue every second, so up to ~1 s of the time is queue latency.",
      "Baseline: COPY of the same file into a bare table (its own process, fresh database)."
    ],
    findings: []
  }
}
