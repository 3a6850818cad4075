import type { OperationRequest } from "@idconnect/schemas/Operation"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { configFor, makeTestMode } from "./support/Fixtures.ts"
import { seed, seedStandard } from "./support/ScimStore.ts"
import { startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
})
afterAll(() => server.close())
beforeEach(() => server.reset())

const mode = makeTestMode()
const lifecycle = mode.lifecycle!
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

const writes = () => server.requests.filter((r) => r.method !== "GET")
const userByName = (name: string) => [...server.store.users.values()].find((u) => String(u.userName).toLowerCase() === name.toLowerCase())
const memberIds = (groupId: string) => ((server.store.groups.get(groupId)?.members as Array<{ value: string }> | undefined) ?? []).map((m) => m.value)

/** Applies twice and plans again: the second apply and the plan must be no-ops. */
const applyTwice = (ops: ReadonlyArray<OperationRequest>) =>
  Effect.gen(function* () {
    const config = yield* configFor(server)
    const first = yield* lifecycle.apply(config, ops)
    const writesAfterFirst = writes().length
    const second = yield* lifecycle.apply(config, ops)
    const plan = yield* lifecycle.plan(config, ops)
    assert.strictEqual(writes().length, writesAfterFirst, "the second apply sent no writes")
    assert.isTrue(second.every((r) => r.status === "no-op"), JSON.stringify(second.map((r) => r.message)))
    assert.isTrue(plan.operations.every((p) => p.outcome === "no-op"))
    return first
  })

describe("SCIM lifecycle", () => {
  it.live("createUser: plan shows the POST, apply creates, twice = once", () =>
    Effect.gen(function* () {
      seedStandard()
      const op = {
        operation: "createUser",
        params: { userName: "frank", givenName: "Frank", familyName: "Fox", email: "frank@example.com", department: "Ops", employeeNumber: "2001" }
      }
      const plan = yield* lifecycle.plan(yield* configFor(server), [op])
      assert.strictEqual(plan.operations[0]?.outcome, "change")
      assert.strictEqual(plan.operations[0]?.calls[0]?.method, "POST")
      assert.strictEqual(plan.operations[0]?.calls[0]?.url, `${server.baseUrl}/Users`)
      assert.strictEqual(writes().length, 0, "planning writes nothing")
      const [result] = yield* applyTwice([op])
      assert.strictEqual(result?.status, "applied")
      const frank = userByName("frank")!
      assert.strictEqual(frank.active, true)
      assert.deepStrictEqual((frank[ENTERPRISE] as Record<string, unknown>).department, "Ops")
      assert.deepStrictEqual(frank.emails, [{ value: "frank@example.com", type: "work", primary: true }])
      assert.strictEqual([...server.store.users.values()].filter((u) => u.userName === "frank").length, 1)
      assert.strictEqual(result?.audit.calls[0]?.method, "POST")
    }))

  it.live("createUser: a 409 uniqueness conflict the lookup did not foresee is an idempotent no-op", () =>
    Effect.gen(function* () {
      // SCIMMY's filter is case-sensitive, the store's uniqueness is not: the lookup misses "Zed",
      // the POST of "zed" gets 409, and the client finds the existing user.
      seed({ users: [{ userName: "Zed" }] })
      const config = yield* configFor(server)
      const [result] = yield* lifecycle.apply(config, [{ operation: "createUser", params: { userName: "zed" } }])
      assert.strictEqual(result?.status, "no-op")
      assert.include(result?.message, "409")
      assert.strictEqual(server.store.users.size, 1)
    }))

  it.live("updateUser sends only what changed, as lowercase replace operations", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const op = { operation: "updateUser", params: { userName: "bob", attributes: { department: "Platform", givenName: "Bob", title: "SRE", managerId: ids.users.dave } } }
      const [result] = yield* applyTwice([op])
      assert.strictEqual(result?.status, "applied")
      const patch = writes().find((r) => r.method === "PATCH")!
      assert.deepStrictEqual((patch.body as { Operations: unknown }).Operations, [
        { op: "replace", path: "title", value: "SRE" },
        { op: "replace", path: `${ENTERPRISE}:department`, value: "Platform" },
        { op: "replace", path: `${ENTERPRISE}:manager`, value: { value: ids.users.dave } }
      ])
      const bob = server.store.users.get(ids.users.bob)!
      assert.strictEqual((bob[ENTERPRISE] as Record<string, unknown>).department, "Platform")
      assert.strictEqual(bob.title, "SRE")
    }))

  it.live("deactivateUser sends active=false as a real boolean; twice = once", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const [result] = yield* applyTwice([{ operation: "deactivateUser", params: { userId: ids.users.alice } }])
      assert.strictEqual(result?.status, "applied")
      assert.deepStrictEqual(result?.after, { id: ids.users.alice, userName: "alice", active: false, displayName: "Alice Anders" })
      const patch = writes().find((r) => r.method === "PATCH")!
      assert.deepStrictEqual(patch.body, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "active", value: false }]
      })
      assert.strictEqual(server.store.users.get(ids.users.alice)!.active, false)
    }))

  it.live("deactivating an already inactive user is a no-op", () =>
    Effect.gen(function* () {
      seedStandard()
      const plan = yield* lifecycle.plan(yield* configFor(server), [{ operation: "deactivateUser", params: { userName: "carol" } }])
      assert.strictEqual(plan.operations[0]?.outcome, "no-op")
    }))

  it.live("deleteUser: 204, then no-op; an unknown user is a no-op", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const [result] = yield* applyTwice([{ operation: "deleteUser", params: { userName: "eve" } }])
      assert.strictEqual(result?.status, "applied")
      assert.isFalse(server.store.users.has(ids.users.eve))
      const [unknown] = yield* lifecycle.apply(yield* configFor(server), [{ operation: "deleteUser", params: { userId: "no-such-id" } }])
      assert.strictEqual(unknown?.status, "no-op")
    }))

  it.live("addGroupMember adds once (SCIMMY would append a duplicate on a second add)", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const [result] = yield* applyTwice([{ operation: "addGroupMember", params: { groupName: "Sales", userName: "dave" } }])
      assert.strictEqual(result?.status, "applied")
      assert.deepStrictEqual(memberIds(ids.groups.Sales).filter((m) => m === ids.users.dave), [ids.users.dave])
      const patch = writes().find((r) => r.method === "PATCH")!
      assert.deepStrictEqual((patch.body as { Operations: unknown }).Operations, [{ op: "add", path: "members", value: [{ value: ids.users.dave }] }])
    }))

  it.live("removeGroupMember uses the filtered path, one removal per PATCH", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const ops = [
        { operation: "removeGroupMember", params: { groupId: ids.groups.Engineering, userId: ids.users.alice } },
        { operation: "removeGroupMember", params: { groupId: ids.groups.Engineering, userId: ids.users.bob } }
      ]
      const results = yield* applyTwice(ops)
      assert.deepStrictEqual(results.map((r) => r.status), ["applied", "applied"])
      const patches = writes().filter((r) => r.method === "PATCH")
      assert.deepStrictEqual(
        patches.map((p) => (p.body as { Operations: unknown }).Operations),
        [[{ op: "remove", path: `members[value eq "${ids.users.alice}"]` }], [{ op: "remove", path: `members[value eq "${ids.users.bob}"]` }]]
      )
      assert.deepStrictEqual(memberIds(ids.groups.Engineering), [])
    }))

  it.live("membership changes work where groups come without members and PATCH answers 204", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.groupsWithoutMembers = true
      server.faults.patchNoContent = true
      const results = yield* applyTwice([
        { operation: "addGroupMember", params: { groupName: "Sales", userName: "eve" } },
        { operation: "removeGroupMember", params: { groupName: "Sales", userName: "carol" } },
        { operation: "deactivateUser", params: { userName: "dave" } }
      ])
      assert.deepStrictEqual(results.map((r) => r.status), ["applied", "applied", "applied"])
      assert.deepStrictEqual(memberIds(ids.groups.Sales), [ids.users.eve])
      // After a 204 the client reads the user back to report the state it left.
      assert.strictEqual((results[2]?.after as { active: boolean }).active, false)
    }))

  it.live("sends If-Match only when the server advertises ETags", () =>
    Effect.gen(function* () {
      seedStandard()
      const config = yield* configFor(server)
      yield* lifecycle.apply(config, [{ operation: "deactivateUser", params: { userName: "alice" } }])
      assert.isUndefined(writes()[0]?.headers["if-match"])
      server.faults.etag = true
      yield* lifecycle.apply(config, [{ operation: "deactivateUser", params: { userName: "bob" } }])
      assert.match(writes()[1]?.headers["if-match"] ?? "", /^W\/"/u)
    }))

  it.live("an ETag conflict (412) re-reads the resource and tries once more", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.etag = true
      server.faults.preconditionFailed = { remaining: 1 }
      const [result] = yield* lifecycle.apply(yield* configFor(server), [{ operation: "deactivateUser", params: { userName: "alice" } }])
      assert.strictEqual(result?.status, "applied")
      assert.strictEqual(writes().length, 2)
      assert.strictEqual(server.store.users.get(ids.users.alice)!.active, false)
      server.faults.preconditionFailed = { remaining: 2 }
      const [twice] = yield* lifecycle.apply(yield* configFor(server), [{ operation: "deactivateUser", params: { userName: "bob" } }])
      assert.strictEqual(twice?.status, "failed")
      assert.include(twice?.message, "412")
    }))

  it.live("applies in the safe order: memberships before deletion", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const results = yield* lifecycle.apply(yield* configFor(server), [
        { id: "del", operation: "deleteUser", params: { userName: "bob" } },
        { id: "rm", operation: "removeGroupMember", params: { groupName: "Engineering", userName: "bob" } }
      ])
      assert.deepStrictEqual(results.map((r) => [r.id, r.status]), [["rm", "applied"], ["del", "applied"]])
      assert.deepStrictEqual(memberIds(ids.groups.Engineering), [ids.users.alice])
    }))

  it.live("bad input fails the whole request naming the field, and nothing is written", () =>
    Effect.gen(function* () {
      seedStandard()
      const config = yield* configFor(server)
      const valid = { operation: "deactivateUser", params: { userName: "alice" } }
      const cases: ReadonlyArray<[OperationRequest, string]> = [
        [{ operation: "disableEverything", params: {} }, "operations[1].operation"],
        [{ operation: "createUser", params: { givenName: "X" } }, "operations[1].params.userName"],
        [{ operation: "createUser", params: { userName: "x", email: "not-an-email" } }, "operations[1].params.email"],
        [{ operation: "createUser", params: { userName: "x", shoeSize: 42 } }, "operations[1].params.shoeSize"],
        [{ operation: "deleteUser", params: { userId: "a", userName: "b" } }, "operations[1].params.userId"],
        [{ operation: "addGroupMember", params: { userName: "alice" } }, "operations[1].params.groupId"],
        [{ operation: "updateUser", params: { userName: "alice", attributes: {} } }, "operations[1].params.attributes"]
      ]
      for (const [bad, field] of cases) {
        const error = yield* Effect.flip(lifecycle.apply(config, [valid, bad]))
        assert.strictEqual(error.code, "InvalidInput")
        assert.strictEqual(error.reason._tag === "InvalidInput" ? error.reason.field : "", field)
      }
      assert.strictEqual(writes().length, 0)
      assert.strictEqual(userByName("alice")!.active, true)
    }))

  it.live("an operation on a missing user is blocked in the plan; apply stops there and skips the rest", () =>
    Effect.gen(function* () {
      seedStandard()
      const config = yield* configFor(server)
      const ops = [
        { operation: "updateUser", params: { userName: "nobody", attributes: { title: "X" } } },
        { operation: "deactivateUser", params: { userName: "alice" } }
      ]
      const plan = yield* lifecycle.plan(config, ops)
      assert.isTrue(plan.blocked)
      assert.strictEqual(plan.operations[0]?.blockers[0]?.code, "NotFound")
      const results = yield* lifecycle.apply(config, ops)
      assert.deepStrictEqual(results.map((r) => r.status), ["failed", "skipped"])
      assert.strictEqual(results[0]?.error?.code, "NotFound")
      assert.strictEqual(userByName("alice")!.active, true)
    }))

  it.live("a removal the server acknowledges but ignores is reported as failed, not applied", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.ignoreFilteredRemove = true
      const [result] = yield* lifecycle.apply(yield* configFor(server), [
        { operation: "removeGroupMember", params: { groupId: ids.groups.Engineering, userId: ids.users.alice } }
      ])
      assert.strictEqual(result?.status, "failed")
      assert.include(result?.message, "still")
      assert.include(memberIds(ids.groups.Engineering), ids.users.alice)
    }))
})
