import type { GraphSimHandle, SimTenant } from "@idconnect/graph-sim/GraphSim"
import * as Effect from "effect/Effect"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { publish } from "./support/Apply.ts"
import { diffSnapshots, expectedSnapshot } from "./support/Expected.ts"
import { rawConfig, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
let tenant: SimTenant

beforeAll(async () => {
  // 2.5% of Microsoft's quotas: the tenant's whole read costs about twice what the bucket holds.
  sim = await startSim({
    preset: "small",
    seed: 5,
    license: "P2",
    throttling: { budgetScale: 0.025 },
    faults: { seed: 9, rate503: 0.08, rate504: 0.05, resetRate: 0.05, emptyPageRate: 0.2 }
  })
  tenant = sim.tenant(sim.tenants[0]!.tenantId)
})
afterAll(() => sim?.stop())

describe("a throttled tenant with faults", () => {
  it("full extraction still equals the ground truth: 429s honoured, 503/504/resets retried, a revoked token renewed", async () => {
    const { summary, state } = await runToSink(rawConfig(sim, "main", { auditLogDays: 0 }), {
      // Graph starts refusing the access token mid-run (revoked sessions, rotated keys).
      onCheckpoint: (_, committed) => (committed === 3 ? Effect.sync(() => tenant.revokeTokens()) : Effect.void)
    })
    const expected = expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
    assert.deepStrictEqual(diffSnapshots(publish(undefined, state!), expected), [])
    assert.deepStrictEqual(state!.warnings, [])
    const c = sim.counters()[tenant.tenantId]!
    assert.isAbove(c.throttled, 0, "the budget was small enough to throttle")
    assert.isAbove(c.faults["503"] + c.faults["504"] + c.faults.reset, 0, "faults were injected")
    assert.isAbove(c.tokenRequests, 1, "a new token after the revocation")
    // Pausing for Retry-After keeps the 429s to a small share of the requests; retrying at once would
    // keep the bucket in debt (Graph counts throttled requests) and most requests would be refused.
    assert.isBelow(c.throttled / c.requests, 0.3)
    // The run's own account of what it cost Graph, over every attempt, is what Graph counted.
    assert.deepStrictEqual(summary.usage, { requests: c.requests, resourceUnits: c.resourceUnits, throttled: c.throttled })
    console.info(`throttled+faults: ${c.requests} requests, ${c.throttled} throttled, faults ${JSON.stringify(c.faults)}, ${c.tokenRequests} tokens, runner attempts ${summary.attempts}`)
  })
})
