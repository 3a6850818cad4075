import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import { diffSnapshots, expectedSnapshot } from "./support/Expected.ts"
import { rawConfig, requestsServed, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  sim = await startSim({ preset: "medium", seed: 7, license: "P2" })
})
afterAll(() => sim?.stop())

describe("full extraction of a medium tenant", () => {
  it("equals the tenant's ground truth record by record, within Graph's budget", async () => {
    const before = requestsServed(sim)
    const started = Date.now()
    const { summary, state } = await runToSink(rawConfig(sim, "main", { auditLogDays: 0 }))
    const requests = requestsServed(sim) - before
    const tenant = sim.tenants[0]!
    const expected = expectedSnapshot(sim.tenant(tenant.tenantId).truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
    assert.deepStrictEqual(diffSnapshots({ entities: state!.entities, relations: state!.relations }, expected), [])
    assert.strictEqual(summary.mode, "full")
    assert.isTrue(state!.completed)
    assert.deepStrictEqual(state!.warnings, [])
    const counters = sim.counters()[tenant.tenantId]!
    // One request per page or per fanned-out object; $batch keeps the HTTP calls far fewer.
    assert.isBelow(requests, 1_300)
    assert.isBelow(counters.batchRequests, 80)
    console.info(`medium full extract: ${state!.entities.size} entities, ${state!.relations.size} relations, ${requests} requests, ${counters.resourceUnits} RU, ${counters.batchRequests} $batch calls, ${Date.now() - started} ms`)
  })
})
