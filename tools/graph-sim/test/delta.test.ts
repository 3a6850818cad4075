import type { Client } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, SimTenant, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let info: TenantInfo
let tenant: SimTenant
let client: Client

const failure = (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error("expected a GraphError") }, (e: unknown) => e)

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small" }, { preset: "demo", seed: 7 }] })
  info = sim.tenants[0]
  tenant = sim.tenant(info.tenantId)
  client = clientFor(sim, info)
})
afterAll(async () => {
  await sim?.stop()
})

/** Runs a delta round from a URL (first request or deltaLink) to its deltaLink. */
const round = async (c: Client, url: string, headers?: Record<string, string>) => {
  let req = c.api(url)
  if (headers !== undefined) req = req.headers(headers)
  return pageAll(c, await req.get(), headers)
}

describe("delta: users", () => {
  it("initial round lists live users; the next round reports exactly the changes, with @removed reasons", async () => {
    const initial = await round(client, "/users/delta?$select=id,displayName,accountEnabled")
    expect(initial.items.map((u: any) => u.id).sort()).toEqual(tenant.truth.users().map((u) => u.id).sort())
    expect(initial.deltaLink).toMatch(new RegExp(`^${sim.graphBaseUrl}/v1\\.0/users/delta\\?\\$deltatoken=`))

    const quiet = await round(client, initial.deltaLink!)
    expect(quiet.items).toEqual([])

    const users = tenant.truth.users()
    const created = tenant.createUser({ displayName: "Delta Person", userPrincipalName: `delta.person@${info.domain}` })
    tenant.updateUser(users[20].id, { displayName: "Renamed Twenty" })
    tenant.updateUser(users[21].id, { jobTitle: "Not selected, so not reported" })
    tenant.deleteUser(users[22].id)
    tenant.deleteUser(users[23].id, { permanent: true })
    const changes = await round(client, quiet.deltaLink!)
    const byId = new Map(changes.items.map((u: any) => [u.id, u]))
    expect([...byId.keys()].sort()).toEqual([created.id, users[20].id, users[22].id, users[23].id].sort())
    expect(byId.get(created.id).displayName).toBe("Delta Person")
    expect(byId.get(users[20].id).displayName).toBe("Renamed Twenty")
    expect(byId.get(users[22].id)["@removed"]).toEqual({ reason: "changed" })
    expect(byId.get(users[23].id)["@removed"]).toEqual({ reason: "deleted" })

    tenant.restoreUser(users[22].id)
    const restored = await round(client, changes.deltaLink!)
    expect(restored.items.map((u: any) => u.id)).toEqual([users[22].id])
    expect(restored.items[0]["@removed"]).toBeUndefined()
  })

  it("Prefer: return=minimal on deltaLink rounds returns only the changed properties", async () => {
    const initial = await round(client, "/users/delta?$select=id,displayName,jobTitle,department")
    const u = tenant.truth.users()[40]
    tenant.updateUser(u.id, { jobTitle: "Minimal change" })
    const minimal = await round(client, initial.deltaLink!, { Prefer: "return=minimal" })
    expect(minimal.items).toEqual([{ id: u.id, jobTitle: "Minimal change" }])
  })

  it("$deltatoken=latest returns only a deltaLink; later changes then show up", async () => {
    const latest = await client.api("/users/delta?$deltatoken=latest").get()
    expect(latest.value).toEqual([])
    expect(latest["@odata.nextLink"]).toBeUndefined()
    expect(latest["@odata.deltaLink"]).toBeDefined()
    const u = tenant.truth.users()[30]
    tenant.updateUser(u.id, { displayName: "After latest" })
    const next = await round(client, latest["@odata.deltaLink"])
    expect(next.items.map((x: any) => x.id)).toEqual([u.id])
  })

  it("an expired deltaLink is a 400 syncStateNotFound; a reset is 410 Gone with a Location that restarts", async () => {
    const demo = sim.tenants[1]
    const demoClient = clientFor(sim, demo)
    const t = sim.tenant(demo.tenantId)
    const first = await round(demoClient, "/users/delta?$select=id,displayName")
    t.advanceClock(8 * 86_400_000)
    const expired = await failure(demoClient.api(first.deltaLink!).get())
    expect(expired.statusCode).toBe(400)
    expect(expired.code).toBe("syncStateNotFound")
    expect(expired.message).toBe("The sync state generation is not found. The delta token is expired and data must be synchronized again.")

    const second = await round(demoClient, "/users/delta?$select=id,displayName")
    t.requireDeltaResync()
    const token = await tokenFor(sim, demo)
    const gone = await raw(sim, second.deltaLink!, { token })
    expect(gone.status).toBe(410)
    const location = gone.headers.get("location")!
    expect(location).toMatch(new RegExp(`^${sim.graphBaseUrl}/v1\\.0/users/delta\\?\\$select=id%2CdisplayName&\\$deltatoken=$`))
    const restarted = await round(demoClient, location)
    expect(restarted.items).toHaveLength(t.truth.users().length)
    expect(Object.keys(restarted.items[0]).sort()).toEqual(["displayName", "id"])
  })

  it("query options other than $select/$filter(id) are rejected on delta", async () => {
    expect((await failure(client.api("/users/delta").top(5).get())).statusCode).toBe(400)
    expect((await failure(client.api("/users/delta").expand("manager").get())).statusCode).toBe(400)
    const ids = tenant.truth.users().slice(0, 2).map((u) => u.id)
    const filtered = await round(client, `/users/delta?$filter=id eq '${ids[0]}' or id eq '${ids[1]}'`)
    expect(filtered.items.map((u: any) => u.id).sort()).toEqual([...ids].sort())
  })
})

describe("delta: groups with members", () => {
  it("large groups are split across pages (same group repeated); merged members equal the ground truth", async () => {
    const headers = { Prefer: "odata.maxpagesize=5" }
    const initial = await round(client, "/groups/delta?$select=displayName,members", headers)
    expect(initial.pages).toBeGreaterThan(10)
    const merged = new Map<string, Set<string>>()
    let repeats = 0
    for (const g of initial.items as any[]) {
      if (merged.has(g.id)) repeats++
      const set = merged.get(g.id) ?? new Set<string>()
      for (const m of g["members@delta"] ?? []) set.add(`${m["@odata.type"]}|${m.id}`)
      merged.set(g.id, set)
    }
    expect(repeats).toBeGreaterThan(0)
    const type: Record<string, string> = { user: "#microsoft.graph.user", group: "#microsoft.graph.group", servicePrincipal: "#microsoft.graph.servicePrincipal", device: "#microsoft.graph.device", orgContact: "#microsoft.graph.orgContact" }
    for (const g of tenant.truth.groups()) {
      expect([...merged.get(g.id)!].sort()).toEqual(tenant.truth.members(g.id).map((m) => `${type[m.type]}|${m.id}`).sort())
    }

    const g = tenant.truth.groups().find((x) => x.displayName === "Engineering")!
    const current = tenant.truth.members(g.id)
    const outsider = tenant.truth.users().find((u) => !current.some((m) => m.id === u.id))!
    tenant.addMember(g.id, outsider.id)
    tenant.removeMember(g.id, current[0].id)
    const changes = await round(client, initial.deltaLink!)
    expect(changes.items.map((x: any) => x.id)).toEqual([g.id])
    const delta = changes.items[0]["members@delta"]
    expect(delta).toContainEqual({ "@odata.type": "#microsoft.graph.user", id: outsider.id })
    expect(delta).toContainEqual({ "@odata.type": "#microsoft.graph.user", id: current[0].id, "@removed": { reason: "deleted" } })
  })

  it("deleting a security group is permanent (@removed deleted); an M365 group is soft-deleted (@removed changed)", async () => {
    const initial = await round(client, "/groups/delta?$select=displayName")
    const security = tenant.truth.groups().find((g) => g.securityEnabled && !g.groupTypes.includes("Unified") && !g.groupTypes.includes("DynamicMembership") && g.onPremisesSyncEnabled !== true && g.displayName.startsWith("SG-"))!
    const m365 = tenant.truth.groups().find((g) => g.groupTypes.includes("Unified") && g.displayName.includes("Team"))!
    tenant.deleteGroup(security.id)
    tenant.deleteGroup(m365.id)
    const changes = await round(client, initial.deltaLink!)
    const byId = new Map(changes.items.map((x: any) => [x.id, x]))
    expect(byId.get(security.id)["@removed"]).toEqual({ reason: "deleted" })
    expect(byId.get(m365.id)["@removed"]).toEqual({ reason: "changed" })
    expect(tenant.truth.deletedItems().map((d) => d.id)).toContain(m365.id)
    expect(tenant.truth.deletedItems().map((d) => d.id)).not.toContain(security.id)
  })
})
