import { type Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, SimTenant, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let info: TenantInfo
let tenant: SimTenant
let client: Client

const failure = (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error("expected a GraphError") }, (e: unknown) => e)
const ref = (id: string) => ({ "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${id}` })

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small", seed: 11 }, { preset: "demo", license: "P1", seed: 12 }] })
  info = sim.tenants[0]
  tenant = sim.tenant(info.tenantId)
  client = clientFor(sim, info)
})
afterAll(async () => {
  await sim?.stop()
})

const cloudUser = () => tenant.truth.users().find((u) => u.onPremisesSyncEnabled !== true && u.userType === "Member" && !tenant.truth.isPrivilegedTarget(u.id) && u.accountEnabled)!

describe("lifecycle writes: users", () => {
  it("create (201), duplicate UPN (400), update (204), disable, revoke sessions (200 {value:true})", async () => {
    const upn = `new.hire@${info.domain}`
    const created = await client.api("/users").post({ accountEnabled: true, displayName: "New Hire", mailNickname: "new.hire", userPrincipalName: upn, passwordProfile: { forceChangePasswordNextSignIn: true, password: "x!Y2" } })
    expect(created.userPrincipalName).toBe(upn)
    expect(tenant.truth.user(created.id)!.displayName).toBe("New Hire")
    const dup = await failure(client.api("/users").post({ accountEnabled: true, displayName: "Again", mailNickname: "new.hire2", userPrincipalName: upn, passwordProfile: { password: "x!Y2" } }))
    expect(dup.statusCode).toBe(400)
    expect(dup.code).toBe("Request_BadRequest")
    expect(dup.message).toBe("Another object with the same value for property userPrincipalName already exists.")
    const missing = await failure(client.api("/users").post({ displayName: "No UPN" }))
    expect(missing.statusCode).toBe(400)
    const token = await tokenFor(sim, info)
    const viaRaw = await raw(sim, "/v1.0/users", { token, method: "POST", body: { accountEnabled: true, displayName: "Raw Hire", mailNickname: "raw.hire", userPrincipalName: `raw.hire@${info.domain}`, passwordProfile: { password: "x!Y2" } } })
    expect(viaRaw.status).toBe(201)
    expect(viaRaw.body["@odata.context"]).toBe(`${sim.graphBaseUrl}/v1.0/$metadata#users/$entity`)
    const badDomain = await failure(client.api("/users").post({ accountEnabled: true, displayName: "x", mailNickname: "x", userPrincipalName: "x@example.org", passwordProfile: { password: "x" } }))
    expect(badDomain.message).toContain("domain portion of the userPrincipalName")

    const res = await client.api(`/users/${created.id}`).responseType("raw" as never).patch({ jobTitle: "Engineer", accountEnabled: false })
    expect((res as unknown as Response).status).toBe(204)
    expect(tenant.truth.user(created.id)).toMatchObject({ jobTitle: "Engineer", accountEnabled: false })
    const before = tenant.truth.user(created.id)!.signInSessionsValidFromDateTime
    const revoked = await client.api(`/users/${created.id}/revokeSignInSessions`).post({})
    expect(revoked.value).toBe(true)
    expect(tenant.truth.user(created.id)!.signInSessionsValidFromDateTime! >= before!).toBe(true)
  })

  it("delete is a soft delete for 30 days; restore from deletedItems brings the user back with its groups", async () => {
    const u = cloudUser()
    const groupsBefore = tenant.truth.groups().filter((g) => tenant.truth.members(g.id).some((m) => m.id === u.id)).map((g) => g.id)
    await client.api(`/users/${u.id}`).delete()
    expect(tenant.truth.user(u.id)).toBeUndefined()
    const deleted = await client.api("/directory/deletedItems/microsoft.graph.user").select("id,deletedDateTime").top(999).get()
    expect(deleted.value.map((x: any) => x.id)).toContain(u.id)
    expect((await failure(client.api(`/users/${u.id}`).get())).statusCode).toBe(404)
    const restored = await client.api(`/directory/deletedItems/${u.id}/restore`).post({})
    expect(restored.id).toBe(u.id)
    expect(restored["@odata.type"]).toBe("#microsoft.graph.user")
    const groupsAfter = tenant.truth.groups().filter((g) => tenant.truth.members(g.id).some((m) => m.id === u.id)).map((g) => g.id)
    expect(groupsAfter.sort()).toEqual(groupsBefore.sort())
  })

  it("privileged targets need the app's service principal to hold Privileged Authentication Administrator", async () => {
    const ga = tenant.truth.roleAssignments().find((a) => a.roleDefinitionId === "62e90394-69f5-4237-9190-012177145e10" && tenant.truth.user(a.principalId) !== undefined)!
    const denied = await failure(client.api(`/users/${ga.principalId}`).patch({ accountEnabled: false }))
    expect(denied.statusCode).toBe(403)
    expect(denied.code).toBe("Authorization_RequestDenied")
    expect(denied.message).toBe("Insufficient privileges to complete the operation.")
    expect((await failure(client.api(`/users/${ga.principalId}`).delete())).statusCode).toBe(403)
    tenant.setPrivilegedRole(true)
    await client.api(`/users/${ga.principalId}`).patch({ accountEnabled: false })
    expect(tenant.truth.user(ga.principalId)!.accountEnabled).toBe(false)
    tenant.setPrivilegedRole(false)
  })

  it("on-premises synced users: cloud updates of mastered attributes are refused", async () => {
    const synced = tenant.truth.users().find((u) => u.onPremisesSyncEnabled === true && !tenant.truth.isPrivilegedTarget(u.id))!
    const e = await failure(client.api(`/users/${synced.id}`).patch({ displayName: "Cloud edit" }))
    expect(e.statusCode).toBe(400)
    expect(e.message).toBe("Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.")
    await client.api(`/users/${synced.id}`).patch({ employeeLeaveDateTime: "2030-01-31T17:00:00Z" })
    expect(tenant.truth.user(synced.id)!.employeeLeaveDateTime).toBe("2030-01-31T17:00:00Z")
  })
})

describe("lifecycle writes: groups and memberships", () => {
  it("add member (204), duplicate (400 exact message), remove (204), remove a non-member (404)", async () => {
    const g = tenant.truth.groups().find((x) => x.displayName.startsWith("SG-") && x.onPremisesSyncEnabled !== true)!
    const u = tenant.truth.users().find((x) => !tenant.truth.members(g.id).some((m) => m.id === x.id))!
    await client.api(`/groups/${g.id}/members/$ref`).post(ref(u.id))
    expect(tenant.truth.members(g.id).map((m) => m.id)).toContain(u.id)
    const dup = await failure(client.api(`/groups/${g.id}/members/$ref`).post(ref(u.id)))
    expect(dup.statusCode).toBe(400)
    expect(dup.code).toBe("Request_BadRequest")
    expect(dup.message).toBe("One or more added object references already exist for the following modified properties: 'members'.")
    await client.api(`/groups/${g.id}/members/${u.id}/$ref`).delete()
    expect(tenant.truth.members(g.id).map((m) => m.id)).not.toContain(u.id)
    const again = await failure(client.api(`/groups/${g.id}/members/${u.id}/$ref`).delete())
    expect(again.statusCode).toBe(404)
    expect(again.code).toBe("Request_ResourceNotFound")
    const ghost = await failure(client.api(`/groups/${g.id}/members/$ref`).post(ref("00000000-0000-4000-8000-0000000000aa")))
    expect(ghost.statusCode).toBe(404)
  })

  it("owners: add (204), duplicate (400 'owners'), remove (204)", async () => {
    const g = tenant.truth.groups().find((x) => x.displayName.startsWith("SG-") && tenant.truth.owners(x.id).length === 0)!
    const u = cloudUser()
    await client.api(`/groups/${g.id}/owners/$ref`).post(ref(u.id))
    const dup = await failure(client.api(`/groups/${g.id}/owners/$ref`).post(ref(u.id)))
    expect(dup.message).toBe("One or more added object references already exist for the following modified properties: 'owners'.")
    await client.api(`/groups/${g.id}/owners/${u.id}/$ref`).delete()
    expect(tenant.truth.owners(g.id)).toEqual([])
  })

  it("dynamic groups refuse member changes; role-assignable groups need RoleManagement.ReadWrite.Directory", async () => {
    const dynamic = tenant.truth.groups().find((x) => x.groupTypes.includes("DynamicMembership"))!
    const u = cloudUser()
    const e = await failure(client.api(`/groups/${dynamic.id}/members/$ref`).post(ref(u.id)))
    expect(e.statusCode).toBe(403)
    expect(e.code).toBe("Authorization_RequestDenied")
    const pag = tenant.truth.groups().find((x) => x.isAssignableToRole === true)!
    const main = info.apps[0]
    tenant.setAppPermissions(main.clientId, main.permissions.filter((p) => p !== "RoleManagement.ReadWrite.Directory"))
    const narrowed = clientFor(sim, info)
    const denied = await failure(narrowed.api(`/groups/${pag.id}/members/$ref`).post(ref(u.id)))
    expect(denied.statusCode).toBe(403)
    tenant.setAppPermissions(main.clientId, main.permissions)
    await clientFor(sim, info).api(`/groups/${pag.id}/members/$ref`).post(ref(u.id))
    expect(tenant.truth.members(pag.id).map((m) => m.id)).toContain(u.id)
  })

  it("DELETE .../members/{id} without /$ref deletes the member object itself, or 403 without permission on that type", async () => {
    const g = tenant.truth.groups().find((x) => x.displayName.startsWith("SG-") && x.onPremisesSyncEnabled !== true && tenant.truth.members(x.id).length > 1)!
    const victim = tenant.truth.members(g.id).find((m) => m.type === "user" && !tenant.truth.isPrivilegedTarget(m.id))!
    await client.api(`/groups/${g.id}/members/${victim.id}`).delete()
    expect(tenant.truth.user(victim.id)).toBeUndefined()
    expect(tenant.truth.deletedItems().map((d) => d.id)).toContain(victim.id)
    const withSp = tenant.truth.groups().find((x) => tenant.truth.members(x.id).some((m) => m.type === "servicePrincipal"))!
    const sp = tenant.truth.members(withSp.id).find((m) => m.type === "servicePrincipal")!
    const e = await failure(client.api(`/groups/${withSp.id}/members/${sp.id}`).delete())
    expect(e.statusCode).toBe(403)
    expect(tenant.truth.members(withSp.id).map((m) => m.id)).toContain(sp.id)
  })

  it("create group (201); delete: security groups are gone at once, Microsoft 365 groups are soft-deleted", async () => {
    const u = cloudUser()
    const sg = await client.api("/groups").post({ displayName: "Lifecycle SG", mailEnabled: false, mailNickname: "lifecyclesg", securityEnabled: true, "owners@odata.bind": [`https://graph.microsoft.com/v1.0/users/${u.id}`] })
    expect(tenant.truth.owners(sg.id).map((o) => o.id)).toEqual([u.id])
    const m365 = await client.api("/groups").post({ displayName: "Lifecycle Team", mailEnabled: true, mailNickname: "lifecycleteam", securityEnabled: false, groupTypes: ["Unified"] })
    const pag = await client.api("/groups").post({ displayName: "Lifecycle PAG", mailEnabled: false, mailNickname: "lifecyclepag", securityEnabled: true, isAssignableToRole: true })
    expect(pag.isAssignableToRole).toBe(true)
    await client.api(`/groups/${sg.id}`).delete()
    await client.api(`/groups/${m365.id}`).delete()
    const deleted = tenant.truth.deletedItems().map((d) => d.id)
    expect(deleted).toContain(m365.id)
    expect(deleted).not.toContain(sg.id)
    expect(tenant.truth.group(sg.id)).toBeUndefined()
  })
})

describe("lifecycle writes: app roles, directory roles, PIM, administrative units", () => {
  it("appRoleAssignedTo: 201, duplicate 400 'Permission being assigned already exists on the object.', delete 204", async () => {
    const sp = tenant.truth.servicePrincipals().find((s) => s.appRoles.some((r) => r.allowedMemberTypes.includes("User")) && s.appOwnerOrganizationId === info.tenantId)!
    const role = sp.appRoles.find((r) => r.allowedMemberTypes.includes("User"))!
    const u = cloudUser()
    const body = { principalId: u.id, resourceId: sp.id, appRoleId: role.id }
    const created = await client.api(`/servicePrincipals/${sp.id}/appRoleAssignedTo`).post(body)
    expect(created).toMatchObject({ principalId: u.id, resourceId: sp.id, appRoleId: role.id, principalType: "User", principalDisplayName: u.displayName, resourceDisplayName: sp.displayName })
    const dup = await failure(client.api(`/servicePrincipals/${sp.id}/appRoleAssignedTo`).post(body))
    expect(dup.statusCode).toBe(400)
    expect(dup.code).toBe("Request_BadRequest")
    expect(dup.message).toBe("Permission being assigned already exists on the object.")
    await client.api(`/servicePrincipals/${sp.id}/appRoleAssignedTo/${created.id}`).delete()
    expect(tenant.truth.appRoleAssignments().some((a) => a.id === created.id)).toBe(false)
  })

  it("roleAssignments: 201, duplicate 400 conflicting object, delete 204", async () => {
    const u = cloudUser()
    const body = { roleDefinitionId: "729827e3-9c14-49f7-bb1b-9608f156bbb8", principalId: u.id, directoryScopeId: "/" }
    const created = await client.api("/roleManagement/directory/roleAssignments").post(body)
    expect(created).toMatchObject(body)
    const dup = await failure(client.api("/roleManagement/directory/roleAssignments").post(body))
    expect(dup.statusCode).toBe(400)
    expect(dup.message).toBe("A conflicting object with one or more of the specified property values is present in the directory.")
    const roles = await client.api("/directoryRoles").get()
    const helpdesk = roles.value.find((r: any) => r.roleTemplateId === body.roleDefinitionId)
    const members = await client.api(`/directoryRoles/${helpdesk.id}/members`).get()
    expect(members.value.map((m: any) => m.id)).toContain(u.id)
    await client.api(`/roleManagement/directory/roleAssignments/${created.id}`).delete()
    expect(tenant.truth.roleAssignments().some((a) => a.id === created.id)).toBe(false)
  })

  it("PIM eligibility requests (P2): adminAssign 201, repeat 400 RoleAssignmentExists, adminRemove; P1 tenant 400 AadPremiumLicenseRequired", async () => {
    const u = cloudUser()
    const body = {
      action: "adminAssign",
      justification: "access review",
      roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1",
      directoryScopeId: "/",
      principalId: u.id,
      scheduleInfo: { startDateTime: new Date().toISOString(), expiration: { type: "afterDateTime", endDateTime: "2031-01-01T00:00:00Z" } }
    }
    const created = await client.api("/roleManagement/directory/roleEligibilityScheduleRequests").post(body)
    expect(created).toMatchObject({ action: "adminAssign", status: "Provisioned", principalId: u.id })
    const schedules = await client.api("/roleManagement/directory/roleEligibilitySchedules").filter(`principalId eq '${u.id}'`).get()
    expect(schedules.value).toHaveLength(1)
    const dup = await failure(client.api("/roleManagement/directory/roleEligibilityScheduleRequests").post(body))
    expect(dup.code).toBe("RoleAssignmentExists")
    await client.api("/roleManagement/directory/roleEligibilityScheduleRequests").post({ ...body, action: "adminRemove" })
    expect(tenant.truth.roleEligibilitySchedules().some((s) => s.principalId === u.id)).toBe(false)
    const p1 = sim.tenants[1]
    const e = await failure(clientFor(sim, p1).api("/roleManagement/directory/roleEligibilitySchedules").get())
    expect(e.statusCode).toBe(400)
    expect(e.code).toBe("AadPremiumLicenseRequired")
  })

  it("administrative unit members: $ref add 204, duplicate 400, remove 204", async () => {
    const au = tenant.truth.administrativeUnits()[0]
    const u = tenant.truth.users().find((x) => !tenant.truth.administrativeUnitMembers(au.id).some((m) => m.id === x.id))!
    await client.api(`/directory/administrativeUnits/${au.id}/members/$ref`).post({ "@odata.id": `https://graph.microsoft.com/v1.0/users/${u.id}` })
    expect(tenant.truth.administrativeUnitMembers(au.id).map((m) => m.id)).toContain(u.id)
    const dup = await failure(client.api(`/directory/administrativeUnits/${au.id}/members/$ref`).post({ "@odata.id": `https://graph.microsoft.com/v1.0/users/${u.id}` }))
    expect(dup.statusCode).toBe(400)
    await client.api(`/directory/administrativeUnits/${au.id}/members/${u.id}/$ref`).delete()
    expect(tenant.truth.administrativeUnitMembers(au.id).map((m) => m.id)).not.toContain(u.id)
  })

  it("writes need write permissions (403 for the read-only app)", async () => {
    const partial = clientFor(sim, info, "partial")
    const u = cloudUser()
    const e = await failure(partial.api(`/users/${u.id}`).patch({ jobTitle: "x" }))
    expect(e.statusCode).toBe(403)
    expect(e.code).toBe("Authorization_RequestDenied")
  })

  it("504 after apply: the write happens although the caller gets a 504", async () => {
    tenant.setFaults({ rate504AfterApply: 1 })
    const g = tenant.truth.groups().find((x) => x.displayName.startsWith("SG-") && x.onPremisesSyncEnabled !== true)!
    const u = tenant.truth.users().find((x) => !tenant.truth.members(g.id).some((m) => m.id === x.id) && x.accountEnabled)!
    const noRetry = clientFor(sim, info)
    const e = await failure(noRetry.api(`/groups/${g.id}/members/$ref`).middlewareOptions([new RetryHandlerOptions(0, 0)]).post(ref(u.id)))
    expect(e.statusCode).toBe(504)
    tenant.setFaults({})
    expect(tenant.truth.members(g.id).map((m) => m.id)).toContain(u.id)
    const retry = await failure(noRetry.api(`/groups/${g.id}/members/$ref`).post(ref(u.id)))
    expect(retry.message).toBe("One or more added object references already exist for the following modified properties: 'members'.")
    const token = await tokenFor(sim, info)
    expect((await raw(sim, `/v1.0/groups/${g.id}/members/${u.id}/$ref`, { token, method: "DELETE" })).status).toBe(204)
    expect(sim.counters()[info.tenantId].faults["504AfterApply"]).toBe(1)
  })
})
