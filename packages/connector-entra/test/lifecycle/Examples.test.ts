import type { SimTenant } from "@idconnect/graph-sim/GraphSim"
import { assert, describe, it } from "vitest"
import { readExamples } from "./support/Examples.ts"
import { type Harness, outcomes, startHarness, statuses, truthOf } from "./support/LifecycleSim.ts"

const D = "contoso.onmicrosoft.com"
const RUTH = `ruth.hayes@${D}`
const AYESHA = `ayesha.ito_northwindtraders.com#EXT#@${D}`

interface ExampleCase {
  /** Changes the fresh demo tenant needs first (restoreUser restores what deleteUser deleted). */
  readonly setup?: (tenant: SimTenant) => void
  /** What a user of the directory sees afterwards, read from the simulator itself. */
  readonly effect: (truth: ReturnType<typeof truthOf>, tenant: SimTenant) => void
}

const CASES: Readonly<Record<string, ExampleCase>> = {
  createUser: {
    effect: (t) => {
      const u = t.user(`new.hire@${D}`)!
      assert.strictEqual(u.jobTitle, "Analyst")
      assert.isTrue(u.accountEnabled)
    }
  },
  updateUser: {
    effect: (t) => {
      const u = t.user(RUTH)!
      assert.strictEqual(u.jobTitle, "Senior Analyst")
      assert.strictEqual(u.department, "Finance")
      assert.strictEqual(u.managerId, t.userId(`clara.dubois@${D}`))
      assert.strictEqual(Date.parse(String(u.employeeLeaveDateTime)), Date.parse("2030-06-30T17:00:00Z"))
    }
  },
  disableUser: { effect: (t) => assert.isFalse(t.user(AYESHA)!.accountEnabled) },
  enableUser: { effect: (t) => assert.isTrue(t.user(RUTH)!.accountEnabled) },
  deleteUser: {
    effect: (t, tenant) => {
      assert.isUndefined(t.user(AYESHA))
      assert.isTrue(tenant.truth.deletedItems().some((d) => d.type === "user"))
    }
  },
  restoreUser: {
    setup: (tenant) => tenant.deleteUser(AYESHA),
    effect: (t) => assert.isDefined(t.user(AYESHA))
  },
  revokeSignInSessions: {
    effect: (t) => assert.isAtMost(Date.now() - Date.parse(String(t.user(RUTH)!.signInSessionsValidFromDateTime)), 60_000)
  },
  addGroupMember: { effect: (t) => assert.isTrue(t.isMember("Org Level 2", t.userId(RUTH))) },
  removeGroupMember: {
    effect: (t) => {
      assert.isFalse(t.isMember("Engineering", t.userId(RUTH)))
      assert.isDefined(t.user(RUTH), "the member object itself is kept")
    }
  },
  addGroupOwner: { effect: (t) => assert.include(t.owners("Engineering"), t.userId(RUTH)) },
  removeGroupOwner: {
    effect: (t) => {
      assert.notInclude(t.owners("All Company"), t.userId(`clara.dubois@${D}`))
      assert.include(t.owners("All Company"), t.userId(`vera.clarke@${D}`))
    }
  },
  createGroup: {
    effect: (t, tenant) => {
      const created = tenant.truth.groups().filter((g) => g.mailNickname === "project-falcon")
      assert.strictEqual(created.length, 1)
      assert.isTrue(t.isMember("Project Falcon", t.userId(RUTH)))
      assert.deepStrictEqual(t.owners("Project Falcon"), [t.userId(`vera.clarke@${D}`)])
    }
  },
  deleteGroup: { effect: (t) => assert.isUndefined(t.group("Org Level 2")) },
  grantAppRole: {
    effect: (t, tenant) => {
      const quartz = tenant.truth.servicePrincipals().find((s) => s.appRoles.some((r) => r.value === "QuartzAnalytics.Reader"))!
      const reader = quartz.appRoles.find((r) => r.value === "QuartzAnalytics.Reader")!
      assert.isTrue(t.appRolesOf(t.userId(RUTH)).some((a) => a.resourceId === quartz.id && a.appRoleId === reader.id))
    }
  },
  revokeAppRole: {
    effect: (t, tenant) => {
      const helix = tenant.truth.servicePrincipals().find((s) => s.displayName === "Helix Scanner")!
      assert.isFalse(t.appRolesOf(t.userId(RUTH)).some((a) => a.resourceId === helix.id))
    }
  },
  assignDirectoryRole: {
    effect: (t, tenant) => {
      const au = tenant.truth.administrativeUnits().find((a) => a.displayName === "Seattle Region")!
      assert.isTrue(t.rolesOf(t.userId(RUTH)).some((a) => a.roleDefinitionId === "729827e3-9c14-49f7-bb1b-9608f156bbb8" && a.directoryScopeId === `/administrativeUnits/${au.id}`))
    }
  },
  removeDirectoryRole: {
    effect: (t) => assert.isFalse(t.rolesOf(t.userId(`clara.dubois@${D}`)).some((a) => a.roleDefinitionId === "fdd7a751-b60b-444a-984c-02652fe8fa1c"))
  },
  addAdministrativeUnitMember: { effect: (t) => assert.include(t.auMembers("Seattle Region"), t.userId(RUTH)) },
  removeAdministrativeUnitMember: { effect: (t) => assert.notInclude(t.auMembers("Seattle Region"), t.groupId("Engineering")) },
  leaver: {
    effect: (t) => {
      const ruth = t.user(RUTH)!
      assert.isFalse(ruth.accountEnabled)
      assert.deepStrictEqual(t.groupsOf(ruth.id), ["All Employees"], "only the dynamic group, whose rule decides")
      assert.deepStrictEqual(t.appRolesOf(ruth.id), [])
      assert.strictEqual(Date.parse(String(ruth.employeeLeaveDateTime)), Date.parse("2030-06-30T17:00:00Z"))
    }
  },
  joiner: {
    effect: (t, tenant) => {
      const hire = t.user(`new.hire@${D}`)!
      assert.strictEqual(hire.managerId, t.userId(`vera.clarke@${D}`))
      assert.isTrue(t.isMember("Engineering", hire.id))
      const quartz = tenant.truth.servicePrincipals().find((s) => s.appRoles.some((r) => r.value === "QuartzAnalytics.Reader"))!
      assert.isTrue(t.appRolesOf(hire.id).some((a) => a.resourceId === quartz.id))
    }
  }
}

describe("example operation files against the demo tenant (npm run graph-sim -- --preset demo)", () => {
  const examples = readExamples()

  it("every example file has a case here", () => {
    assert.deepStrictEqual([...examples.keys()].sort(), Object.keys(CASES).sort())
  })

  for (const [name, requests] of examples) {
    it(`${name}.json: plan shows the change, apply makes it, a second apply and a re-plan are no-ops`, async () => {
      const h: Harness = await startHarness()
      try {
        const c = CASES[name]!
        c.setup?.(h.tenant)
        const plan = await h.plan(requests)
        assert.isFalse(plan.blocked, JSON.stringify(plan.operations.filter((p) => p.outcome === "blocked").map((p) => p.blockers)))
        assert.include(outcomes(plan), "change")
        for (const p of plan.operations.filter((o) => o.outcome === "change")) {
          assert.isAbove(p.calls.length, 0, `${p.operation} shows its Graph calls`)
          assert.isTrue(p.permissions.every((x) => x.granted))
        }

        const first = await h.apply(requests)
        assert.deepStrictEqual(statuses(first), plan.operations.map((p) => (p.outcome === "change" ? "applied" : "no-op")), JSON.stringify(first.map((r) => r.message)))
        for (const r of first.filter((x) => x.status === "applied")) {
          assert.isAbove(r.requestIds.length, 0, `${r.operation} reports Graph's request ids`)
          assert.isAbove(r.audit.calls.length, 0)
          assert.isDefined(r.before)
          assert.isDefined(r.after)
        }
        c.effect(truthOf(h.tenant), h.tenant)

        const second = await h.apply(requests)
        assert.deepStrictEqual(statuses(second), requests.map(() => "no-op"), JSON.stringify(second.map((r) => r.message)))
        assert.deepStrictEqual(outcomes(await h.plan(requests)), requests.map(() => "no-op"))
        c.effect(truthOf(h.tenant), h.tenant)
      } finally {
        await h.stop()
      }
    })
  }
})
