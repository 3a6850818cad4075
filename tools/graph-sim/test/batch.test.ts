import { BatchRequestContent, BatchResponseContent } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let demo: TenantInfo
let throttled: TenantInfo

beforeAll(async () => {
  // The second tenant has 0.1% of Graph's budget: 3.5 RU per 10 s. The item-throttling test leaves
  // its bucket one RU, and the bucket refills in real time: at this rate another RU takes 2.9 s,
  // far longer than a busy machine needs to deliver the $batch (at 1% it took only 286 ms).
  sim = await startSim({ tenants: [{ preset: "demo" }, { preset: "demo", seed: 3, throttling: { budgetScale: 0.001 } }] })
  ;[demo, throttled] = sim.tenants
})
afterAll(async () => {
  await sim?.stop()
})

const req = (path: string, init?: RequestInit) => new Request(`${sim.graphBaseUrl}/v1.0${path}`, init)

describe("$batch", () => {
  it("runs up to 20 requests, correlates responses by id, and reports per-item status and RU", async () => {
    const client = clientFor(sim, demo)
    const truth = sim.tenant(demo.tenantId).truth
    const group = truth.groups().find((g) => g.displayName === "Engineering")!
    const batch = new BatchRequestContent([
      { id: "users", request: req("/users?$select=id&$top=999") },
      { id: "members", request: req(`/groups/${group.id}/members?$select=id`) },
      { id: "org", request: req("/organization") },
      { id: "missing", request: req("/users/00000000-0000-4000-8000-000000000001") }
    ])
    const body = await client.api("/$batch").post(await batch.getContent())
    expect(body.responses).toHaveLength(4)
    const res = new BatchResponseContent(body)
    const users = res.getResponseById("users")
    expect(users.status).toBe(200)
    expect((await users.json()).value).toHaveLength(truth.users().length)
    const members = await res.getResponseById("members").json()
    expect(members.value.map((m: any) => m.id).sort()).toEqual(truth.members(group.id).map((m) => m.id).sort())
    expect(res.getResponseById("org").status).toBe(200)
    const missing = res.getResponseById("missing")
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe("Request_ResourceNotFound")
    const raw0 = body.responses.find((r: any) => r.id === "members")
    expect(raw0.headers["x-ms-resource-unit"]).toBe("2")
  })

  it("dependsOn: a failed dependency makes dependents fail with 424", async () => {
    const client = clientFor(sim, demo)
    const batch = new BatchRequestContent([
      { id: "1", request: req("/groups/00000000-0000-4000-8000-000000000002") },
      { id: "2", request: req("/organization"), dependsOn: ["1"] }
    ])
    const body = await client.api("/$batch").post(await batch.getContent())
    const res = new BatchResponseContent(body)
    expect(res.getResponseById("1").status).toBe(404)
    expect(res.getResponseById("2").status).toBe(424)
  })

  it("rejects more than 20 requests, duplicate ids and bodies without Content-Type", async () => {
    const token = await tokenFor(sim, demo)
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: "GET", url: "/organization" }))
    const tooMany = await raw(sim, "/v1.0/$batch", { token, method: "POST", body: { requests: many } })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.code).toBe("BadRequest")
    const dup = await raw(sim, "/v1.0/$batch", { token, method: "POST", body: { requests: [{ id: "a", method: "GET", url: "/organization" }, { id: "A", method: "GET", url: "/organization" }] } })
    expect(dup.status).toBe(400)
    const noType = await raw(sim, "/v1.0/$batch", { token, method: "POST", body: { requests: [{ id: "1", method: "POST", url: "/groups", body: { displayName: "x" } }] } })
    expect(noType.status).toBe(400)
    expect(noType.body.error.message).toBe("Write request id : 1 does not contain Content-Type header or body.")
  })

  it("items are throttled individually: 429 items with their own Retry-After inside a 200 envelope", async () => {
    const t = sim.tenant(throttled.tenantId)
    const client = clientFor(sim, throttled)
    await client.api("/organization").get()
    const app = throttled.apps[0]
    t.throttle.ruBucket(app.clientId, t.size, Date.now()).set(1, Date.now())
    const batch = new BatchRequestContent([
      { id: "1", request: req("/users?$select=id&$top=999") },
      { id: "2", request: req("/users?$select=id&$top=999") },
      { id: "3", request: req("/users?$select=id&$top=999") }
    ])
    const body = await client.api("/$batch").post(await batch.getContent())
    const statuses = body.responses.map((r: any) => r.status).sort()
    expect(statuses).toEqual([200, 429, 429])
    for (const r of body.responses.filter((x: any) => x.status === 429)) {
      expect(Number(r.headers["Retry-After"])).toBeGreaterThanOrEqual(1)
      expect(r.body.error.code).toBe("TooManyRequests")
    }
  })

  it("item-level permission errors carry Graph's 403 body", async () => {
    const client = clientFor(sim, demo, "partial")
    const batch = new BatchRequestContent([{ id: "apps", request: req("/applications") }, { id: "users", request: req("/users?$select=id") }])
    const res = new BatchResponseContent(await client.api("/$batch").post(await batch.getContent()))
    const apps = res.getResponseById("apps")
    expect(apps.status).toBe(403)
    expect((await apps.json()).error).toMatchObject({ code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." })
    expect(res.getResponseById("users").status).toBe(200)
  })

  it("writes inside a batch (members/$ref) apply and return 204", async () => {
    const client = clientFor(sim, demo)
    const truth = sim.tenant(demo.tenantId).truth
    const group = truth.groups().find((g) => g.displayName === "Org Level 2")!
    const outsiders = truth.users().filter((u) => !truth.members(group.id).some((m) => m.id === u.id)).slice(0, 2)
    const batch = new BatchRequestContent(
      outsiders.map((u, i) => ({
        id: String(i + 1),
        request: req(`/groups/${group.id}/members/$ref`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` })
        })
      }))
    )
    const res = await client.api("/$batch").post(await batch.getContent())
    expect(res.responses.map((r: any) => r.status)).toEqual([204, 204])
    for (const u of outsiders) expect(truth.members(group.id).map((m) => m.id)).toContain(u.id)
  })
})
