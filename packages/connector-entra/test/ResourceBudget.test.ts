import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { estimateCost, laneOf, requestKind, ResourceBudget, tenantSizeOf } from "../src/ResourceBudget.ts"

/** Scale so the directory bucket holds 10 RU per 10 s (1 RU per second): easy arithmetic. */
const tiny = { tenantSize: "S" as const, scale: 10 / (3_500 * 0.9) }

describe("ResourceBudget", () => {
  it.effect("spends the bucket at once, then paces requests at the refill rate", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make(tiny)
      for (let i = 0; i < 10; i++) yield* budget.acquire("directory", 1)
      const eleventh = yield* Effect.forkChild(budget.acquire("directory", 1))
      yield* TestClock.adjust(900)
      assert.isUndefined(eleventh.pollUnsafe())
      yield* TestClock.adjust(200)
      yield* Fiber.join(eleventh)
    }))

  it.effect("a 429 pauses every caller of the lane for Retry-After and empties the bucket", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make(tiny)
      const waited = yield* budget.throttled("directory", 5)
      assert.strictEqual(waited, 5_000)
      const a = yield* Effect.forkChild(budget.acquire("directory", 1))
      const b = yield* Effect.forkChild(budget.acquire("directory", 1))
      yield* TestClock.adjust(4_900)
      assert.isUndefined(a.pollUnsafe())
      assert.isUndefined(b.pollUnsafe())
      yield* TestClock.adjust(60_000)
      yield* Fiber.join(a)
      yield* Fiber.join(b)
    }))

  it.effect("lanes are independent: a throttled directory does not hold up the reports lane", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make()
      yield* budget.throttled("directory", 30)
      // The test clock stands still: this returns only because the reports lane does not wait.
      yield* budget.acquire("reports", 1)
    }))

  it.effect("the reports lane allows 5 requests per 10 s", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make()
      for (let i = 0; i < 5; i++) yield* budget.acquire("reports", 1)
      const sixth = yield* Effect.forkChild(budget.acquire("reports", 1))
      yield* TestClock.adjust(1_500)
      assert.isUndefined(sixth.pollUnsafe())
      yield* TestClock.adjust(600)
      yield* Fiber.join(sixth)
    }))

  it.effect("without Retry-After (Identity Protection) it backs off exponentially", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make()
      assert.strictEqual(yield* budget.throttled("identityProtection", undefined), 1_000)
      assert.strictEqual(yield* budget.throttled("identityProtection", undefined), 2_000)
      assert.strictEqual(yield* budget.throttled("identityProtection", undefined), 4_000)
      // A 429 in between does not reset the backoff; a success does.
      yield* budget.settle("identityProtection", "GET identityProtection/riskyUsers", 1, 1, false)
      assert.strictEqual(yield* budget.throttled("identityProtection", undefined), 8_000)
      yield* budget.settle("identityProtection", "GET identityProtection/riskyUsers", 1, 1, true)
      assert.strictEqual(yield* budget.throttled("identityProtection", undefined), 1_000)
    }))

  it.effect("learns the real cost of a request kind from x-ms-resource-unit", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make()
      const kind = requestKind("GET", "/groups/3f2504e0-4f89-41d3-9a0c-0305e82c3301/members?$select=id&$top=999")
      assert.strictEqual(budget.costOf(kind, 2), 2)
      yield* budget.settle("directory", kind, 2, 0, false)
      assert.strictEqual(budget.costOf(kind, 2), 2, "a failed answer teaches nothing")
      yield* budget.settle("directory", kind, 2, 5, true)
      assert.strictEqual(budget.costOf(kind, 2), 5)
    }))

  it.effect("slows down when Graph reports more than 90% of the limit used", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make(tiny)
      for (let i = 0; i < 5; i++) yield* budget.nearLimit("directory", 1.2)
      yield* TestClock.adjust(60_000)
      // The bucket shrank to 10 * 0.9^5 = 5.9 RU: six requests no longer fit at once.
      for (let i = 0; i < 5; i++) yield* budget.acquire("directory", 1)
      const sixth = yield* Effect.forkChild(budget.acquire("directory", 1))
      yield* TestClock.adjust(100)
      assert.isUndefined(sixth.pollUnsafe())
    }))

  it.effect("a bigger tenant gets a bigger bucket", () =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget.make({ scale: 1 })
      yield* budget.setTenantSize("L")
      yield* TestClock.adjust(10_000)
      // L: 8,000 RU per 10 s at 90 %: 7,200 RU available after a full window.
      yield* budget.acquire("directory", 7_000)
      const next = yield* Effect.forkChild(budget.acquire("directory", 500))
      yield* TestClock.adjust(100)
      assert.isUndefined(next.pollUnsafe())
    }))
})

describe("request costs", () => {
  it("estimates the documented base costs and modifiers", () => {
    assert.strictEqual(estimateCost("GET", "/users?$select=id,displayName&$top=999"), 1)
    assert.strictEqual(estimateCost("GET", "/users?$expand=manager"), 3)
    assert.strictEqual(estimateCost("GET", "/groups/3f2504e0-4f89-41d3-9a0c-0305e82c3301/members?$select=id"), 2)
    assert.strictEqual(estimateCost("GET", "https://graph.microsoft.com/v1.0/groups/3f2504e0-4f89-41d3-9a0c-0305e82c3301/transitiveMembers?$select=id"), 4)
    assert.strictEqual(estimateCost("GET", "/groups?$top=5"), 1)
    assert.strictEqual(estimateCost("POST", "/directoryObjects/getByIds"), 3)
    assert.strictEqual(estimateCost("DELETE", "/groups/x/members/y/$ref"), 1)
  })
  it("sorts requests into lanes", () => {
    assert.strictEqual(laneOf("GET", "/auditLogs/directoryAudits"), "reports")
    assert.strictEqual(laneOf("GET", "/identityProtection/riskyUsers"), "identityProtection")
    assert.strictEqual(laneOf("POST", "/$batch"), "directory")
    assert.strictEqual(laneOf("POST", "/directoryObjects/getByIds"), "directory")
    assert.strictEqual(laneOf("PATCH", "/users/x"), "writes")
  })
  it("sizes tenants like Graph", () => {
    assert.strictEqual(tenantSizeOf(10), "S")
    assert.strictEqual(tenantSizeOf(200), "M")
    assert.strictEqual(tenantSizeOf(2_000), "L")
  })
})
