import { execFileSync } from "node:child_process"
import * as os from "node:os"
import type { MachineInfo } from "./Report.ts"

/** What the results were measured on, so a reader can compare runs from different machines. */
export const machineInfo = (postgres: string, loadAtStart: number): MachineInfo => {
  let commit = "unknown"
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    // not a git checkout (e.g. a tarball): leave it unknown
  }
  return {
    loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.versions.node,
    postgres,
    commit
  }
}
