import { startGraphSim } from "@idconnect/graph-sim/GraphSim"
import { entraPlugin } from "./src/EntraPlugin.ts"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
const sim = await startGraphSim({ tenants: [{ preset: (process.argv[2] ?? "demo") as any }] })
const t = sim.tenants[0]!
const app = t.apps[0]!
const raw = { tenantId: t.tenantId, clientId: app.clientId, clientSecret: app.clientSecret, authorityHost: sim.authorityHost, graphBaseUrl: sim.graphBaseUrl, caFile: sim.caFile }
const mode = entraPlugin.modes.direct!
const config = await Effect.runPromise(decodeConfig(mode.config, raw))
const report = await Effect.runPromise(mode.read!.check(config))
console.log(JSON.stringify(report, null, 1).slice(0, 3000))
const started = Date.now()
const records = await Effect.runPromise(Effect.result(Stream.runCollect(mode.read!.extract(config, undefined))))
if (records._tag === "Failure") { console.log("FAIL", records.failure); } else {
  const counts: Record<string, number> = {}
  for (const r of records.success) {
    const k = r._tag === "entity" ? `entity:${r.entity.sourceType}` : r._tag === "relation" ? `relation:${r.relation.metadata?.privilegeName}:${r.relation.parentSourceType}->${r.relation.entitySourceType}` : r._tag
    counts[k] = (counts[k] ?? 0) + 1
  }
  console.log(counts)
  for (const r of records.success) if (r._tag === "warning") console.log(r.warning)
}
console.log("ms", Date.now() - started, JSON.stringify(sim.counters()[t.tenantId]).slice(0, 1500))
await sim.stop()
