import type { LifecycleFixture } from "@idconnect/connector-testkit/LifecycleChecks"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import type { OperationRequest } from "@idconnect/schemas/Operation"

interface Targets {
  readonly userId: string
  readonly groupId: string
  readonly resourceId: string
  readonly appRoleId: string
  readonly auId: string | undefined
}

/**
 * The lifecycle fixture of the conformance kit for a simulated tenant (any preset and seed): a
 * cloud-only user gains a membership of an ordinary security group, an app role and an
 * administrative unit membership, and loses them again in the undo. The targets are chosen from
 * the tenant's ground truth on first use, so the fixture fits whatever the generator produced.
 */
export const lifecycleConformanceFixture = (sim: () => GraphSimHandle): LifecycleFixture => {
  let chosen: Targets | undefined
  const tenant = () => sim().tenant(sim().tenants[0]!.tenantId)
  const targets = (): Targets => {
    if (chosen !== undefined) return chosen
    const t = tenant().truth
    const groups = t.groups().filter((g) => !g.groupTypes.includes("DynamicMembership") && !g.groupTypes.includes("Unified") && g.isAssignableToRole !== true && g.onPremisesSyncEnabled !== true)
    const users = t.users().filter((u) => u.onPremisesSyncEnabled !== true && u.userType === "Member")
    for (const group of groups) {
      const members = new Set(t.members(group.id).map((m) => m.id))
      for (const user of users.filter((u) => !members.has(u.id))) {
        const held = new Set(t.appRoleAssignments().filter((a) => a.principalId === user.id).map((a) => `${a.resourceId}/${a.appRoleId}`))
        for (const sp of t.servicePrincipals()) {
          const role = sp.appRoles.find((r) => r.allowedMemberTypes.includes("User") && r.isEnabled !== false && !held.has(`${sp.id}/${r.id}`))
          if (role === undefined) continue
          const au = t.administrativeUnits().find((a) => !t.administrativeUnitMembers(a.id).some((m) => m.id === user.id))
          chosen = { userId: user.id, groupId: group.id, resourceId: sp.id, appRoleId: role.id, auId: au?.id }
          return chosen
        }
      }
    }
    throw new Error("the simulated tenant has no user/group/app role to run the lifecycle conformance fixture on")
  }
  const ops = (add: boolean): ReadonlyArray<OperationRequest> => {
    const x = targets()
    return [
      { id: "membership", operation: add ? "addGroupMember" : "removeGroupMember", params: { group: x.groupId, member: x.userId } },
      { id: "app-role", operation: add ? "grantAppRole" : "revokeAppRole", params: { principal: x.userId, resource: x.resourceId, appRole: x.appRoleId } },
      ...(x.auId === undefined
        ? []
        : [{ id: "administrative-unit", operation: add ? "addAdministrativeUnitMember" : "removeAdministrativeUnitMember", params: { administrativeUnit: x.auId, member: x.userId } }])
    ]
  }
  return {
    operations: () => ops(true),
    undo: () => ops(false),
    snapshot: () => {
      const x = targets()
      const t = tenant().truth
      return {
        members: t.members(x.groupId).map((m) => m.id).sort(),
        appRoles: t.appRoleAssignments().filter((a) => a.principalId === x.userId).map((a) => `${a.resourceId}/${a.appRoleId}`).sort(),
        administrativeUnit: x.auId === undefined ? [] : t.administrativeUnitMembers(x.auId).map((m) => m.id).sort()
      }
    }
  }
}
