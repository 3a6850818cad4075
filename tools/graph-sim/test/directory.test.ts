import type { Client } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, startSim } from "./support.ts"

let sim: GraphSimHandle
let p2: TenantInfo
let p1: TenantInfo
let none: TenantInfo
let client: Client

const failure = (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error("expected a GraphError") }, (e: unknown) => e)

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small", seed: 21 }, { preset: "demo", seed: 22, license: "P1" }, { preset: "demo", seed: 23, license: "none" }] })
  ;[p2, p1, none] = sim.tenants
  client = clientFor(sim, p2)
})
afterAll(async () => {
  await sim?.stop()
})

describe("roles, PIM and administrative units", () => {
  it("role definitions and assignments (incl. AU and app scopes) match the ground truth; $expand=principal types the principal", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const defs = await client.api("/roleManagement/directory/roleDefinitions").get()
    expect(defs.value.length).toBe(truth.roleDefinitions().length)
    expect(defs["@odata.nextLink"]).toBeUndefined()
    const assignments = await pageAll(client, await client.api("/roleManagement/directory/roleAssignments").expand("principal").get())
    expect(assignments.items.map((a: any) => a.id).sort()).toEqual(truth.roleAssignments().map((a) => a.id).sort())
    const types = new Set(assignments.items.map((a: any) => a.principal["@odata.type"]))
    expect([...types].sort()).toEqual(["#microsoft.graph.group", "#microsoft.graph.servicePrincipal", "#microsoft.graph.user"])
    expect(assignments.items.some((a: any) => a.directoryScopeId.startsWith("/administrativeUnits/"))).toBe(true)
    const ga = await client.api("/roleManagement/directory/roleAssignments").filter("roleDefinitionId eq '62e90394-69f5-4237-9190-012177145e10'").get()
    expect(ga.value.length).toBe(truth.roleAssignments().filter((a) => a.roleDefinitionId === "62e90394-69f5-4237-9190-012177145e10").length)
    const someone = truth.roleAssignments()[0].principalId
    const mine = await client.api("/roleManagement/directory/roleAssignments").filter(`principalId eq '${someone}'`).get()
    expect(mine.value.every((a: any) => a.principalId === someone)).toBe(true)
  })

  it("eligible (PIM) and active schedules", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const eligible = await pageAll(client, await client.api("/roleManagement/directory/roleEligibilitySchedules").get())
    expect(eligible.items.map((s: any) => s.id).sort()).toEqual(truth.roleEligibilitySchedules().map((s) => s.id).sort())
    expect(eligible.items[0].scheduleInfo.expiration.type).toMatch(/noExpiration|afterDateTime/)
    const active = await pageAll(client, await client.api("/roleManagement/directory/roleAssignmentSchedules").get())
    expect(active.items).toHaveLength(truth.roleAssignments().length)
    const partial = await failure(clientFor(sim, p2, "partial").api("/roleManagement/directory/roleEligibilitySchedules").get())
    expect(partial.statusCode).toBe(403)
  })

  it("directoryRoles: activated roles only, no paging, no query options besides $select", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const roles = await client.api("/directoryRoles").get()
    expect(roles.value.map((r: any) => r.roleTemplateId).sort()).toEqual(truth.directoryRoles().map((r) => r.roleTemplateId).sort())
    const ga = truth.directoryRoles().find((r) => r.roleTemplateId === "62e90394-69f5-4237-9190-012177145e10")!
    const members = await client.api(`/directoryRoles/${ga.id}/members`).get()
    expect(members.value.map((m: any) => m.id).sort()).toEqual([...ga.memberIds].sort())
    expect((await failure(client.api("/directoryRoles").top(1).get())).statusCode).toBe(400)
    const selected = await client.api("/directoryRoles").select("id,displayName").get()
    expect(Object.keys(selected.value[0]).sort()).toEqual(["displayName", "id"])
  })

  it("administrative units with members and scoped role members", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const aus = await client.api("/directory/administrativeUnits").get()
    expect(aus.value.map((a: any) => a.id).sort()).toEqual(truth.administrativeUnits().map((a) => a.id).sort())
    for (const au of truth.administrativeUnits()) {
      const members = await pageAll(client, await client.api(`/directory/administrativeUnits/${au.id}/members`).select("id").top(999).get())
      expect(members.items.map((m: any) => m.id).sort()).toEqual(truth.administrativeUnitMembers(au.id).map((m) => m.id).sort())
    }
    const scoped = truth.administrativeUnits().map((au) => ({ au, s: truth.scopedRoleMembers(au.id) })).find((x) => x.s.length > 0)!
    const res = await client.api(`/directory/administrativeUnits/${scoped.au.id}/scopedRoleMembers`).get()
    expect(res.value.map((x: any) => x.roleMemberInfo.id).sort()).toEqual(scoped.s.map((x) => x.roleMemberInfo.id).sort())
  })
})

describe("applications, service principals, consents", () => {
  it("applications with credential expiry, owners; service principals with app roles and assignments", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const apps = await pageAll(client, await client.api("/applications").select("id,appId,displayName,passwordCredentials,keyCredentials").top(999).get())
    expect(apps.items.map((a: any) => a.id).sort()).toEqual(truth.applications().map((a) => a.id).sort())
    const now = Date.now()
    const secrets = apps.items.flatMap((a: any) => a.passwordCredentials)
    expect(secrets.some((s: any) => Date.parse(s.endDateTime) < now)).toBe(true)
    expect(secrets.some((s: any) => Date.parse(s.endDateTime) > now && Date.parse(s.endDateTime) < now + 30 * 86_400_000)).toBe(true)
    const owned = truth.applications().find((a) => truth.owners(a.id).length > 0)!
    const owners = await client.api(`/applications/${owned.id}/owners`).get()
    expect(owners.value.map((o: any) => o.id).sort()).toEqual(truth.owners(owned.id).map((o) => o.id).sort())
    const sps = await pageAll(client, await client.api("/servicePrincipals").select("id,appId,servicePrincipalType,appRoles").top(999).get())
    expect(sps.items).toHaveLength(truth.servicePrincipals().length)
    const graph = sps.items.find((s: any) => s.appId === "00000003-0000-0000-c000-000000000000")
    expect(graph.appRoles.map((r: any) => r.value)).toContain("User.Read.All")
    expect(sps.items.some((s: any) => s.servicePrincipalType === "ManagedIdentity")).toBe(true)
    const assignedTo = await pageAll(client, await client.api(`/servicePrincipals/${graph.id}/appRoleAssignedTo`).top(999).get())
    expect(assignedTo.items.length).toBe(truth.appRoleAssignments().filter((a) => a.resourceId === graph.id).length)
    const mainSp = p2.apps[0].servicePrincipalId
    const held = await client.api(`/servicePrincipals/${mainSp}/appRoleAssignments`).get()
    const roleValues = new Map<string, string>(graph.appRoles.map((r: any) => [r.id, r.value]))
    expect(held.value.map((a: any) => roleValues.get(a.appRoleId)).sort()).toEqual([...p2.apps[0].permissions].sort())
  })

  it("oauth2PermissionGrants need Directory.Read.All", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const grants = await pageAll(client, await client.api("/oauth2PermissionGrants").get())
    expect(grants.items.map((g: any) => g.id).sort()).toEqual(truth.oauth2PermissionGrants().map((g) => g.id).sort())
    expect(grants.items.some((g: any) => g.consentType === "AllPrincipals")).toBe(true)
    const e = await failure(clientFor(sim, p2, "partial").api("/oauth2PermissionGrants").get())
    expect(e.statusCode).toBe(403)
    expect(e.message).toBe("Insufficient privileges to complete the operation.")
  })

  it("organization, subscribed SKUs, devices and contacts", async () => {
    const org = await client.api("/organization").get()
    expect(org.value[0]).toMatchObject({ id: p2.tenantId, displayName: p2.displayName })
    const skus = await client.api("/subscribedSkus").get()
    expect(skus.value.map((s: any) => s.skuPartNumber)).toContain("AAD_PREMIUM_P2")
    const devices = await pageAll(client, await client.api("/devices").top(999).get())
    expect(devices.items).toHaveLength(sim.tenant(p2.tenantId).truth.devices().length)
    const contacts = await client.api("/contacts").get()
    expect(contacts.value).toHaveLength(sim.tenant(p2.tenantId).truth.orgContacts().length)
  })
})

describe("audit logs and identity protection", () => {
  it("directoryAudits: time-window filter, paging; signIns newest first with the 1000 default page", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const all = truth.directoryAudits()
    const since = all[Math.floor(all.length / 3)].activityDateTime
    const window = await pageAll(client, await client.api("/auditLogs/directoryAudits").filter(`activityDateTime ge ${since}`).get())
    expect(window.items.map((a: any) => a.id)).toEqual(all.filter((a) => a.activityDateTime >= since).map((a) => a.id))
    const signIns = await client.api("/auditLogs/signIns").get()
    expect(signIns.value).toHaveLength(1000)
    expect(signIns["@odata.nextLink"]).toBeDefined()
    const times = signIns.value.map((s: any) => Date.parse(s.createdDateTime))
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    const one = await client.api(`/auditLogs/signIns/${signIns.value[3].id}`).get()
    expect(one.id).toBe(signIns.value[3].id)
  })

  it("reports need P1/P2 and AuditLog.Read.All", async () => {
    const noLicence = await failure(clientFor(sim, none).api("/auditLogs/directoryAudits").get())
    expect(noLicence.statusCode).toBe(403)
    expect(noLicence.code).toBe("Authentication_RequestFromNonPremiumTenantOrB2CTenant")
    const noPermission = await failure(clientFor(sim, p2, "partial").api("/auditLogs/signIns").get())
    expect(noPermission.statusCode).toBe(403)
    expect(noPermission.code).toBe("Authentication_MSGraphPermissionMissing")
    expect((await clientFor(sim, p1).api("/auditLogs/directoryAudits").top(5).get()).value).toHaveLength(5)
  })

  it("riskyUsers need P2, riskDetections P1 or P2", async () => {
    const risky = await client.api("/identityProtection/riskyUsers").get()
    expect(risky.value.length).toBe(sim.tenant(p2.tenantId).truth.riskyUsers().length)
    const p1Client = clientFor(sim, p1)
    expect((await failure(p1Client.api("/identityProtection/riskyUsers").get())).statusCode).toBe(403)
    const detections = await p1Client.api("/identityProtection/riskDetections").get()
    expect(detections.value.length).toBe(sim.tenant(p1.tenantId).truth.riskDetections().length)
    expect((await failure(clientFor(sim, none).api("/identityProtection/riskDetections").get())).statusCode).toBe(403)
  })
})

describe("addressing", () => {
  it("OData key syntax: users('id'), servicePrincipals(appId='...'), directoryRoles(roleTemplateId='...')", async () => {
    const truth = sim.tenant(p2.tenantId).truth
    const u = truth.users()[4]
    expect((await client.api(`/users('${u.id}')`).select("id").get()).id).toBe(u.id)
    const graphSp = await client.api("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").select("id,appId,displayName").get()
    expect(graphSp.displayName).toBe("Microsoft Graph")
    const app = truth.applications()[0]
    expect((await client.api(`/applications(appId='${app.appId}')`).select("id").get()).id).toBe(app.id)
    const ga = await client.api("/directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')").get()
    expect(ga.displayName).toBe("Global Administrator")
    expect((await failure(client.api("/servicePrincipals(appId='11111111-1111-4111-8111-111111111111')").get())).statusCode).toBe(404)
  })
})

describe("errors", () => {
  it("unknown segments are 400 'Resource not found for the segment', wrong methods 405; every error has innerError", async () => {
    const e = await failure(client.api("/usres").get())
    expect(e.statusCode).toBe(400)
    expect(e.message).toBe("Resource not found for the segment 'usres'.")
    expect(e.date).toBeInstanceOf(Date)
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const m = await failure(client.api("/organization").patch({}))
    expect(m.statusCode).toBe(405)
  })
})
