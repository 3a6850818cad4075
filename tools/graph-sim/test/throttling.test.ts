import { ResponseType } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let tight: TenantInfo
let real: TenantInfo
let writes: TenantInfo

beforeAll(async () => {
  sim = await startSim({
    tenants: [
      { preset: "demo", throttling: { budgetScale: 0.01 } },
      { preset: "small", seed: 5, throttling: true },
      { preset: "demo", seed: 9, throttling: { budgetScale: 0.001 } }
    ]
  })
  ;[tight, real, writes] = sim.tenants
})
afterAll(async () => {
  await sim?.stop()
})

/**
 * The RU a bucket refills in `ms` of wall time. The simulator refills buckets in real time, so a
 * test that empties one gives the next request a margin: the tight tenant's bucket refills one RU
 * every 286 ms, which a busy machine can spend between emptying the bucket and the request's arrival.
 */
const refillIn = (bucket: { readonly capacity: number; readonly windowMs: number }, ms: number): number => (bucket.capacity * ms) / bucket.windowMs

const ruOf = async (client: ReturnType<typeof clientFor>, path: string): Promise<number> => {
  const res: Response = await client.api(path).responseType(ResponseType.RAW).get()
  expect(res.status).toBe(200)
  return Number(res.headers.get("x-ms-resource-unit"))
}

describe("throttling", () => {
  it("x-ms-resource-unit on every response, with Microsoft's base costs and $select/$expand/$top modifiers", async () => {
    const client = clientFor(sim, real)
    const group = sim.tenant(real.tenantId).truth.groups()[2].id
    expect(await ruOf(client, "/users")).toBe(2)
    expect(await ruOf(client, "/users?$select=id,displayName&$top=999")).toBe(1)
    expect(await ruOf(client, "/users?$expand=manager")).toBe(3)
    expect(await ruOf(client, "/users?$top=5")).toBe(1)
    expect(await ruOf(client, `/groups/${group}/members`)).toBe(3)
    expect(await ruOf(client, `/groups/${group}/transitiveMembers?$select=id`)).toBe(4)
    expect(await ruOf(client, "/applications")).toBe(2)
    expect(await ruOf(client, "/oauth2PermissionGrants")).toBe(2)
    expect(await ruOf(client, "/organization")).toBe(1)
    const token = await tokenFor(sim, real)
    const notFound = await raw(sim, "/v1.0/users/00000000-0000-4000-8000-000000000009", { token })
    expect(notFound.headers.get("x-ms-resource-unit")).toBe("1")
    const counters = sim.counters()[real.tenantId]
    expect(counters.byPath["GET /users"].resourceUnits).toBeGreaterThanOrEqual(2 + 1 + 3 + 1)
  })

  it("429 TooManyRequests with Retry-After and x-ms-throttle-* headers; the Graph client waits and succeeds", async () => {
    const t = sim.tenant(tight.tenantId)
    const app = tight.apps[0]
    const token = await tokenFor(sim, tight)
    // Listeners hear of throttled and unmatched requests too; one that throws breaks nothing.
    const served: Array<string> = []
    const stopListening = [
      t.onRequestServed(() => {
        throw new Error("a broken listener")
      }),
      t.onRequestServed((r) => void served.push(`${r.method} ${r.path} ${r.status}`))
    ]
    const bucket = () => t.throttle.ruBucket(app.clientId, t.size, Date.now())
    // Empty and a second in debt: still throttled if the request takes up to a second to arrive.
    bucket().set(-refillIn(bucket(), 1_000), Date.now())
    const res = await raw(sim, "/v1.0/users?$select=id", { token })
    expect(res.status).toBe(429)
    const unmatched = await raw(sim, "/v1.0/noSuchCollection", { token })
    for (const stop of stopListening) stop()
    expect(served).toEqual(["GET /users 429", `GET /noSuchCollection ${unmatched.status}`])
    expect(unmatched.status).toBeGreaterThanOrEqual(400)
    expect(res.body.error.code).toBe("TooManyRequests")
    expect(res.body.error.message).toBe("Please retry again later.")
    expect(res.body.error.innerError).toMatchObject({ code: "429", status: "429" })
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    expect(res.headers.get("x-ms-throttle-scope")).toBe(`Tenant_Application/ReadWrite/${app.clientId}/${tight.tenantId}`)
    expect(res.headers.get("x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded")
    expect(res.headers.get("x-ms-resource-unit")).toBe("1")

    const client = clientFor(sim, tight)
    await client.api("/organization").select("id").get()
    t.drainRuBucket(app.clientId, -refillIn(bucket(), 1_000))
    const before = sim.counters()[tight.tenantId].throttled
    const users = await client.api("/users").select("id").top(999).get()
    expect(users.value).toHaveLength(t.truth.users().length)
    expect(sim.counters()[tight.tenantId].throttled).toBe(before + 1)
  })

  it("x-ms-throttle-limit-percentage appears once more than 80% of the bucket is used", async () => {
    const t = sim.tenant(tight.tenantId)
    const token = await tokenFor(sim, tight)
    const bucket = t.throttle.ruBucket(tight.apps[0].clientId, t.size, Date.now())
    bucket.set(bucket.capacity, Date.now())
    const fresh = await raw(sim, "/v1.0/organization", { token })
    expect(fresh.headers.get("x-ms-throttle-limit-percentage")).toBeNull()
    // One request's worth (1 RU) left: the answer reports over 80% used unless the request takes
    // two seconds to arrive (the bucket refills 20% of itself in two seconds).
    bucket.set(1, Date.now())
    const busy = await raw(sim, "/v1.0/organization", { token })
    expect(Number(busy.headers.get("x-ms-throttle-limit-percentage"))).toBeGreaterThan(0.8)
  })

  it("reports: 5 requests per 10 s per app per tenant", async () => {
    const token = await tokenFor(sim, real)
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 8; i++) {
      const r = await raw(sim, "/v1.0/auditLogs/directoryAudits?$top=1", { token })
      statuses.push(r.status)
      if (r.status === 429) retryAfter = r.headers.get("retry-after")
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200])
    expect(statuses).toContain(429)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
  })

  it("identity protection: 1 request per second per tenant, and its 429 has no Retry-After", async () => {
    const token = await tokenFor(sim, real)
    const results = await Promise.all([0, 1, 2].map(() => raw(sim, "/v1.0/identityProtection/riskyUsers", { token })))
    const throttled = results.filter((r) => r.status === 429)
    expect(throttled.length).toBeGreaterThanOrEqual(1)
    for (const r of throttled) {
      expect(r.headers.get("retry-after")).toBeNull()
      expect(r.body.error.code).toBe("TooManyRequests")
    }
  })

  it("write quota: WriteLimitExceeded on the Write scope", async () => {
    const token = await tokenFor(sim, writes)
    const users = sim.tenant(writes.tenantId).truth.users().filter((u) => u.onPremisesSyncEnabled !== true)
    const statuses: number[] = []
    let info: string | null = null
    let scope: string | null = null
    for (const u of users.slice(0, 5)) {
      const r = await raw(sim, `/v1.0/users/${u.id}`, { token, method: "PATCH", body: { jobTitle: "Quota test" } })
      statuses.push(r.status)
      if (r.status === 429) {
        info = r.headers.get("x-ms-throttle-information")
        scope = r.headers.get("x-ms-throttle-scope")
      }
    }
    expect(statuses.slice(0, 3)).toEqual([204, 204, 204])
    expect(statuses).toContain(429)
    expect(info).toBe("WriteLimitExceeded")
    expect(scope).toMatch(/^Tenant_Application\/Write\//)
  })

  it("throttling can be switched off per tenant at runtime", async () => {
    const t = sim.tenant(tight.tenantId)
    t.setThrottling(false)
    const token = await tokenFor(sim, tight)
    for (let i = 0; i < 50; i++) expect((await raw(sim, "/v1.0/users", { token })).status).toBe(200)
    t.setThrottling({ budgetScale: 0.01 })
  })
})
