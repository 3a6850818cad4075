import type { Client } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, startSim } from "./support.ts"

let sim: GraphSimHandle
let small: TenantInfo
let client: Client

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small" }] })
  small = sim.tenants[0]
  client = clientFor(sim, small)
})
afterAll(async () => {
  await sim?.stop()
})

const TYPE: Record<string, string> = {
  user: "#microsoft.graph.user",
  group: "#microsoft.graph.group",
  servicePrincipal: "#microsoft.graph.servicePrincipal",
  device: "#microsoft.graph.device",
  orgContact: "#microsoft.graph.orgContact"
}

describe("groups, members, owners", () => {
  it("every group's members match the ground truth, record by record, with the right @odata.type", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const groups = await pageAll(client, await client.api("/groups").select("id,displayName,groupTypes,securityEnabled,mailEnabled,isAssignableToRole,membershipRule,onPremisesSyncEnabled").top(999).get())
    expect(groups.items.map((g: any) => g.id).sort()).toEqual(truth.groups().map((g) => g.id).sort())
    const seenTypes = new Set<string>()
    let edges = 0
    for (const g of groups.items as any[]) {
      const members = await pageAll(client, await client.api(`/groups/${g.id}/members`).select("id,displayName").top(999).get())
      const expected = truth.members(g.id)
      expect(members.items.map((m: any) => `${m["@odata.type"]}|${m.id}`).sort()).toEqual(expected.map((m) => `${TYPE[m.type]}|${m.id}`).sort())
      for (const m of members.items as any[]) seenTypes.add(m["@odata.type"])
      edges += members.items.length
    }
    expect(edges).toBe(truth.memberships().length)
    expect([...seenTypes].sort()).toEqual(Object.values(TYPE).sort())
    const kinds = groups.items as any[]
    expect(kinds.some((g) => g.groupTypes.includes("Unified"))).toBe(true)
    expect(kinds.some((g) => g.groupTypes.includes("DynamicMembership") && g.membershipRule !== null)).toBe(true)
    expect(kinds.some((g) => g.isAssignableToRole === true)).toBe(true)
    expect(kinds.some((g) => g.onPremisesSyncEnabled === true)).toBe(true)
    expect(kinds.some((g) => g.mailEnabled && !g.securityEnabled && !g.groupTypes.includes("Unified"))).toBe(true)
  })

  it("a group larger than a page is paged with $top=999 and the default page size", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const big = truth.groups().find((g) => g.displayName === "All Employees")!
    const expected = truth.members(big.id).length
    expect(expected).toBeGreaterThan(100)
    const byDefault = await pageAll(client, await client.api(`/groups/${big.id}/members`).get())
    expect(byDefault.items).toHaveLength(expected)
    expect(byDefault.pages).toBe(Math.ceil(expected / 100))
  })

  it("transitiveMembers follow the nested chain (cycle-free) and casts filter by type", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const top = truth.groups().find((g) => g.displayName === "Org Level 1")!
    // Walk the chain: each level contains the next one.
    let depth = 1
    let cur = top.id
    for (;;) {
      const child = truth.members(cur).find((m) => m.type === "group" && truth.group(m.id)!.displayName.startsWith("Org Level"))
      if (child === undefined) break
      depth++
      cur = child.id
    }
    expect(depth).toBe(4)
    const transitive = await pageAll(client, await client.api(`/groups/${top.id}/transitiveMembers`).select("id").top(999).get())
    expect(transitive.items.map((m: any) => m.id).sort()).toEqual(truth.transitiveMembers(top.id).map((m) => m.id).sort())
    expect(transitive.items.filter((m: any) => m["@odata.type"] === "#microsoft.graph.group")).toHaveLength(3)
    const usersOnly = await pageAll(client, await client.api(`/groups/${top.id}/transitiveMembers/microsoft.graph.user`).select("id").top(999).get())
    expect(usersOnly.items.length).toBe(truth.transitiveMembers(top.id).filter((m) => m.type === "user").length)
    for (const m of usersOnly.items as any[]) expect(m["@odata.type"]).toBe("#microsoft.graph.user")
  })

  it("owners with @odata.type; groups filtered by groupTypes/any", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const owned = truth.groups().filter((g) => truth.owners(g.id).length > 0).slice(0, 5)
    for (const g of owned) {
      const owners = await client.api(`/groups/${g.id}/owners`).select("id").get()
      expect(owners.value.map((o: any) => `${o["@odata.type"]}|${o.id}`).sort()).toEqual(truth.owners(g.id).map((o) => `${TYPE[o.type]}|${o.id}`).sort())
    }
    const unified = await pageAll(client, await client.api("/groups").filter("groupTypes/any(c:c eq 'Unified')").select("id").top(999).get())
    expect(unified.items.length).toBe(truth.groups().filter((g) => g.groupTypes.includes("Unified")).length)
    const security = await pageAll(client, await client.api("/groups").filter("securityEnabled eq true and mailEnabled eq false").select("id").top(999).get())
    expect(security.items.length).toBe(truth.groups().filter((g) => g.securityEnabled && !g.mailEnabled).length)
  })

  it("a user's memberOf and transitiveMemberOf", async () => {
    const truth = sim.tenant(small.tenantId).truth
    const top = truth.groups().find((g) => g.displayName === "Org Level 1")!
    const deepUser = truth.transitiveMembers(top.id).find((m) => m.type === "user" && !truth.members(top.id).some((d) => d.id === m.id))!
    const direct = await client.api(`/users/${deepUser.id}/memberOf/microsoft.graph.group`).select("id").get()
    const transitive = await client.api(`/users/${deepUser.id}/transitiveMemberOf`).select("id").top(999).get()
    expect(transitive.value.map((g: any) => g.id)).toContain(top.id)
    expect(direct.value.map((g: any) => g.id)).not.toContain(top.id)
  })
})
