import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as os from "node:os"
import type { LoadSummary, MachineInfo } from "./Report.ts"

/** Busy and total CPU time of the whole machine so far (all CPUs, in clock ticks), from /proc/stat; undefined off Linux. */
const cpuTicks = (): { readonly busy: number; readonly total: number } | undefined => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!
    const [, ...fields] = line.trim().split(/\s+/u)
    const ticks = fields.map(Number)
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = ticks[3]! + ticks[4]!
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

interface Sample {
  readonly load1: number
  readonly cpu: { readonly busy: number; readonly total: number } | undefined
}

/**
 * Watches how busy the machine is while the bench runs: the 1-minute load average and the share of
 * all CPUs busy, sampled every `intervalMs`. A scenario takes a `mark()` when it starts and asks for
 * `since(mark)` when it ends. The bench itself keeps two or three processes busy (simulator and
 * extractor, or ingester and PostgreSQL), so these numbers are only meaningful next to the
 * reading taken `before` the bench started anything: that one is other work alone.
 */
export class LoadMonitor {
  private readonly samples: Array<Sample> = []
  private readonly timer: NodeJS.Timeout
  readonly before: { readonly one: number; readonly five: number; readonly fifteen: number }

  constructor(intervalMs = 5_000) {
    const [one, five, fifteen] = os.loadavg() as [number, number, number]
    this.before = { one, five, fifteen }
    this.sample()
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  private sample(): void {
    this.samples.push({ load1: os.loadavg()[0]!, cpu: cpuTicks() })
  }

  /** Where a scenario starts, for `since`. */
  mark(): number {
    this.sample()
    return this.samples.length - 1
  }

  /** Load from `mark` until now: mean and max of the 1-minute load average, and the mean share of all CPUs busy. */
  since(mark: number): LoadSummary {
    this.sample()
    const window = this.samples.slice(mark)
    const loads = window.map((s) => s.load1)
    const first = window[0]?.cpu
    const last = window[window.length - 1]?.cpu
    const busy = first !== undefined && last !== undefined && last.total > first.total ? (last.busy - first.busy) / (last.total - first.total) : Number.NaN
    return {
      loadMean: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length),
      loadMax: Math.max(...loads),
      cpuBusyPercent: busy * 100
    }
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

/** What the results were measured on, so a reader can compare runs from different machines. */
export const machineInfo = (postgres: string, monitor: LoadMonitor): MachineInfo => {
  let commit = "unknown"
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    // not a git checkout (e.g. a tarball): leave it unknown
  }
  return {
    loadBefore: monitor.before,
    loadDuring: monitor.since(0),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.versions.node,
    postgres,
    commit
  }
}
