import type { Client } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let small: TenantInfo
let unlicensed: TenantInfo
let client: Client

const failure = (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error("expected a GraphError") }, (e: unknown) => e)

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small" }, { preset: "demo", license: "none" }] })
  ;[small, unlicensed] = sim.tenants
  client = clientFor(sim, small)
})
afterAll(async () => {
  await sim?.stop()
})

describe("users: paging and $select/$top", () => {
  it("PageIterator reaches every user; nextLinks are absolute https on the simulator's host", async () => {
    const truth = sim.tenant(small.tenantId).truth.users()
    const first = await client.api("/users").select("id,displayName").top(999).get()
    const all = await pageAll(client, first)
    expect(all.items.map((u: any) => u.id).sort()).toEqual(truth.map((u) => u.id).sort())
    const second = await client.api("/users").select("id").top(37).get()
    expect(second["@odata.nextLink"]).toMatch(new RegExp(`^${sim.graphBaseUrl}/v1\\.0/users\\?`))
    const paged = await pageAll(client, second)
    expect(paged.items).toHaveLength(truth.length)
    expect(paged.pages).toBe(Math.ceil(truth.length / 37))
    expect(new Set(paged.items.map((u: any) => u.id)).size).toBe(truth.length)
  })

  it("$top outside 1..999 is a 400 Request_UnsupportedQuery with Graph's message", async () => {
    const e = await failure(client.api("/users").top(1000).get())
    expect(e.statusCode).toBe(400)
    expect(e.code).toBe("Request_UnsupportedQuery")
    expect(e.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await failure(client.api("/users").top(0).get())).statusCode).toBe(400)
  })

  it("returns default properties unless $select asks for select-only ones", async () => {
    const page = await client.api("/users").top(5).get()
    const u = page.value[0]
    expect(Object.keys(u).sort()).toEqual(["businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"])
    expect(u.accountEnabled).toBeUndefined()
    const selected = await client.api("/users").select("id,accountEnabled,userType,createdDateTime,onPremisesSyncEnabled,employeeHireDate,employeeId").top(999).get()
    const truth = new Map(sim.tenant(small.tenantId).truth.users().map((x) => [x.id, x]))
    for (const s of selected.value) {
      const t = truth.get(s.id)!
      expect(s).toEqual({ id: t.id, accountEnabled: t.accountEnabled, userType: t.userType, createdDateTime: t.createdDateTime, onPremisesSyncEnabled: t.onPremisesSyncEnabled, employeeHireDate: t.employeeHireDate, employeeId: t.employeeId })
    }
    expect(selected.value.some((x: any) => x.userType === "Guest")).toBe(true)
    expect(selected.value.some((x: any) => x.accountEnabled === false)).toBe(true)
    expect(selected.value.some((x: any) => x.onPremisesSyncEnabled === true)).toBe(true)
  })

  it("unknown and collection-unsupported properties in $select", async () => {
    const unknown = await failure(client.api("/users").select("id,doesNotExist").get())
    expect(unknown.statusCode).toBe(400)
    expect(unknown.message).toBe("Could not find a property named 'doesNotExist' on type 'microsoft.graph.user'.")
    const skills = await failure(client.api("/users").select("id,skills").get())
    expect(skills.statusCode).toBe(501)
    expect(skills.code).toBe("NotImplemented")
  })

  it("signInActivity: pages of at most 120, never-signed-in users have null", async () => {
    const first = await client.api("/users").select("id,signInActivity").top(999).get()
    expect(first.value).toHaveLength(120)
    const all = await pageAll(client, first)
    const truth = sim.tenant(small.tenantId).truth.users()
    expect(all.items).toHaveLength(truth.length)
    expect(all.pages).toBe(Math.ceil(truth.length / 120))
    const never = all.items.filter((u: any) => u.signInActivity === null)
    expect(never.length).toBe(truth.filter((u) => u.signInActivity === null).length)
    expect(never.length).toBeGreaterThan(0)
    const byId = new Map(truth.map((u) => [u.id, u]))
    for (const u of all.items) expect(u.signInActivity).toEqual(byId.get(u.id)!.signInActivity)
  })

  it("signInActivity needs a premium tenant and AuditLog.Read.All (exact 403 bodies); by UPN it is a 400", async () => {
    const noLicence = await failure(clientFor(sim, unlicensed).api("/users").select("id,signInActivity").get())
    expect(noLicence.statusCode).toBe(403)
    expect(noLicence.code).toBe("Authentication_RequestFromNonPremiumTenantOrB2CTenant")
    expect(noLicence.message).toBe("Neither tenant is B2C or tenant doesn't have premium license")
    const partial = await failure(clientFor(sim, small, "partial").api("/users").select("id,signInActivity").get())
    expect(partial.statusCode).toBe(403)
    expect(partial.code).toBe("Authentication_MSGraphPermissionMissing")
    expect(partial.message).toBe("Calling principal does not have required MSGraph permissions AuditLog.Read.All")
    const upn = sim.tenant(small.tenantId).truth.users()[0].userPrincipalName
    const byUpn = await failure(client.api(`/users/${upn}`).select("id,signInActivity").get())
    expect(byUpn.statusCode).toBe(400)
    const filtered = await client.api("/users").select("id,signInActivity").filter("signInActivity/lastSignInDateTime le 2000-01-01T00:00:00Z").get()
    expect(filtered.value).toEqual([])
  })

  it("employeeLeaveDateTime needs User-LifeCycleInfo.Read.All", async () => {
    const ok = await client.api("/users").select("id,employeeLeaveDateTime").top(999).get()
    const withLeave = ok.value.filter((u: any) => u.employeeLeaveDateTime !== null)
    expect(withLeave.length).toBeGreaterThan(0)
    const denied = await failure(clientFor(sim, small, "partial").api("/users").select("id,employeeLeaveDateTime").get())
    expect(denied.statusCode).toBe(403)
    expect(denied.code).toBe("Authorization_RequestDenied")
    expect(denied.message).toBe("Insufficient privileges to complete the operation.")
  })

  it("a user by id or UPN, its manager, and $expand=manager", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const withManager = truth.users().find((u) => u.managerId !== null)!
    const byUpn = await client.api(`/users/${withManager.userPrincipalName}`).get()
    expect(byUpn.id).toBe(withManager.id)
    const manager = await client.api(`/users/${withManager.id}/manager`).get()
    expect(manager["@odata.type"]).toBe("#microsoft.graph.user")
    expect(manager.id).toBe(withManager.managerId)
    const expanded = await client.api("/users").select("id").expand("manager($select=id,displayName)").top(999).get()
    const row = expanded.value.find((u: any) => u.id === withManager.id)
    expect(row.manager.id).toBe(withManager.managerId)
    const noManager = truth.users().find((u) => u.managerId === null)!
    const e = await failure(client.api(`/users/${noManager.id}/manager`).get())
    expect(e.statusCode).toBe(404)
    expect(e.code).toBe("Request_ResourceNotFound")
    const missing = await failure(client.api("/users/00000000-0000-4000-8000-000000000000").get())
    expect(missing.statusCode).toBe(404)
    expect(missing.message).toBe("Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present.")
  })
})

describe("users: $filter and advanced queries", () => {
  it("filters a connector uses, compared with ground truth", async () => {
    const truth = sim.tenant(small.tenantId).truth.users()
    const u = truth[13]
    const byUpn = await client.api("/users").filter(`userPrincipalName eq '${u.userPrincipalName}'`).get()
    expect(byUpn.value.map((x: any) => x.id)).toEqual([u.id])
    const ids = truth.slice(0, 3).map((x) => x.id)
    const byIds = await client.api("/users").filter(`id in ('${ids.join("','")}')`).get()
    expect(byIds.value.map((x: any) => x.id).sort()).toEqual([...ids].sort())
    const prefix = u.displayName.slice(0, 3)
    const starts = await pageAll(client, await client.api("/users").filter(`startswith(displayName,'${prefix}')`).top(999).get())
    expect(starts.items.map((x: any) => x.id).sort()).toEqual(truth.filter((x) => x.displayName.toLowerCase().startsWith(prefix.toLowerCase())).map((x) => x.id).sort())
    const disabled = await pageAll(client, await client.api("/users").filter("accountEnabled eq false").select("id").top(999).get())
    expect(disabled.items.length).toBe(truth.filter((x) => !x.accountEnabled).length)
    const guests = await pageAll(client, await client.api("/users").filter("userType eq 'Guest'").select("id").top(999).get())
    expect(guests.items.length).toBe(truth.filter((x) => x.userType === "Guest").length)
  })

  it("unsupported filter properties and advanced-only operators without ConsistencyLevel", async () => {
    const bad = await failure(client.api("/users").filter("aboutMe eq 'x'").get())
    expect(bad.statusCode).toBe(400)
    expect(bad.code).toBe("Request_UnsupportedQuery")
    expect(bad.message).toBe("Unsupported or invalid query filter clause specified for property 'aboutMe' of resource 'User'.")
    const ends = await failure(client.api("/users").filter("endswith(mail,'.com')").get())
    expect(ends.statusCode).toBe(400)
    expect(ends.code).toBe("Request_UnsupportedQuery")
    expect(ends.message).toContain("Try adding $count=true query parameter and ConsistencyLevel:eventual header")
  })

  it("advanced query: ConsistencyLevel + $count; @odata.count on the first page only; header must be resent on nextLinks", async () => {
    const truth = sim.tenant(small.tenantId).truth.users()
    const expected = truth.filter((u) => (u.mail ?? "").endsWith(".onmicrosoft.com")).length
    const first = await client.api("/users").header("ConsistencyLevel", "eventual").count(true).filter("endswith(mail,'.onmicrosoft.com')").select("id").top(50).get()
    expect(first["@odata.count"]).toBe(expected)
    const all = await pageAll(client, first, { ConsistencyLevel: "eventual" })
    expect(all.items).toHaveLength(expected)
    const withoutHeader = await failure(pageAll(client, first))
    expect(withoutHeader.statusCode).toBe(400)
    const ignored = await client.api("/users").count(true).select("id").top(5).get()
    expect(ignored["@odata.count"]).toBeUndefined()
  })

  it("$count segment and $search need ConsistencyLevel: eventual", async () => {
    const e = await failure(client.api("/users/$count").get())
    expect(e.statusCode).toBe(400)
    expect(e.code).toBe("Request_BadRequest")
    expect(e.message).toBe("$count is not currently supported.")
    const token = await tokenFor(sim, small)
    const counted = await raw(sim, "/v1.0/users/$count", { token, headers: { ConsistencyLevel: "eventual" } })
    expect(counted.status).toBe(200)
    expect(Number(counted.text)).toBe(sim.tenant(small.tenantId).truth.users().length)
    const search = await failure(client.api("/users").search('"displayName:a"').get())
    expect(search.statusCode).toBe(400)
    expect(search.message).toBe("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
    const name = sim.tenant(small.tenantId).truth.users()[5].givenName!
    const found = await client.api("/users").header("ConsistencyLevel", "eventual").search(`"displayName:${name}"`).select("id,displayName").get()
    expect(found.value.length).toBeGreaterThan(0)
    for (const u of found.value) expect(u.displayName.toLowerCase()).toContain(name.toLowerCase())
  })
})
