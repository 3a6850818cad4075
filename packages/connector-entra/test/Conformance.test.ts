import { runConformance } from "@idconnect/connector-testkit/Conformance"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import { afterAll, beforeAll } from "vitest"
import { entraPlugin } from "../src/EntraPlugin.ts"
import { lifecycleConformanceFixture } from "./lifecycle/support/ConformanceFixture.ts"
import { rawConfig, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  // The resume check compares runs started up to half a minute apart, each reading the directory
  // audits of the 7 days before its own start. The demo tenant's 60 audits are 12 h apart, counted
  // back from the tenant's anchor (by default today's UTC midnight), so one leaves the window at
  // 00:00 and 12:00 UTC: a check running across either would find a record "lost". Anchored 6 h
  // back instead, the next audit leaves the window 6 h after the simulator starts.
  sim = await startSim({ preset: "demo", seed: 3, license: "P2", anchor: new Date(Date.now() - 6 * 3_600_000) })
})
afterAll(() => sim?.stop())

runConformance({
  plugin: entraPlugin,
  config: () => rawConfig(sim, "main"),
  badCredentialsConfig: () => rawConfig(sim, "main", { clientSecret: "not-the-secret-value-0123456789" }),
  manifestPath: new URL("../capabilities.json", import.meta.url),
  lifecycle: lifecycleConformanceFixture(() => sim)
})
