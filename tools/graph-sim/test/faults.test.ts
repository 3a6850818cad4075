import { RetryHandlerOptions } from "@microsoft/microsoft-graph-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { GraphSimHandle, TenantInfo } from "../src/GraphSim.ts"
import { clientFor, pageAll, raw, startSim, tokenFor } from "./support.ts"

let sim: GraphSimHandle
let info: TenantInfo

const failure = (p: Promise<unknown>): Promise<any> => p.then(() => { throw new Error("expected a failure") }, (e: unknown) => e)

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "small", seed: 31 }] })
  info = sim.tenants[0]
})
afterAll(async () => {
  await sim?.stop()
})

describe("fault injection", () => {
  it("is deterministic by seed: the same seed and request sequence give the same outcomes", async () => {
    const t = sim.tenant(info.tenantId)
    const token = await tokenFor(sim, info)
    const run = async (): Promise<number[]> => {
      t.setFaults({ seed: 42, rate503: 0.3, rate504: 0.2 })
      const out: number[] = []
      for (let i = 0; i < 20; i++) out.push((await raw(sim, "/v1.0/organization", { token })).status)
      return out
    }
    const a = await run()
    const b = await run()
    t.setFaults({})
    expect(a).toEqual(b)
    expect(a).toContain(503)
    expect(a).toContain(504)
    expect(a).toContain(200)
  })

  it("503 carries Retry-After and Graph's error body; the client retries it and then gives up", async () => {
    const t = sim.tenant(info.tenantId)
    const token = await tokenFor(sim, info)
    t.setFaults({ rate503: 1, retryAfterSeconds: 1 })
    const r = await raw(sim, "/v1.0/organization", { token })
    expect(r.status).toBe(503)
    expect(r.headers.get("retry-after")).toBe("1")
    expect(r.body.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/)
    const client = clientFor(sim, info)
    const before = sim.counters()[info.tenantId].faults["503"]
    const e = await failure(client.api("/organization").middlewareOptions([new RetryHandlerOptions(1, 1)]).get())
    expect(e.statusCode).toBe(503)
    expect(sim.counters()[info.tenantId].faults["503"]).toBe(before + 2)
    t.setFaults({})
  })

  it("connection resets drop the socket without a response", async () => {
    const t = sim.tenant(info.tenantId)
    const token = await tokenFor(sim, info)
    t.setFaults({ resetRate: 1 })
    const e = await failure(fetch(`${sim.graphBaseUrl}/v1.0/organization`, { headers: { authorization: `Bearer ${token}` } }))
    expect(e).toBeInstanceOf(TypeError)
    t.setFaults({})
    expect((await raw(sim, "/v1.0/organization", { token })).status).toBe(200)
    expect(sim.counters()[info.tenantId].faults.reset).toBe(1)
  })

  it("early token expiry: Graph answers 401 before expires_in", async () => {
    const t = sim.tenant(info.tenantId)
    t.setFaults({ earlyTokenExpiryRate: 1, earlyTokenExpiryAfterMs: 0 })
    const token = await tokenFor(sim, info)
    t.setFaults({})
    const r = await raw(sim, "/v1.0/organization", { token })
    expect(r.status).toBe(401)
    expect(r.body.error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token has expired or is not yet valid." })
  })

  it("zero-item pages with a nextLink are possible; paging to the end still yields every item", async () => {
    const t = sim.tenant(info.tenantId)
    t.setFaults({ seed: 7, emptyPageRate: 0.5 })
    const client = clientFor(sim, info)
    const first = await client.api("/users").select("id").top(25).get()
    const all = await pageAll(client, first)
    t.setFaults({})
    expect(all.items).toHaveLength(t.truth.users().length)
    expect(all.pages).toBeGreaterThan(Math.ceil(t.truth.users().length / 25))
  })

  it("latency: a seeded distribution around the median (never negative), results unchanged", async () => {
    const t = sim.tenant(info.tenantId)
    t.setFaults({ seed: 3, latency: { medianMs: 40, jitterMs: 10 } })
    const samples = Array.from({ length: 400 }, () => t.faults.latencyMs())
    t.setFaults({ seed: 3, latency: { medianMs: 40, jitterMs: 10 } })
    expect(Array.from({ length: 400 }, () => t.faults.latencyMs())).toEqual(samples)
    const sorted = [...samples].sort((a, b) => a - b)
    expect(sorted[200]).toBeGreaterThanOrEqual(35)
    expect(sorted[200]).toBeLessThanOrEqual(45)
    expect(sorted[0]).toBeGreaterThanOrEqual(0)
    t.setFaults({ latency: { medianMs: 2, jitterMs: 1 } })
    const token = await tokenFor(sim, info)
    for (let i = 0; i < 3; i++) expect((await raw(sim, "/v1.0/organization", { token })).status).toBe(200)
    t.setFaults({})
  })
})
