import { describe, expect, it } from "vitest"
import { ArgsError, parseWorkerArgs } from "../src/WorkerArgs.ts"

describe("worker command line", () => {
  it("takes modes and concurrency as the operator writes them", () => {
    const command = parseWorkerArgs(["--modes", "direct,scim", "--concurrency", "4", "--metrics-port", "0"])
    expect(command).toMatchObject({ worker: { modes: ["direct", "scim"], concurrency: 4 }, metricsPort: 0 })
  })

  it("defaults to every mode, two runs at once and metrics on 9464", () => {
    expect(parseWorkerArgs([])).toMatchObject({ worker: { modes: ["direct", "scim", "csv", "bulk"], concurrency: 2, schedules: true }, metricsPort: 9464 })
    expect(parseWorkerArgs(["--metrics-port", "off", "--no-schedules"])).toMatchObject({ worker: { schedules: false }, metricsPort: null })
  })

  it("names the flag at fault", () => {
    expect(() => parseWorkerArgs(["--modes", "direct,ldap"])).toThrow(new ArgsError("--modes takes a comma-separated list of direct, scim, csv, bulk; unknown: ldap"))
    expect(() => parseWorkerArgs(["--concurrency", "0"])).toThrow(/--concurrency must be an integer >= 1, got '0'/)
    expect(() => parseWorkerArgs(["--concurency", "2"])).toThrow(/concurency/)
  })
})
