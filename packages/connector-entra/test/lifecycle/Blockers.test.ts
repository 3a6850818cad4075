import type { TenantSpec } from "@idconnect/graph-sim/GraphSim"
import type { OperationPlan, OperationRequest } from "@idconnect/schemas/Operation"
import { assert, describe, it } from "vitest"
import { ALL_PERMISSIONS, type Harness, startHarness, statuses, truthOf } from "./support/LifecycleSim.ts"

const withHarness = async (spec: Partial<TenantSpec>, test: (h: Harness) => Promise<void>) => {
  const h = await startHarness(spec)
  try {
    await test(h)
  } finally {
    await h.stop()
  }
}

const only = async (h: Harness, op: OperationRequest): Promise<OperationPlan> => (await h.plan([op])).operations[0]!
const blockerCodes = (p: OperationPlan) => p.blockers.map((b) => b.code)

/** A new cloud-only member user, set up through the simulator's own API. */
const newUser = (h: Harness, name: string) =>
  h.tenant.createUser({ displayName: name, userPrincipalName: h.upn(name.toLowerCase().replace(/ /gu, ".")), accountEnabled: true, userType: "Member" })

describe("blocker: a privileged target while the app lacks Privileged Authentication Administrator", () => {
  it("disabling a Global Administrator is blocked with the role to assign; apply changes nothing; with the role it goes through", () =>
    withHarness({ mainAppPrivileged: false }, async (h) => {
      const t = truthOf(h.tenant)
      const admin = h.tenant.truth.users().find((u) => t.rolesOf(u.id).some((a) => a.roleDefinitionId === "62e90394-69f5-4237-9190-012177145e10"))!
      const op = { operation: "disableUser", params: { user: admin.userPrincipalName } }
      const p = await only(h, op)
      assert.strictEqual(p.outcome, "blocked")
      assert.include(blockerCodes(p), "privileged-target")
      assert.match(p.blockers[0]!.message, /Global Administrator/u)
      assert.match(p.blockers[0]!.message, /Privileged Authentication Administrator/u)
      assert.isDefined(p.blockers[0]!.fix)
      assert.strictEqual(p.calls[0]?.method, "PATCH", "the plan still shows the call it would make")

      const [result] = await h.apply([op])
      assert.strictEqual(result!.status, "failed")
      assert.strictEqual(result!.error?.code, "PermissionMissing")
      assert.deepStrictEqual(result!.requestIds, [])
      assert.isTrue(h.tenant.truth.user(admin.id)!.accountEnabled)

      h.tenant.setPrivilegedRole(true)
      assert.strictEqual((await only(h, op)).outcome, "change")
      assert.deepStrictEqual(statuses(await h.apply([op])), ["applied"])
      assert.isFalse(h.tenant.truth.user(admin.id)!.accountEnabled)
    }))

  it("a user becomes a privileged target by holding a privileged role, or by membership or ownership of a role-assignable group", () =>
    withHarness({ mainAppPrivileged: false }, async (h) => {
      const t = truthOf(h.tenant)
      const tier0 = h.tenant.truth.groups().find((g) => g.isAssignableToRole === true)!
      const plain = newUser(h, "Plain User")
      const member = newUser(h, "Tier Member")
      const owner = newUser(h, "Tier Owner")
      const admin = newUser(h, "Sec Admin")
      h.tenant.addMember(tier0.id, member.id)
      h.tenant.addOwner(tier0.id, owner.id)
      assert.deepStrictEqual(statuses(await h.apply([{ operation: "assignDirectoryRole", params: { principal: admin.id, role: "Security Administrator" } }])), ["applied"])
      assert.isTrue(t.rolesOf(admin.id).length === 1)

      const plan = await h.plan([plain, member, owner, admin].map((u) => ({ operation: "disableUser", params: { user: u.userPrincipalName } })))
      assert.deepStrictEqual(plan.operations.map((p) => p.outcome), ["change", "blocked", "blocked", "blocked"])
      assert.match(plan.operations[1]!.blockers[0]!.message, new RegExp(`member of the role-assignable group ${tier0.displayName}`, "u"))
      assert.match(plan.operations[2]!.blockers[0]!.message, new RegExp(`owns the role-assignable group ${tier0.displayName}`, "u"))
      assert.match(plan.operations[3]!.blockers[0]!.message, /holds Security Administrator/u)

      // Eligible (PIM) holders of a privileged role are privileged targets too.
      const eligible = newUser(h, "Eligible Admin")
      assert.deepStrictEqual(
        statuses(await h.apply([{ operation: "assignDirectoryRole", params: { principal: eligible.id, role: "Privileged Role Administrator", assignmentKind: "eligible" } }])),
        ["applied"]
      )
      const del = await only(h, { operation: "deleteUser", params: { user: eligible.userPrincipalName } })
      assert.strictEqual(del.outcome, "blocked")
      assert.match(del.blockers[0]!.message, /eligible for Privileged Role Administrator/u)

      // Changing a privileged user's sensitive attributes is blocked; other attributes are not.
      assert.strictEqual((await only(h, { operation: "updateUser", params: { user: admin.userPrincipalName, mobilePhone: "+1 555 0100" } })).outcome, "blocked")
      assert.strictEqual((await only(h, { operation: "updateUser", params: { user: admin.userPrincipalName, jobTitle: "CISO" } })).outcome, "change")
    }))
})

describe("blocker: dynamic groups", () => {
  it("adding to or removing from a dynamic group is blocked with its rule; nothing is written", () =>
    withHarness({}, async (h) => {
      const t = truthOf(h.tenant)
      const dynamic = h.tenant.truth.groups().find((g) => g.groupTypes.includes("DynamicMembership"))!
      const inside = h.tenant.truth.members(dynamic.id).find((m) => m.type === "user")!
      const outsider = newUser(h, "Outside User")
      const plan = await h.plan([
        { operation: "addGroupMember", params: { group: dynamic.displayName, member: outsider.id } },
        { operation: "removeGroupMember", params: { group: dynamic.id, member: inside.id } }
      ])
      assert.deepStrictEqual(plan.operations.map(blockerCodes), [["dynamic-group"], ["dynamic-group"]])
      assert.match(plan.operations[0]!.blockers[0]!.message, /dynamic group/u)
      const results = await h.apply(plan.operations.map((p) => ({ operation: p.operation, params: p.params })))
      assert.deepStrictEqual(statuses(results), ["failed", "failed"])
      assert.isTrue(t.isMember(dynamic.displayName, inside.id))
      assert.isFalse(t.isMember(dynamic.displayName, outsider.id))
    }))
})

describe("blocker: role-assignable groups without RoleManagement.ReadWrite.Directory", () => {
  it("member changes, owner changes and creating one are blocked naming the permission; granted, they are changes", () =>
    withHarness({}, async (h) => {
      const tier0 = h.tenant.truth.groups().find((g) => g.isAssignableToRole === true)!
      const someone = newUser(h, "Would Be Admin")
      const ops: ReadonlyArray<OperationRequest> = [
        { operation: "addGroupMember", params: { group: tier0.displayName, member: someone.userPrincipalName } },
        { operation: "addGroupOwner", params: { group: tier0.id, owner: someone.userPrincipalName } },
        { operation: "createGroup", params: { displayName: "Tier1 Admins", isAssignableToRole: true } }
      ]
      h.grant(ALL_PERMISSIONS.filter((p) => p !== "RoleManagement.ReadWrite.Directory"))
      const plan = await h.plan(ops)
      for (const p of plan.operations) {
        assert.strictEqual(p.outcome, "blocked", p.operation)
        assert.include(blockerCodes(p), "role-assignable-group")
        assert.match(p.blockers.find((b) => b.code === "role-assignable-group")!.message, /RoleManagement\.ReadWrite\.Directory/u)
      }
      assert.deepStrictEqual(statuses(await h.apply(ops)), ["failed", "failed", "failed"])
      assert.isFalse(truthOf(h.tenant).isMember(tier0.displayName, someone.id))

      h.grant(ALL_PERMISSIONS)
      assert.deepStrictEqual((await h.plan(ops)).operations.map((p) => p.outcome), ["change", "change", "change"])
    }))
})

describe("blocker: users synchronised from on-premises Active Directory", () => {
  it("disabling, deleting or changing on-premises attributes is blocked; the cloud-only leave date is not", () =>
    withHarness({}, async (h) => {
      const synced = h.tenant.truth.users().find((u) => u.onPremisesSyncEnabled === true)!
      const plan = await h.plan([
        { operation: "disableUser", params: { user: synced.userPrincipalName } },
        { operation: "updateUser", params: { user: synced.userPrincipalName, department: "Finance" } },
        { operation: "updateUser", params: { user: synced.userPrincipalName, employeeLeaveDateTime: "2031-01-31T17:00:00Z" } }
      ])
      assert.include(blockerCodes(plan.operations[0]!), "on-premises-synced")
      assert.match(plan.operations[0]!.blockers.find((b) => b.code === "on-premises-synced")!.fix!, /on-premises Active Directory/u)
      assert.include(blockerCodes(plan.operations[1]!), "on-premises-synced")
      assert.strictEqual(plan.operations[2]!.outcome, "change")
    }))
})

describe("blocker: the last owner of a group", () => {
  it("removing the only owner is blocked; adding the new owner in the same plan first makes it a change, applied in that order", () =>
    withHarness({}, async (h) => {
      const t = truthOf(h.tenant)
      const group = h.tenant.createGroup({ displayName: "Finance Team", securityEnabled: true, mailEnabled: false, groupTypes: [] })
      const oldOwner = newUser(h, "Old Owner")
      const newOwner = newUser(h, "New Owner")
      h.tenant.addOwner(group.id, oldOwner.id)
      const remove = { operation: "removeGroupOwner", params: { group: "Finance Team", owner: oldOwner.userPrincipalName } }
      const alone = await only(h, remove)
      assert.strictEqual(alone.outcome, "blocked")
      assert.deepStrictEqual(blockerCodes(alone), ["last-owner"])
      assert.match(alone.blockers[0]!.fix!, /addGroupOwner/u)

      // Listed remove-first, the safe order still adds the new owner before removing the old one.
      const handover = [remove, { operation: "addGroupOwner", params: { group: "Finance Team", owner: newOwner.userPrincipalName } }]
      const plan = await h.plan(handover)
      assert.deepStrictEqual(plan.operations.map((p) => [p.outcome, p.order]), [["change", 1], ["change", 0]])
      assert.deepStrictEqual(statuses(await h.apply(handover)), ["applied", "applied"])
      assert.deepStrictEqual(t.owners("Finance Team"), [newOwner.id])

      // Two removals that together would leave no owner: the second is blocked.
      h.tenant.addOwner(group.id, oldOwner.id)
      const both = await h.plan([
        { operation: "removeGroupOwner", params: { group: group.id, owner: oldOwner.id } },
        { operation: "removeGroupOwner", params: { group: group.id, owner: newOwner.id } }
      ])
      assert.deepStrictEqual(both.operations.map((p) => p.outcome), ["change", "blocked"])
    }))
})

describe("blocker: permissions", () => {
  it("a change without its write permission is blocked naming it; apply refuses it and writes nothing; a no-op needs no permission", () =>
    withHarness({}, async (h) => {
      const t = truthOf(h.tenant)
      const group = h.tenant.truth.groups().find((g) => g.displayName === "Engineering")!
      const outsider = newUser(h, "No Access")
      h.grant(ALL_PERMISSIONS.filter((p) => !["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"].includes(p)))
      const ops = [
        { operation: "addGroupMember", params: { group: group.displayName, member: outsider.userPrincipalName } },
        { operation: "removeGroupMember", params: { group: group.displayName, member: outsider.userPrincipalName } }
      ]
      const plan = await h.plan(ops)
      assert.deepStrictEqual(plan.operations.map((p) => p.outcome), ["blocked", "no-op"])
      assert.deepStrictEqual(plan.operations[0]!.permissions, [{ permission: "GroupMember.ReadWrite.All", granted: false }])
      assert.deepStrictEqual(blockerCodes(plan.operations[0]!), ["permission-missing"])
      const results = await h.apply(ops)
      assert.deepStrictEqual(statuses(results), ["failed", "skipped"])
      assert.strictEqual(results[0]!.error?.code, "PermissionMissing")
      assert.match(results[0]!.error!.message, /GroupMember\.ReadWrite\.All/u)
      assert.match(results[1]!.message, /nothing was changed/u)
      assert.isFalse(t.isMember("Engineering", outsider.id))
    }))

  it("PIM eligibility without an Entra ID P2 licence is blocked as unlicensed", () =>
    withHarness({ license: "P1" }, async (h) => {
      const someone = newUser(h, "Would Be Eligible")
      const p = await only(h, { operation: "assignDirectoryRole", params: { principal: someone.userPrincipalName, role: "Helpdesk Administrator", assignmentKind: "eligible" } })
      assert.strictEqual(p.outcome, "blocked")
      assert.deepStrictEqual(blockerCodes(p), ["license-missing"])
      // Active assignments need no licence.
      assert.strictEqual((await only(h, { operation: "assignDirectoryRole", params: { principal: someone.userPrincipalName, role: "Helpdesk Administrator" } })).outcome, "change")
    }))
})

describe("references", () => {
  it("a reference to nothing blocks the operation naming the field; an ambiguous name asks for the id", () =>
    withHarness({}, async (h) => {
      h.tenant.createGroup({ displayName: "Twins", securityEnabled: true, mailEnabled: false, groupTypes: [] })
      h.tenant.createGroup({ displayName: "Twins", securityEnabled: true, mailEnabled: false, groupTypes: [] })
      const plan = await h.plan([
        { operation: "addGroupMember", params: { group: "No Such Group", member: h.upn("ruth.hayes") } },
        { operation: "addGroupMember", params: { group: "Twins", member: h.upn("ruth.hayes") } },
        { operation: "enableUser", params: { user: h.upn("nobody") } }
      ])
      assert.deepStrictEqual(plan.operations.map(blockerCodes), [["not-found"], ["invalid"], ["not-found"]])
      assert.match(plan.operations[0]!.blockers[0]!.message, /params\.group: no group 'No Such Group'/u)
      assert.match(plan.operations[1]!.blockers[0]!.message, /2 groups are named 'Twins'.*use the object id/u)
      assert.match(plan.operations[2]!.blockers[0]!.message, /params\.user/u)
    }))
})
