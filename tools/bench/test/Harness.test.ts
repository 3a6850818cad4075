import { assert, describe, it } from "@effect/vitest"
import { parseBenchArgs, resultsBaseName, unusedBaseName } from "../src/BenchArgs.ts"
import { runChild } from "../src/ChildProcess.ts"
import { figure, renderConsoleTable, renderMarkdown, type ScenarioReport } from "../src/Report.ts"
import { pagesOf, projectNaive } from "../src/scenarios/NaiveProjection.ts"
import { formatNumber, formatRatio, median, percentile } from "../src/Stats.ts"

// The bench harness's own logic, small and fast: the benchmarks themselves run with `npm run bench`.

describe("statistics", () => {
  it("reports the median, robust to one slow run", () => {
    assert.strictEqual(median([10, 11, 95]), 11)
    assert.strictEqual(median([4, 1, 3, 2]), 2.5)
    assert.isNaN(median([]))
    assert.strictEqual(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10)
    assert.strictEqual(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5)
  })

  it("takes ratios of medians in the direction the figure names", () => {
    const faster = figure({ metric: "wall", unit: "s", ours: [10, 12, 11], baseline: { label: "naive", runs: [100, 120, 110] } })
    assert.strictEqual(faster.ratio?.label, "baseline/ours")
    assert.strictEqual(faster.ratio?.value, 10)
    const fraction = figure({ metric: "rows/s", unit: "rows/s", ours: [50], baseline: { label: "COPY", runs: [200] }, ratio: "ours/baseline" })
    assert.strictEqual(fraction.ratio?.value, 0.25)
  })

  it("prints counts with grouped thousands and every ratio with three significant digits", () => {
    assert.strictEqual(formatNumber(99_604), "99,604")
    assert.strictEqual(formatNumber(2_889_658), "2,889,658")
    assert.strictEqual(formatNumber(12.345), "12.3")
    assert.strictEqual(formatRatio(8), "8.00")
    assert.strictEqual(formatRatio(11.08), "11.1")
    assert.strictEqual(formatRatio(0.04213), "0.0421")
    assert.strictEqual(formatRatio(Number.NaN), "n/a")
  })
})

describe("arguments", () => {
  it("selects scenarios and repetitions, and names a subset's results apart from a full run's", async () => {
    const args = parseBenchArgs(["--only", "3,1", "--runs=2"])
    assert.deepStrictEqual(args.only, [1, 3])
    assert.strictEqual(args.runs, 2)
    assert.deepStrictEqual(parseBenchArgs([]).only, [1, 2, 3, 4, 5])
    const day = new Date("2026-11-26T10:00:00Z")
    assert.strictEqual(resultsBaseName(day, [1, 2, 3, 4, 5]), "2026-11-26")
    assert.strictEqual(resultsBaseName(day, [1, 3]), "2026-11-26-only-1-3")
    assert.strictEqual(resultsBaseName(day, [1, 2, 3, 4, 5], true), "2026-11-26-quick")
    // Later runs the same day keep the earlier results.
    const existing = new Set(["r/2026-11-26.json", "r/2026-11-26-2.json", "r/2026-11-26-quick.json"])
    const taken = async (file: string) => existing.has(file)
    assert.strictEqual(await unusedBaseName("r/2026-11-26", taken), "r/2026-11-26-3")
    assert.strictEqual(await unusedBaseName("r/2026-11-26-quick", taken), "r/2026-11-26-quick-2")
    assert.strictEqual(await unusedBaseName("r/2026-11-27", taken), "r/2026-11-27")
  })

  it("names the argument at fault", () => {
    assert.throws(() => parseBenchArgs(["--only", "7"]), /--only: '7' is not a scenario/)
    assert.throws(() => parseBenchArgs(["--runs", "0"]), /--runs: '0'/)
    assert.throws(() => parseBenchArgs(["--fast"]), /unknown option '--fast'/)
  })
})

describe("naive baseline projection", () => {
  it("scales each phase's measured time by the requests the full phase issues", () => {
    const p = projectNaive([
      { name: "users", ms: 1_000, sampleRequests: 10, sampleResourceUnits: 20, fullRequests: 100 },
      { name: "groups", ms: 500, sampleRequests: 5, sampleResourceUnits: 10, fullRequests: 5 }
    ])
    assert.strictEqual(p.wallMs, 10_500)
    assert.strictEqual(p.requests, 105)
    assert.strictEqual(p.resourceUnits, 210)
    assert.strictEqual(pagesOf(0), 1)
    assert.strictEqual(pagesOf(250), 3)
  })
})

describe("results", () => {
  it("renders every figure with its baseline and ratio, and failed scenarios with their error", () => {
    const ok: ScenarioReport = {
      id: 3,
      title: "CSV ingest",
      status: "ok",
      durationMs: 1000,
      figures: [
        figure({ metric: "rows/s", unit: "rows/s", ours: [50_000], baseline: { label: "COPY", runs: [200_000] }, ratio: "ours/baseline" }),
        figure({ metric: "429 responses", unit: "", ours: [1], baseline: { label: "naive", runs: [0] }, ratio: { none: "the naive code is never throttled" } })
      ],
      method: ["how it was measured"],
      findings: ["a finding"],
      load: { loadMean: 2.24, loadMax: 3.1, cpuBusyPercent: 87.4 }
    }
    const failed: ScenarioReport = { id: 4, title: "Bulk", status: "failed", durationMs: 5, figures: [], method: [], findings: [], error: "the API did not start" }
    const table = renderConsoleTable([ok, failed])
    assert.match(table, /rows\/s\s+50,000 rows\/s\s+200,000 rows\/s \(COPY\)\s+0\.250x ours\/baseline\s+1/)
    assert.match(table, /Bulk: failed \(the API did not start\)/)
    const md = renderMarkdown({
      startedAt: "2026-11-26T10:00:00.000Z",
      finishedAt: "2026-11-26T10:20:00.000Z",
      durationMs: 1_200_000,
      command: "npm run bench",
      machine: {
        loadBefore: { one: 0.5, five: 0.25, fifteen: 0.1 },
        loadDuring: { loadMean: 2.2, loadMax: 3.1, cpuBusyPercent: 85 },
        cpus: 2, cpuModel: "Test CPU", memoryGiB: 8, os: "Linux", node: "24.21.0", postgres: "PostgreSQL 15", commit: "abc123" },
      scenarios: [ok, failed]
    })
    assert.include(md, "| 3 | rows/s | 50,000 rows/s | 200,000 rows/s (COPY) | 0.250x ours/baseline | 1 |")
    // A figure whose ratio would say nothing shows a dash, and the reason under the table.
    assert.include(md, "| 3 | 429 responses | 1 | 0 (naive) | — | 1 |")
    assert.include(md, "- *429 responses*: no ratio: the naive code is never throttled")
    // Other work before the bench, and each scenario's load while it ran.
    assert.include(md, "load averages were 0.5 / 0.3 / 0.1 (1 / 5 / 15 min, on 2 CPUs)")
    assert.include(md, "Status: ok, 0.0 min; 1-minute load average 2.2 on average (max 3.1), CPUs 87% busy.")
    assert.include(md, "- how it was measured")
    assert.include(md, "- a finding")
  })
})

describe("child processes", () => {
  const child = new URL("./fixtures/AllocatingChild.ts", import.meta.url)

  it("returns the child's result and its own peak memory", async () => {
    const out = await runChild<{ echoed: number }>(child, { mib: 64 }, { label: "test child", timeoutMs: 60_000 })
    assert.strictEqual(out.result.echoed, 64 * 1024 * 1024)
    assert.isAbove(out.maxRssKb, 64 * 1024)
  })

  it("fails with the child's label when the child fails", async () => {
    const error = await runChild(child, { mib: 1, fail: true }, { label: "test child", timeoutMs: 60_000 }).then(
      () => undefined,
      (e: Error) => e
    )
    assert.match(error?.message ?? "", /test child: exited with code 1 without a result/)
  })
})
