import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, startSim } from "./support.ts"

let sim: GraphSimHandle
let info: TenantInfo

const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${sim.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) }
}

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "demo", seed: 41 }] })
  info = sim.tenants[0]
})
afterAll(async () => {
  await sim?.stop()
})

describe("admin API and counters", () => {
  it("describes the simulator like the CLI's first line", async () => {
    const r = await admin("GET", "")
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ authorityHost: sim.authorityHost, graphBaseUrl: sim.graphBaseUrl, adminUrl: sim.adminUrl })
    expect(r.body.tenants[0].apps[0]).toMatchObject({ clientId: info.apps[0].clientId, clientSecret: info.apps[0].clientSecret })
  })

  it("counts requests, RU, 429s and errors per path class", async () => {
    await admin("POST", "/counters/reset")
    const client = clientFor(sim, info)
    await client.api("/users").select("id").top(999).get()
    await client.api("/users").get()
    await client.api("/users/00000000-0000-4000-8000-0000000000ff").get().catch(() => undefined)
    const r = await admin("GET", `/tenants/${info.tenantId}/counters`)
    expect(r.body.byPath["GET /users"]).toEqual({ requests: 2, resourceUnits: 3, throttled: 0, errors: 0 })
    expect(r.body.byPath["GET /users/{id}"]).toMatchObject({ requests: 1, errors: 1 })
    expect(r.body.requests).toBe(3)
    expect(r.body.tokenRequests).toBeGreaterThanOrEqual(1)
    expect(sim.counters()[info.tenantId].requests).toBe(3)
  })

  it("mutations through the admin API are seen by Graph reads and by delta", async () => {
    const client = clientFor(sim, info)
    const initial = await pageAll(client, await client.api("/users/delta?$select=id,displayName").get())
    const created = await admin("POST", `/tenants/${info.tenantId}/users`, { displayName: "Admin Made", userPrincipalName: `admin.made@${info.domain}` })
    expect(created.status).toBe(201)
    const group = sim.tenant(info.tenantId).truth.groups().find((g) => g.displayName === "Engineering")!
    expect((await admin("POST", `/tenants/${info.tenantId}/groups/${group.id}/members`, { id: created.body.id })).body).toEqual({ added: true })
    const members = await client.api(`/groups/${group.id}/members`).select("id").get()
    expect(members.value.map((m: any) => m.id)).toContain(created.body.id)
    const next = await pageAll(client, await client.api(initial.deltaLink!).get())
    expect(next.items.map((u: any) => u.id)).toEqual([created.body.id])
    expect((await admin("DELETE", `/tenants/${info.tenantId}/users/${created.body.id}`)).status).toBe(204)
    const truth = await admin("GET", `/tenants/${info.tenantId}/truth/deletedItems`)
    expect(truth.body.map((d: any) => d.id)).toContain(created.body.id)
  })

  it("switches licence, faults and throttling; revokes tokens; expires delta links", async () => {
    expect((await admin("PUT", `/tenants/${info.tenantId}/license`, { license: "none" })).body).toEqual({ license: "none" })
    const client = clientFor(sim, info)
    const e = await client.api("/auditLogs/signIns").get().then(() => undefined, (x: any) => x)
    expect(e.code).toBe("Authentication_RequestFromNonPremiumTenantOrB2CTenant")
    await admin("PUT", `/tenants/${info.tenantId}/license`, { license: "P2" })
    expect((await admin("PUT", `/tenants/${info.tenantId}/throttling`, { enabled: true, budgetScale: 2 })).body).toEqual({ enabled: true, budgetScale: 2 })
    expect((await admin("PUT", `/tenants/${info.tenantId}/throttling`, { enabled: false })).body.enabled).toBe(false)
    expect((await admin("PUT", `/tenants/${info.tenantId}/faults`, { rate503: 0 })).status).toBe(200)
    expect((await admin("POST", `/tenants/${info.tenantId}/tokens/revoke`)).status).toBe(204)
    const revoked = await client.api("/organization").get().then(() => undefined, (x: any) => x)
    expect(revoked.statusCode).toBe(401)
    const fresh = clientFor(sim, info)
    const round = await pageAll(fresh, await fresh.api("/groups/delta").get())
    expect((await admin("POST", `/tenants/${info.tenantId}/delta/expire`)).status).toBe(204)
    const expired = await fresh.api(round.deltaLink!).get().then(() => undefined, (x: any) => x)
    expect(expired.code).toBe("syncStateNotFound")
    expect((await admin("PUT", `/tenants/${info.tenantId}/privileged-role`, { held: true })).body).toEqual({ held: true })
    expect(sim.tenant(info.tenantId).truth.roleAssignments().some((a) => a.principalId === info.apps[0].servicePrincipalId && a.roleDefinitionId === "7be44c8a-adaf-4e2a-84d6-ab2649e08a13")).toBe(true)
  })

  it("ground truth over HTTP; unknown tenants are 404", async () => {
    const counts = await admin("GET", `/tenants/${info.tenantId}/truth/counts`)
    expect(counts.body.users).toBe(sim.tenant(info.tenantId).truth.users().length)
    const memberships = await admin("GET", `/tenants/${info.tenantId}/truth/memberships`)
    expect(memberships.body.length).toBe(counts.body.memberships)
    expect((await admin("GET", "/tenants/nope/counters")).status).toBe(404)
  })
})
