import type { MemorySinkState } from "@idconnect/core/ExtractionSink"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import type { SourceUsage } from "@idconnect/schemas/Run"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { publish } from "./support/Apply.ts"
import { diffSnapshots, expectedSnapshot } from "./support/Expected.ts"
import { changeTenant } from "./support/Mutations.ts"
import { rawConfig, requestsServed, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
let full: { state: MemorySinkState; requests: number; resourceUnits: number; usage: SourceUsage; ms: number }
const raw = () => rawConfig(sim, "main", { auditLogDays: 0 })
const expected = () => {
  const tenant = sim.tenants[0]!
  return expectedSnapshot(sim.tenant(tenant.tenantId).truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
}

beforeAll(async () => {
  sim = await startSim({ preset: "medium", seed: 7, license: "P2" })
  const before = sim.counters()[sim.tenants[0]!.tenantId]!
  const started = Date.now()
  const { state, summary } = await runToSink(raw())
  const after = sim.counters()[sim.tenants[0]!.tenantId]!
  full = {
    state: state!,
    requests: after.requests - before.requests,
    resourceUnits: after.resourceUnits - before.resourceUnits,
    usage: summary.usage,
    ms: Date.now() - started
  }
})
afterAll(() => sim?.stop())

describe("a medium tenant (2,000 users, 300 groups, 150 apps)", () => {
  it("full extraction equals the tenant's ground truth record by record, within Graph's budget", () => {
    assert.deepStrictEqual(diffSnapshots(publish(undefined, full.state), expected()), [])
    assert.strictEqual(full.state.mode, "full")
    assert.isTrue(full.state.completed)
    assert.deepStrictEqual(full.state.warnings, [])
    const counters = sim.counters()[sim.tenants[0]!.tenantId]!
    // A page per collection, a request per fanned-out object (members, owners, app role assignments),
    // and $batch keeps the HTTP calls to a few dozen.
    assert.isBelow(full.requests, 1_300)
    assert.isBelow(counters.batchRequests, 80)
    assert.strictEqual(counters.throttled, 0)
    // What the run reports it cost Graph is what Graph counted.
    assert.deepStrictEqual(full.usage, { requests: full.requests, resourceUnits: full.resourceUnits, throttled: 0 })
    console.info(`full: ${full.state.entities.size} entities, ${full.state.relations.size} relations, ${full.requests} requests, ${counters.resourceUnits} RU, ${counters.batchRequests} $batch calls, ${full.ms} ms`)
  })

  it("after a 1% change, an incremental sync brings the snapshot to the new ground truth for a few percent of the requests", async () => {
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    const log = changeTenant(tenant, 0.01, "one-percent")
    const before = requestsServed(sim)
    const started = Date.now()
    const { state } = await runToSink(raw(), { checkpoint: full.state.checkpoint! })
    const requests = requestsServed(sim) - before
    assert.strictEqual(state!.mode, "incremental")
    assert.deepStrictEqual(diffSnapshots(publish(publish(undefined, full.state), state!), expected()), [])
    assert.isAtLeast(state!.deletions.length, log.softDeletedUsers.length + log.purgedUsers.length + log.deletedGroups.length)
    assert.isBelow(requests / full.requests, 0.05)
    console.info(`1% change (${log.updatedUsers.length + log.createdUsers.length + log.softDeletedUsers.length + log.purgedUsers.length} users, ${log.membershipChanges} memberships): incremental ${requests} requests (${((100 * requests) / full.requests).toFixed(1)}% of full), ${Date.now() - started} ms`)
  })
})
