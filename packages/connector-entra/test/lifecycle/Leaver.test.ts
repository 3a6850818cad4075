import type { OperationRequest } from "@idconnect/schemas/Operation"
import { assert, describe, it } from "vitest"
import { example } from "./support/Examples.ts"
import { type Harness, outcomes, startHarness, statuses, truthOf } from "./support/LifecycleSim.ts"

const withHarness = async (spec: Parameters<typeof startHarness>[0], test: (h: Harness) => Promise<void>) => {
  const h = await startHarness(spec)
  try {
    await test(h)
  } finally {
    await h.stop()
  }
}

/**
 * A leaver who is an administrator: owns a role-assignable group (handed over to a colleague),
 * is in groups, holds app roles and a PIM eligibility. Listed in a careless order on purpose.
 */
const leaverOf = (upn: string, successor: string, tier0: string): ReadonlyArray<OperationRequest> => [
  { id: "delete", operation: "deleteUser", params: { user: upn } },
  { id: "groups", operation: "removeGroupMember", params: { group: "*", member: upn } },
  { id: "owner-out", operation: "removeGroupOwner", params: { group: tier0, owner: upn } },
  { id: "apps", operation: "revokeAppRole", params: { principal: upn, resource: "*" } },
  { id: "roles", operation: "removeDirectoryRole", params: { principal: upn, role: "*" } },
  { id: "eligible", operation: "removeDirectoryRole", params: { principal: upn, role: "*", assignmentKind: "eligible" } },
  { id: "sessions", operation: "revokeSignInSessions", params: { user: upn } },
  { id: "owner-in", operation: "addGroupOwner", params: { group: tier0, owner: successor } },
  { id: "disable", operation: "disableUser", params: { user: upn } }
]

describe("a multi-operation leaver plan", () => {
  it("plans in the safe order, applies everything once, and a second apply is all no-ops", () =>
    withHarness({ mainAppPrivileged: true }, async (h) => {
      const t = truthOf(h.tenant)
      const tier0 = h.tenant.truth.groups().find((g) => g.isAssignableToRole === true)!
      // The leaver: the owner of the role-assignable group, who also has groups, app roles and an eligibility.
      const leaver = h.tenant.truth.user(t.owners(tier0.displayName)[0]!)!
      const successor = h.tenant.truth.users().find((u) => u.id !== leaver.id && u.userType === "Member" && u.onPremisesSyncEnabled !== true)!
      assert.isAbove(t.groupsOf(leaver.id).length, 1)
      assert.isAbove(t.appRolesOf(leaver.id).length, 0)
      assert.isAbove(t.eligibilitiesOf(leaver.id).length, 0)
      const ops = leaverOf(leaver.userPrincipalName, successor.userPrincipalName, tier0.displayName)

      const plan = await h.plan(ops)
      assert.isFalse(plan.blocked, JSON.stringify(plan.operations.flatMap((p) => p.blockers)))
      const order = Object.fromEntries(plan.operations.map((p) => [p.id, p.order]))
      assert.strictEqual(order.disable, 0, "sign-in is blocked first")
      assert.strictEqual(order.sessions, 1, "then existing sessions are revoked")
      assert.strictEqual(order["owner-in"], 2, "the successor owner is added before any removal")
      assert.strictEqual(order.delete, ops.length - 1, "the account is deleted last")
      assert.isBelow(order["owner-in"]!, order["owner-out"]!)
      const groups = plan.operations.find((p) => p.id === "groups")!
      assert.strictEqual(groups.calls.length, t.groupsOf(leaver.id).filter((name) => !t.group(name)!.groupTypes.includes("DynamicMembership")).length)
      assert.isTrue(groups.calls.every((c) => c.method === "DELETE" && c.url.endsWith("/$ref")))

      const first = await h.apply(ops)
      assert.notInclude(statuses(first), "failed", JSON.stringify(first.map((r) => r.message)))
      assert.deepStrictEqual(
        statuses(first),
        plan.operations.map((p) => (p.outcome === "change" ? "applied" : "no-op"))
      )
      // The account is gone (restorable), its app roles and eligibility too, and the successor owns the group.
      assert.isUndefined(h.tenant.truth.user(leaver.id))
      assert.deepStrictEqual(t.appRolesOf(leaver.id), [])
      assert.deepStrictEqual(t.eligibilitiesOf(leaver.id), [])
      assert.deepStrictEqual(t.owners(tier0.displayName), [successor.id])
      // Restoring the account brings back the memberships it had when deleted: only the dynamic ones.
      const restored = h.tenant.restoreUser(leaver.id)
      assert.isFalse(restored.accountEnabled)
      assert.isTrue(t.groupsOf(leaver.id).every((name) => t.group(name)!.groupTypes.includes("DynamicMembership")))
      h.tenant.deleteUser(leaver.id)

      const second = await h.apply(ops)
      assert.deepStrictEqual(statuses(second), ops.map(() => "no-op"), JSON.stringify(second.map((r) => r.message)))
      assert.deepStrictEqual(outcomes(await h.plan(ops)), ops.map(() => "no-op"))
    }))

  it("without Privileged Authentication Administrator the same leaver is blocked before any write, and nothing changes", () =>
    withHarness({ mainAppPrivileged: false }, async (h) => {
      const t = truthOf(h.tenant)
      const tier0 = h.tenant.truth.groups().find((g) => g.isAssignableToRole === true)!
      const leaver = h.tenant.truth.user(t.owners(tier0.displayName)[0]!)!
      const successor = h.tenant.truth.users().find((u) => u.id !== leaver.id && u.userType === "Member" && u.onPremisesSyncEnabled !== true)!
      const ops = leaverOf(leaver.userPrincipalName, successor.userPrincipalName, tier0.displayName)
      const before = { groups: t.groupsOf(leaver.id), appRoles: t.appRolesOf(leaver.id).length, owners: t.owners(tier0.displayName) }

      const plan = await h.plan(ops)
      assert.isTrue(plan.blocked)
      const blocked = plan.operations.filter((p) => p.outcome === "blocked").map((p) => p.id).sort()
      assert.deepStrictEqual(blocked, ["delete", "disable", "sessions"])
      const results = await h.apply(ops)
      assert.deepStrictEqual(
        results.map((r) => r.status),
        ops.map((o) => (blocked.includes(o.id!) ? "failed" : "skipped"))
      )
      assert.isTrue(results.every((r) => r.requestIds.length === 0 && r.audit.calls.length === 0))
      assert.isTrue(h.tenant.truth.user(leaver.id)!.accountEnabled)
      assert.deepStrictEqual({ groups: t.groupsOf(leaver.id), appRoles: t.appRolesOf(leaver.id).length, owners: t.owners(tier0.displayName) }, before)
    }))
})

describe("a joiner plan refers to the user it creates", () => {
  it("later operations plan against the new user's placeholder id; apply creates it first and uses its real id", () =>
    withHarness({}, async (h) => {
      const ops = example("joiner")
      const plan = await h.plan(ops)
      assert.deepStrictEqual(outcomes(plan), ["change", "change", "change", "change"])
      assert.strictEqual(plan.operations[0]!.order, 0)
      const add = plan.operations.find((p) => p.operation === "addGroupMember")!
      assert.match(JSON.stringify(add.calls[0]!.body), /\{id of new user new\.hire@contoso\.onmicrosoft\.com\}/u)
      const create = plan.operations[0]!.calls[0]!
      assert.strictEqual((create.body as { passwordProfile: { password: string } }).passwordProfile.password, "<generated, never shown>")

      const results = await h.apply(ops)
      assert.deepStrictEqual(statuses(results), ["applied", "applied", "applied", "applied"])
      assert.notMatch(JSON.stringify(results), /\{id of new user/u)
      assert.notMatch(JSON.stringify(results), /"password":"(?!<generated)/u, "the generated password is never returned")
    }))
})

describe("removing a member from every group", () => {
  it("works for a nested group too: it leaves its parent groups, and stays a group", () =>
    withHarness({}, async (h) => {
      const t = truthOf(h.tenant)
      const child = h.tenant.truth.groups().find((g) => h.tenant.truth.groups().some((p) => h.tenant.truth.members(p.id).some((m) => m.id === g.id)))!
      const parents = t.groupsOf(child.id)
      assert.isAbove(parents.length, 0)
      const op = { operation: "removeGroupMember", params: { group: "*", member: child.id } }
      const [p] = (await h.plan([op])).operations
      assert.strictEqual(p!.outcome, "change")
      assert.strictEqual(p!.calls.length, parents.length)
      assert.deepStrictEqual(statuses(await h.apply([op])), ["applied"])
      assert.deepStrictEqual(t.groupsOf(child.id), [])
      assert.isDefined(t.group(child.displayName))
      assert.deepStrictEqual(statuses(await h.apply([op])), ["no-op"])
    }))
})
