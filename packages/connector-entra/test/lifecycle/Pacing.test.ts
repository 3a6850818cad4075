import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { GraphClient } from "../../src/GraphClient.ts"
import { applyAll } from "../../src/lifecycle/Apply.ts"
import { DirectoryLookup } from "../../src/lifecycle/DirectoryLookup.ts"
import { decodeRequests } from "../../src/lifecycle/LifecyclePlanner.ts"
import { type Lane, ResourceBudget } from "../../src/ResourceBudget.ts"
import { FAST, type Harness, startHarness, statuses } from "./support/LifecycleSim.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.stop())

describe("writes pace themselves against Graph's write quota", () => {
  it("every write waits its turn in the budget's writes lane (3,000 per 2.5 min per app and tenant) as well as the directory lane", async () => {
    // The real budget, wrapped to record which lanes each request was paced in.
    const acquired: Array<Lane> = []
    const recordingBudget = Layer.effect(
      ResourceBudget,
      Effect.gen(function* () {
        const real = yield* ResourceBudget.make()
        return ResourceBudget.of({
          ...real,
          acquire: (lane, cost) => Effect.sync(() => acquired.push(lane)).pipe(Effect.andThen(real.acquire(lane, cost)))
        })
      })
    )
    const layer = DirectoryLookup.layer.pipe(Layer.provideMerge(GraphClient.layer(h.config)), Layer.provideMerge(recordingBudget))
    const ops = await Effect.runPromise(
      decodeRequests([
        { operation: "addGroupMember", params: { group: "Org Level 2", member: h.upn("ruth.hayes") } },
        { operation: "removeGroupMember", params: { group: "*", member: h.upn("clara.dubois") } },
        { operation: "grantAppRole", params: { principal: h.upn("ruth.hayes"), resource: "Quartz Analytics", appRole: "QuartzAnalytics.Reader" } }
      ])
    )
    const results = await Effect.runPromise(applyAll(ops, FAST).pipe(Effect.provide(layer)))
    assert.deepStrictEqual(statuses(results), ["applied", "applied", "applied"])
    const writes = results.reduce((n, r) => n + r.audit.calls.length, 0)
    assert.isAbove(writes, 3)
    assert.strictEqual(acquired.filter((l) => l === "writes").length, writes)
    // Each write is also charged to the directory lane, right after its write-lane slot (it costs resource units).
    acquired.forEach((lane, i) => {
      if (lane === "writes") assert.strictEqual(acquired[i + 1], "directory", `write #${i} not charged to the directory lane`)
    })
  })
})
