import type { OperationRequest } from "@idconnect/schemas/Operation"
import * as Effect from "effect/Effect"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { GraphClient } from "../../src/GraphClient.ts"
import { sendWrite } from "../../src/lifecycle/Apply.ts"
import { absentRemove, duplicateAdd } from "../../src/lifecycle/Draft.ts"
import { type Harness, outcomes, startHarness, statuses, truthOf } from "./support/LifecycleSim.ts"

/** Write requests the simulator received (any answer), by method. */
const writesReceived = (h: Harness): number =>
  Object.entries(h.sim.counters()[h.tenant.tenantId]!.byPath)
    .filter(([path]) => !path.startsWith("GET"))
    .reduce((sum, [, c]) => sum + c.requests, 0)

/** One of every kind of write: adds, creates, a PIM request, a restore, removes. */
const everyKindOfWrite = (h: Harness): ReadonlyArray<OperationRequest> => [
  { operation: "createUser", params: { userPrincipalName: h.upn("retry.hire"), displayName: "Retry Hire" } },
  { operation: "createGroup", params: { displayName: "Retry Group", mailNickname: "retry-group" } },
  { operation: "addGroupMember", params: { group: "Engineering", member: h.upn("retry.hire") } },
  { operation: "addGroupOwner", params: { group: "Engineering", owner: h.upn("retry.hire") } },
  { operation: "grantAppRole", params: { principal: h.upn("retry.hire"), resource: "Helix Scanner", appRole: "HelixScanner.Reader" } },
  { operation: "assignDirectoryRole", params: { principal: h.upn("retry.hire"), role: "Reports Reader" } },
  { operation: "assignDirectoryRole", params: { principal: h.upn("retry.hire"), role: "Helpdesk Administrator", assignmentKind: "eligible" } },
  { operation: "addAdministrativeUnitMember", params: { administrativeUnit: "Seattle Region", member: h.upn("retry.hire") } },
  { operation: "updateUser", params: { user: h.upn("retry.hire"), jobTitle: "Analyst", manager: h.upn("vera.clarke") } },
  { operation: "revokeSignInSessions", params: { user: h.upn("ruth.hayes") } },
  { operation: "removeGroupMember", params: { group: "Engineering", member: h.upn("ruth.hayes") } },
  { operation: "revokeAppRole", params: { principal: h.upn("ruth.hayes"), resource: "Helix Scanner" } },
  { operation: "disableUser", params: { user: h.upn("ayesha.ito_northwindtraders.com#EXT#") } }
]

/** The end state of `everyKindOfWrite`, counted so that a duplicate would show. */
const endState = (h: Harness) => {
  const t = truthOf(h.tenant)
  const hire = h.tenant.truth.users().filter((u) => u.userPrincipalName === h.upn("retry.hire"))
  const id = hire[0]?.id ?? "none"
  return {
    users: hire.length,
    groups: h.tenant.truth.groups().filter((g) => g.mailNickname === "retry-group").length,
    member: t.isMember("Engineering", id),
    owner: t.owners("Engineering").includes(id),
    appRoles: t.appRolesOf(id).length,
    roles: t.rolesOf(id).length,
    eligibilities: t.eligibilitiesOf(id).length,
    administrativeUnit: t.auMembers("Seattle Region").includes(id),
    jobTitle: hire[0]?.jobTitle,
    manager: hire[0]?.managerId === t.userId(h.upn("vera.clarke")),
    ruthInEngineering: t.isMember("Engineering", t.userId(h.upn("ruth.hayes"))),
    ruthHelix: t.appRolesOf(t.userId(h.upn("ruth.hayes"))).filter((a) => a.resourceId === h.tenant.truth.servicePrincipals().find((s) => s.displayName === "Helix Scanner")!.id).length,
    ayeshaEnabled: h.tenant.truth.user(h.upn("ayesha.ito_northwindtraders.com#EXT#"))!.accountEnabled
  }
}

const EXPECTED = {
  users: 1,
  groups: 1,
  member: true,
  owner: true,
  appRoles: 1,
  roles: 1,
  eligibilities: 1,
  administrativeUnit: true,
  jobTitle: "Analyst",
  manager: true,
  ruthInEngineering: false,
  ruthHelix: 0,
  ayeshaEnabled: false
}

describe("504 after the write took effect", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h?.stop())

  it("every write is answered 504 although applied: each is sent once, the re-read confirms it, nothing is duplicated", async () => {
    const ops = everyKindOfWrite(h)
    const plan = await h.plan(ops)
    assert.isFalse(plan.blocked, JSON.stringify(plan.operations.flatMap((p) => p.blockers)))
    const calls = plan.operations.reduce((n, p) => n + p.calls.length, 0)

    h.tenant.setFaults({ rate504AfterApply: 1 })
    const before = writesReceived(h)
    const results = await h.apply(ops)
    h.tenant.setFaults({})

    assert.deepStrictEqual(statuses(results), ops.map(() => "applied"), JSON.stringify(results.filter((r) => r.status !== "applied").map((r) => r.message)))
    for (const r of results) assert.match(r.message, /confirmed by reading the state after an uncertain answer/u, r.operation)
    assert.strictEqual(h.sim.counters()[h.tenant.tenantId]!.faults["504AfterApply"], calls)
    assert.strictEqual(writesReceived(h) - before, calls, "no write was sent twice")
    assert.deepStrictEqual(endState(h), EXPECTED)

    assert.deepStrictEqual(statuses(await h.apply(ops)), ops.map(() => "no-op"))
    assert.deepStrictEqual(endState(h), EXPECTED)
  })
})

describe("5xx and connection resets before the write happened", () => {
  for (const [name, faults] of [
    ["503 and 504 answered instead of processing", { rate503: 0.15, rate504: 0.15, retryAfterSeconds: 0, seed: 7 }],
    ["connections reset without an answer", { resetRate: 0.1, seed: 11 }]
  ] as const) {
    it(`${name}: apply re-reads and re-sends until the change is made, once`, async () => {
      const h = await startHarness()
      try {
        const ops = everyKindOfWrite(h)
        h.tenant.setFaults(faults)
        const results = await h.apply(ops)
        h.tenant.setFaults({})
        assert.deepStrictEqual(statuses(results), ops.map(() => "applied"), JSON.stringify(results.map((r) => r.message)))
        assert.isAbove(Object.values(h.sim.counters()[h.tenant.tenantId]!.faults).reduce((a, b) => a + b, 0), 0, "faults were injected")
        assert.deepStrictEqual(endState(h), EXPECTED)
        assert.deepStrictEqual(outcomes(await h.plan(ops)), ops.map(() => "no-op"))
      } finally {
        await h.stop()
      }
    })
  }
})

describe("Graph's duplicate and not-found answers are success", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h?.stop())

  const send = (call: Parameters<typeof sendWrite>[0]) =>
    Effect.runPromise(sendWrite(call).pipe(Effect.provide(GraphClient.layerWithBudget(h.config))))

  it("adding what is there and removing what is not are 'already' answers, with Graph's own codes", async () => {
    const t = truthOf(h.tenant)
    const engineering = t.groupId("Engineering")
    const inside = h.tenant.truth.members(engineering).find((m) => m.type === "user")!.id
    const outside = h.tenant.truth.users().find((u) => !t.isMember("Engineering", u.id))!.id
    const root = (path: string) => `${h.sim.graphBaseUrl}/v1.0/${path}`
    const assignment = h.tenant.truth.appRoleAssignments().find((a) => a.principalType === "User")!
    const role = h.tenant.truth.roleAssignments().find((a) => h.tenant.truth.user(a.principalId) !== undefined)!

    const answers = [
      await send({ method: "POST", path: `/groups/${engineering}/members/$ref`, body: { "@odata.id": root(`directoryObjects/${inside}`) }, already: duplicateAdd }),
      await send({ method: "DELETE", path: `/groups/${engineering}/members/${outside}/$ref`, already: absentRemove }),
      await send({
        method: "POST",
        path: `/servicePrincipals/${assignment.resourceId}/appRoleAssignedTo`,
        body: { principalId: assignment.principalId, resourceId: assignment.resourceId, appRoleId: assignment.appRoleId },
        already: duplicateAdd
      }),
      await send({ method: "DELETE", path: `/servicePrincipals/${assignment.resourceId}/appRoleAssignedTo/not-an-assignment`, already: absentRemove }),
      await send({
        method: "POST",
        path: "/roleManagement/directory/roleAssignments",
        body: { principalId: role.principalId, roleDefinitionId: role.roleDefinitionId, directoryScopeId: role.directoryScopeId },
        already: duplicateAdd
      }),
      await send({
        method: "POST",
        path: "/roleManagement/directory/roleEligibilityScheduleRequests",
        body: { action: "adminRemove", principalId: outside, roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1", directoryScopeId: "/" },
        already: absentRemove
      })
    ]
    assert.deepStrictEqual(answers.map((a) => a.kind), ["already", "already", "already", "already", "already", "already"])
    assert.isTrue(answers.every((a) => a.requestId !== undefined), "Graph's request ids are kept")
  })

  it("the /$ref-less DELETE of a member is refused before it is sent: the user is not deleted", async () => {
    const t = truthOf(h.tenant)
    const engineering = t.groupId("Engineering")
    const inside = h.tenant.truth.members(engineering).find((m) => m.type === "user")!.id
    const before = writesReceived(h)
    const exit = await Effect.runPromise(Effect.exit(sendWrite({ method: "DELETE", path: `/groups/${engineering}/members/${inside}` }).pipe(Effect.provide(GraphClient.layerWithBudget(h.config)))))
    assert.strictEqual(exit._tag, "Failure")
    assert.strictEqual(writesReceived(h), before)
    assert.isDefined(h.tenant.truth.user(inside))
    assert.isTrue(t.isMember("Engineering", inside))
  })

  it("removeGroupMember sends DELETE .../members/{id}/$ref: the membership goes, the user stays", async () => {
    const t = truthOf(h.tenant)
    const engineering = t.groupId("Engineering")
    const inside = h.tenant.truth.members(engineering).find((m) => m.type === "user")!.id
    const plan = await h.plan([{ operation: "removeGroupMember", params: { group: engineering, member: inside } }])
    assert.match(plan.operations[0]!.calls[0]!.url, /\/members\/[0-9a-f-]{36}\/\$ref$/u)
    const [result] = await h.apply([{ operation: "removeGroupMember", params: { group: engineering, member: inside } }])
    assert.strictEqual(result!.status, "applied")
    assert.isDefined(h.tenant.truth.user(inside))
    assert.isFalse(t.isMember("Engineering", inside))
  })
})

describe("a failed operation stops the batch; applying it again finishes the job", () => {
  it("Graph refuses a write: later operations are skipped; once fixed, the same batch applies only what is missing", async () => {
    const h = await startHarness()
    try {
      const batch = (domain: string): ReadonlyArray<OperationRequest> => [
        { id: "member", operation: "addGroupMember", params: { group: "Org Level 2", member: h.upn("ruth.hayes") } },
        { id: "hire", operation: "createUser", params: { userPrincipalName: `late.hire@${domain}`, displayName: "Late Hire" } },
        { id: "revoke", operation: "revokeAppRole", params: { principal: h.upn("ruth.hayes"), resource: "*" } }
      ]
      const first = await h.apply(batch("not-a-verified-domain.example"))
      assert.deepStrictEqual(statuses(first), ["skipped", "failed", "skipped"])
      assert.strictEqual(first[1]!.error?.failureClass, "config")
      assert.match(first[1]!.message, /domain/u)
      assert.match(first[0]!.message, /hire createUser failed before it/u)

      const second = await h.apply(batch(h.domain))
      assert.deepStrictEqual(statuses(second), ["applied", "applied", "applied"])
      assert.deepStrictEqual(statuses(await h.apply(batch(h.domain))), ["no-op", "no-op", "no-op"])
    } finally {
      await h.stop()
    }
  })
})
