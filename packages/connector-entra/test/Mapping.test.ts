import { assert, describe, it } from "@effect/vitest"
import { resolveEndpoints } from "../src/Clouds.ts"
import {
  appRoleAssignmentRelation,
  appRoleRecords,
  credentialSummary,
  delegatedGrantRelation,
  memberRelation,
  roleGrantRelation,
  roleRelation,
  servicePrincipalEntities,
  userEntity
} from "../src/Mapping.ts"
import { holds, permissionForRequest, PERMISSIONS } from "../src/Permissions.ts"

describe("mapping", () => {
  it("a user keeps its raw Graph object, its manager's id and its risk", () => {
    const e = userEntity(
      { "@odata.context": "x", id: "u1", displayName: "Ada", accountEnabled: false, manager: { "@odata.type": "#microsoft.graph.user", id: "m1" } },
      { riskLevel: "high", riskState: "atRisk", riskDetail: "none", riskLastUpdatedDateTime: "2025-01-01T00:00:00Z" }
    )
    assert.deepStrictEqual([e.entityType, e.sourceType, e.sourceId, e.name, e.sourceSystem, e.metadataVersion], ["identity", "user", "u1", "Ada", "azure", "graph-v1.0"])
    assert.strictEqual(e.metadata?.accountEnabled, false)
    assert.strictEqual(e.metadata?.managerId, "m1")
    assert.strictEqual(e.metadata?.riskLevel, "high")
    assert.isUndefined(e.metadata?.["@odata.context"])
  })

  it("a service principal is an identity and an enterprise application; its app roles grant access to it", () => {
    const sp = { id: "sp1", appId: "a1", displayName: "Payroll", appRoles: [{ id: "r1", displayName: "Admin", value: "Admin" }] }
    const [identity, resource] = servicePrincipalEntities(sp, 0)
    assert.strictEqual(`${identity!.entityType}/${identity!.sourceType}`, "identity/servicePrincipal")
    assert.strictEqual(`${resource!.entityType}/${resource!.sourceType}`, "resource/enterpriseApplication")
    const { entity, grant } = appRoleRecords(sp, sp.appRoles[0]!)
    assert.strictEqual(entity.sourceId, "sp1/r1")
    assert.strictEqual(entity.name, "Payroll: Admin")
    assert.deepStrictEqual([grant.parentSourceType, grant.entitySourceType, grant.entitySourceId], ["appRole", "enterpriseApplication", "sp1"])
    const held = appRoleAssignmentRelation({ kind: "group", id: "g1" }, "sp1", "r1", { id: "as1" })
    assert.deepStrictEqual([held.parentEntityType, held.parentSourceType, held.entitySourceId, held.metadata?.privilegeName], ["connection", "group", "sp1/r1", "appRoleAssignment"])
  })

  it("nested groups are group -> group membership", () => {
    const r = memberRelation({ kind: "group", id: "child" }, "parent")
    assert.deepStrictEqual([r.parentEntityType, r.parentSourceType, r.parentSourceId, r.entitySourceId, r.metadata?.privilegeName], ["connection", "group", "child", "parent", "member"])
  })

  it("role relations carry scope, kind and dates; a role grants over its scope", () => {
    const eligible = roleRelation({ kind: "user", id: "u1" }, "role1", { scope: "/administrativeUnits/au1", kind: "eligible", startDateTime: "2025-01-01T00:00:00Z", endDateTime: "2025-06-01T00:00:00Z" })
    assert.deepStrictEqual(
      [eligible.metadata?.privilegeName, eligible.metadata?.assignmentKind, eligible.metadata?.scope, eligible.metadata?.endDateTime],
      ["roleEligibility", "eligible", "/administrativeUnits/au1", "2025-06-01T00:00:00Z"]
    )
    assert.strictEqual(roleGrantRelation("role1", "t1", "/").entitySourceType, "directory")
    assert.strictEqual(roleGrantRelation("role1", "t1", "/administrativeUnits/au1").entitySourceType, "administrativeUnit")
    assert.strictEqual(roleGrantRelation("role1", "t1", "/app-object-id").entitySourceType, "application")
  })

  it("delegated consents name the client, the resource, the scopes and who consented", () => {
    const all = delegatedGrantRelation({ id: "g", clientId: "c", resourceId: "r", consentType: "AllPrincipals", principalId: null, scope: "User.Read Mail.Read" })
    const one = delegatedGrantRelation({ id: "h", clientId: "c", resourceId: "r", consentType: "Principal", principalId: "u1", scope: "User.Read" })
    assert.strictEqual(all.metadata?.scope, "/")
    assert.deepStrictEqual(all.metadata?.permissionScopes, ["User.Read", "Mail.Read"])
    assert.strictEqual(one.metadata?.scope, "/users/u1")
  })

  it("summarises credential expiry", () => {
    const now = Date.parse("2025-01-10T00:00:00Z")
    const s = credentialSummary({ passwordCredentials: [{ endDateTime: "2025-01-01T00:00:00Z" }, { endDateTime: "2025-03-01T00:00:00Z" }], keyCredentials: [{ endDateTime: "2025-02-01T00:00:00Z" }] }, now)
    assert.deepStrictEqual(s, { credentialCount: 3, credentialsExpired: 1, nextCredentialExpiry: "2025-02-01T00:00:00Z" })
  })
})

describe("clouds", () => {
  it("selects each national cloud's authority and Graph host", () => {
    assert.strictEqual(resolveEndpoints({}).graphRoot, "https://graph.microsoft.com/v1.0/")
    const gov = resolveEndpoints({ cloud: "usgov" })
    assert.deepStrictEqual([gov.authorityHost, gov.graphBaseUrl, gov.scope], ["https://login.microsoftonline.us", "https://graph.microsoft.us", "https://graph.microsoft.us/.default"])
    const cn = resolveEndpoints({ cloud: "china" })
    assert.deepStrictEqual([cn.authorityHost, cn.graphBaseUrl], ["https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"])
    assert.isFalse(gov.customAuthority)
  })
  it("explicit overrides win and switch off instance discovery", () => {
    const sim = resolveEndpoints({ authorityHost: "https://127.0.0.1:8443/", graphBaseUrl: "https://127.0.0.1:8443/v1.0" })
    assert.deepStrictEqual([sim.authorityHost, sim.graphRoot, sim.graphHosts[0], sim.customAuthority], ["https://127.0.0.1:8443", "https://127.0.0.1:8443/v1.0/", "127.0.0.1", true])
  })
})

describe("permissions", () => {
  it("a higher-privileged permission covers a lower one", () => {
    assert.isTrue(holds(new Set(["Directory.Read.All"]), "User.Read.All"))
    assert.isTrue(holds(new Set(["RoleManagement.Read.Directory"]), "RoleManagement.Read.All"))
    assert.isFalse(holds(new Set(["User.Read.All"]), "AuditLog.Read.All"))
  })
  it("names the permission an endpoint needs", () => {
    assert.strictEqual(permissionForRequest("GET", "/groups/x/members?$select=id"), "GroupMember.Read.All")
    assert.strictEqual(permissionForRequest("GET", "https://graph.microsoft.com/v1.0/users?$select=id,signInActivity"), "AuditLog.Read.All")
    assert.strictEqual(permissionForRequest("POST", "/servicePrincipals/x/appRoleAssignedTo"), "AppRoleAssignment.ReadWrite.All")
    assert.strictEqual(permissionForRequest("GET", "/identityProtection/riskyUsers"), "IdentityRiskyUser.Read.All")
  })
  it("has every permission of both capability sets the issue lists", () => {
    const listed = new Set(PERMISSIONS.map((p) => p.permission))
    for (const p of [
      "RoleManagement.Read.All", "AuditLog.Read.All", "AdministrativeUnit.Read.All", "Application.Read.All", "Directory.Read.All",
      "Group.Read.All", "GroupMember.Read.All", "User.Read.All", "IdentityRiskEvent.Read.All", "IdentityRiskyUser.Read.All",
      "User-LifeCycleInfo.Read.All", "RoleManagement.ReadWrite.Directory", "AdministrativeUnit.ReadWrite.All", "Application.ReadWrite.All",
      "AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All"
    ]) assert.isTrue(listed.has(p), p)
  })
})
