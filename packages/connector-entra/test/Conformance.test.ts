import { runConformance } from "@idconnect/connector-testkit/Conformance"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import { afterAll, beforeAll } from "vitest"
import { entraPlugin } from "../src/EntraPlugin.ts"
import { lifecycleConformanceFixture } from "./lifecycle/support/ConformanceFixture.ts"
import { rawConfig, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  sim = await startSim({ preset: "demo", seed: 3, license: "P2" })
})
afterAll(() => sim?.stop())

runConformance({
  plugin: entraPlugin,
  config: () => rawConfig(sim, "main"),
  badCredentialsConfig: () => rawConfig(sim, "main", { clientSecret: "not-the-secret-value-0123456789" }),
  manifestPath: new URL("../capabilities.json", import.meta.url),
  lifecycle: lifecycleConformanceFixture(() => sim)
})
