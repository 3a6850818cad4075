import type { MemorySinkState } from "@idconnect/core/ExtractionSink"
import type { GraphSimHandle, SimTenant } from "@idconnect/graph-sim/GraphSim"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { publish } from "./support/Apply.ts"
import { diffSnapshots, expectedSnapshot, type Snapshot } from "./support/Expected.ts"
import { changeTenant } from "./support/Mutations.ts"
import { rawConfig, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
let tenant: SimTenant
/** The published snapshot and the checkpoint the next run starts from, as the store keeps them. */
let snapshot: Snapshot
let last: MemorySinkState

const raw = () => rawConfig(sim, "main", { auditLogDays: 0 })
const truth = () => expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
const sync = async () => {
  const { state } = await runToSink(raw(), { checkpoint: last.checkpoint! })
  snapshot = publish(snapshot, state!)
  last = state!
  return state!
}

beforeAll(async () => {
  sim = await startSim({ preset: "small", seed: 11, license: "P2" })
  tenant = sim.tenant(sim.tenants[0]!.tenantId)
  const { state } = await runToSink(raw())
  snapshot = publish(undefined, state!)
  last = state!
})
afterAll(() => sim?.stop())

describe("incremental sync by delta query", () => {
  it("with nothing changed, reports nothing and keeps the snapshot", async () => {
    const run = await sync()
    assert.strictEqual(run.mode, "incremental")
    assert.strictEqual(run.entities.size + run.relations.size + run.deletions.length, 0)
    assert.deepStrictEqual(diffSnapshots(snapshot, truth()), [])
  })

  it("applies new, changed, soft-deleted and purged users, new and deleted groups, membership adds and removals, nested groups", async () => {
    const log = changeTenant(tenant, 0.05, "delta")
    const run = await sync()
    assert.strictEqual(run.mode, "incremental")
    const deleted = new Set(run.deletions.filter((d) => d.target === "entity").map((d) => d.sourceId))
    for (const id of [...log.softDeletedUsers, ...log.purgedUsers, ...log.deletedGroups]) assert.isTrue(deleted.has(id), `deletion of ${id}`)
    assert.isTrue(run.deletions.some((d) => d.target === "relation"), "a membership removal")
    assert.deepStrictEqual(diffSnapshots(snapshot, truth()), [])
  })

  it("a restored user comes back with its group memberships; its other grants return with the next full sync", async () => {
    const [id] = tenant.truth.deletedItems().filter((d) => d.type === "user").map((d) => d.id)
    tenant.restoreUser(id!)
    await sync()
    assert.isTrue(snapshot.entities.has(`identity\u0000user\u0000${id}`))
    // Delta queries track users and group memberships only: the restored user's ownerships and role
    // or app role assignments come back with the next full sync.
    const expected = truth()
    const untracked = [...expected.relations].filter(([, r]) => r.parentSourceId === id && r.metadata?.privilegeName !== "member")
    for (const [k] of untracked) expected.relations.delete(k)
    assert.deepStrictEqual(diffSnapshots(snapshot, expected), [])
  })

  it("an expired delta token (syncStateNotFound) makes the runner start over with a full sync", async () => {
    changeTenant(tenant, 0.02, "expired")
    tenant.expireDeltaTokens()
    const run = await sync()
    assert.strictEqual(run.mode, "full")
    assert.deepStrictEqual(diffSnapshots(snapshot, truth()), [])
    // The new run's delta links work again.
    assert.strictEqual((await sync()).mode, "incremental")
  })

  it("a synchronization reset (410 Gone) also ends in a full sync", async () => {
    changeTenant(tenant, 0.02, "reset")
    tenant.requireDeltaResync()
    const run = await sync()
    assert.strictEqual(run.mode, "full")
    assert.deepStrictEqual(diffSnapshots(snapshot, truth()), [])
  })
})
