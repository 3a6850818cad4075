import { formatNumber, formatRatio, median, ratio } from "./Stats.ts"

/** A measured quantity: every run's value and their median (the figure reported). */
export interface Measured {
  readonly runs: ReadonlyArray<number>
  readonly median: number
}

/**
 * Which way a ratio is taken; the label says it in the table ("baseline/ours" = how many times
 * faster we are). `{ none: why }` shows the baseline without a ratio, for figures where dividing
 * the two says nothing (e.g. counts of 429s where one side is 0); the table shows "—" and the
 * reason goes under the table.
 */
export type RatioKind = "baseline/ours" | "ours/baseline" | { readonly none: string }

/** One line of the results table: our figure, optionally next to its baseline from the same bench run. */
export interface Figure {
  readonly metric: string
  readonly unit: string
  readonly ours: Measured
  readonly baseline?: Measured & { readonly label: string }
  readonly ratio?: { readonly label: string; readonly value: number }
  /** Why a figure with a baseline has no ratio. */
  readonly noRatio?: string
  readonly note?: string
}

export type ScenarioStatus = "ok" | "failed" | "skipped"

/** What one scenario produced, with how it was measured (printed under the table). */
export interface ScenarioReport {
  readonly id: number
  readonly title: string
  readonly status: ScenarioStatus
  readonly durationMs: number
  readonly figures: ReadonlyArray<Figure>
  /** How the figures were measured: sizes, settings, sampling and projections. */
  readonly method: ReadonlyArray<string>
  /** Findings worth a reader's attention (e.g. a product performance problem). */
  readonly findings: ReadonlyArray<string>
  readonly error?: string
  /** How busy the machine was while the scenario ran (its own processes included). */
  readonly load?: LoadSummary
}

/** How busy the machine was over a stretch of the bench: its own processes and any other work. */
export interface LoadSummary {
  /** Mean and max of the 1-minute load average, sampled every 5 s. */
  readonly loadMean: number
  readonly loadMax: number
  /** Share of all CPUs busy (user + system), from /proc/stat; NaN off Linux. */
  readonly cpuBusyPercent: number
}

export interface MachineInfo {
  /** Load averages (1, 5, 15 min) before the bench started anything: other work alone. */
  readonly loadBefore: { readonly one: number; readonly five: number; readonly fifteen: number }
  /** Over the whole bench run. */
  readonly loadDuring: LoadSummary
  readonly cpus: number
  readonly cpuModel: string
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly postgres: string
  readonly commit: string
}

/** The whole bench run: what `results/<date>.json` holds and `results/<date>.md` renders. */
export interface BenchReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly command: string
  readonly machine: MachineInfo
  readonly scenarios: ReadonlyArray<ScenarioReport>
}

export const measured = (runs: ReadonlyArray<number>): Measured => ({ runs: [...runs], median: median(runs) })

/**
 * Builds a figure from raw runs. With a baseline the ratio of the two medians is computed in the
 * direction `ratio` names (default: baseline/ours, so > 1 means we do better on a "lower is better"
 * metric such as time).
 */
export const figure = (spec: {
  readonly metric: string
  readonly unit: string
  readonly ours: ReadonlyArray<number>
  readonly baseline?: { readonly label: string; readonly runs: ReadonlyArray<number> }
  readonly ratio?: RatioKind
  readonly note?: string
}): Figure => {
  const ours = measured(spec.ours)
  const baseline = spec.baseline === undefined ? undefined : { label: spec.baseline.label, ...measured(spec.baseline.runs) }
  const kind = spec.ratio ?? "baseline/ours"
  const noRatio = typeof kind === "object" ? kind.none : undefined
  const computed: Figure["ratio"] =
    baseline === undefined || typeof kind === "object"
      ? undefined
      : { label: kind, value: kind === "baseline/ours" ? ratio(baseline.median, ours.median) : ratio(ours.median, baseline.median) }
  return {
    metric: spec.metric,
    unit: spec.unit,
    ours,
    ...(baseline === undefined ? {} : { baseline }),
    ...(computed === undefined ? {} : { ratio: computed }),
    ...(noRatio === undefined ? {} : { noRatio }),
    ...(spec.note === undefined ? {} : { note: spec.note })
  }
}

const withUnit = (value: number, unit: string): string => (Number.isFinite(value) ? (unit === "" ? formatNumber(value) : `${formatNumber(value)} ${unit}`) : "n/a")

const HEADER = ["#", "Metric", "Ours (median)", "Baseline (median)", "Ratio", "Runs"] as const

/** The table's rows as cells (shared by the console table and the Markdown table). */
export const tableRows = (scenarios: ReadonlyArray<ScenarioReport>): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  for (const s of scenarios) {
    if (s.status !== "ok") {
      rows.push([String(s.id), `${s.title}: ${s.status}${s.error === undefined ? "" : ` (${s.error.split("\n")[0]})`}`, "", "", "", ""])
      continue
    }
    for (const f of s.figures) {
      rows.push([
        String(s.id),
        f.metric,
        withUnit(f.ours.median, f.unit),
        f.baseline === undefined ? "" : `${withUnit(f.baseline.median, f.unit)} (${f.baseline.label})`,
        f.ratio !== undefined ? `${formatRatio(f.ratio.value)}x ${f.ratio.label}` : f.baseline !== undefined ? "—" : "",
        String(f.ours.runs.length)
      ])
    }
  }
  return rows
}

/** A plain-text table for the terminal. */
export const renderConsoleTable = (scenarios: ReadonlyArray<ScenarioReport>): string => {
  const rows = [[...HEADER], ...tableRows(scenarios)]
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const line = (r: ReadonlyArray<string>) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n")
}

const escapeCell = (cell: string): string => cell.replaceAll("|", "\\|")

/** The results table in Markdown (what the README's Performance section shows). */
export const renderMarkdownTable = (scenarios: ReadonlyArray<ScenarioReport>): string => {
  const rows = tableRows(scenarios)
  return [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((h) => (h === "Metric" ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(escapeCell).join(" | ")} |`)
  ].join("\n")
}

const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`

const loadText = (l: LoadSummary): string =>
  `1-minute load average ${l.loadMean.toFixed(1)} on average (max ${l.loadMax.toFixed(1)})${Number.isFinite(l.cpuBusyPercent) ? `, CPUs ${Math.round(l.cpuBusyPercent)}% busy` : ""}`

/** The full Markdown results file: table, machine, then how each scenario was measured. */
export const renderMarkdown = (report: BenchReport): string => {
  const m = report.machine
  const out: Array<string> = [
    `# Benchmark results ${report.startedAt.slice(0, 10)}`,
    "",
    `\`${report.command}\` on ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; ${m.postgres}; commit ${m.commit}.`,
    `Before the bench started anything, the load averages were ${m.loadBefore.one.toFixed(1)} / ${m.loadBefore.five.toFixed(1)} / ${m.loadBefore.fifteen.toFixed(1)} (1 / 5 / 15 min, on ${m.cpus} CPUs): that is other work alone, and anything well above 0 slows every figure here. ` +
      `During the run: ${loadText(m.loadDuring)}; this includes the bench's own processes (each scenario's load is under its heading).`,
    `Started ${report.startedAt}, took ${minutes(report.durationMs)}. Every figure is the median of its runs; ratios compare the medians.`,
    "",
    renderMarkdownTable(report.scenarios),
    ""
  ]
  for (const s of report.scenarios) {
    out.push(`## ${s.id}. ${s.title}`, "")
    out.push(`Status: ${s.status}, ${minutes(s.durationMs)}${s.load === undefined ? "" : `; ${loadText(s.load)}`}.${s.error === undefined ? "" : ` Error: ${s.error}`}`, "")
    for (const line of s.method) out.push(`- ${line}`)
    if (s.method.length > 0) out.push("")
    const noted = s.figures.filter((f) => f.note !== undefined || f.noRatio !== undefined)
    for (const f of noted) out.push(`- *${f.metric.trim()}*: ${[f.note, f.noRatio === undefined ? undefined : `no ratio: ${f.noRatio}`].filter((t) => t !== undefined).join("; ")}`)
    if (noted.length > 0) out.push("")
    if (s.findings.length > 0) {
      out.push("Findings:", "")
      for (const line of s.findings) out.push(`- ${line}`)
      out.push("")
    }
    const runs = s.figures.map((f) => `${f.metric}: ${f.ours.runs.map((v) => formatNumber(v)).join(", ")}${f.baseline === undefined ? "" : ` | ${f.baseline.label}: ${f.baseline.runs.map((v) => formatNumber(v)).join(", ")}`}`)
    if (runs.length > 0) out.push("<details><summary>Every run</summary>", "", ...runs.map((r) => `- ${r}`), "", "</details>", "")
  }
  return out.join("\n")
}
