import { describe, expect, it } from "vitest"
import { GlobalThrottle } from "../src/graph/Throttle.ts"
import { SimTenant } from "../src/tenant/SimTenant.ts"
import { PRESETS } from "../src/tenant/Presets.ts"

describe("tenant presets", () => {
  it("the same seed generates the same tenant; another seed a different one", async () => {
    const a = await SimTenant.create({ preset: "demo", seed: 5, anchor: new Date("2026-01-01T00:00:00Z") }, 0, new GlobalThrottle())
    const b = await SimTenant.create({ preset: "demo", seed: 5, anchor: new Date("2026-01-01T00:00:00Z") }, 0, new GlobalThrottle())
    const c = await SimTenant.create({ preset: "demo", seed: 6, anchor: new Date("2026-01-01T00:00:00Z") }, 0, new GlobalThrottle())
    expect(a.truth.users()).toEqual(b.truth.users())
    expect(a.truth.memberships()).toEqual(b.truth.memberships())
    expect(a.truth.roleAssignments()).toEqual(b.truth.roleAssignments())
    expect(a.apps.map((x) => x.clientSecret)).toEqual(b.apps.map((x) => x.clientSecret))
    expect(c.tenantId).not.toBe(a.tenantId)
    expect(c.truth.users().map((u) => u.id)).not.toEqual(a.truth.users().map((u) => u.id))
  })

  it("demo and medium have the documented shape", async () => {
    const demo = await SimTenant.create({ preset: "demo" }, 0, new GlobalThrottle())
    const d = demo.truth
    expect(d.users()).toHaveLength(10)
    expect(d.users().filter((u) => u.userType === "Guest")).toHaveLength(1)
    expect(d.users().some((u) => !u.accountEnabled)).toBe(true)
    expect(d.users().some((u) => u.signInActivity === null)).toBe(true)
    expect(d.users().some((u) => u.employeeLeaveDateTime !== null)).toBe(true)
    expect(demo.size).toBe("S")
    const medium = await SimTenant.create({ preset: "medium" }, 0, new GlobalThrottle())
    const counts = medium.truth.counts()
    expect(counts.users + counts.deletedUsers).toBe(PRESETS.medium.users)
    expect(counts.groups + counts.deletedGroups).toBe(PRESETS.medium.groups)
    expect(medium.size).toBe("L")
  })

  it("large: 100k users, 20k groups with 12-level nesting and 50k+ member groups, 2k apps, without gigabytes of memory", async () => {
    const heapBefore = process.memoryUsage().heapUsed
    const t = await SimTenant.create({ preset: "large" }, 0, new GlobalThrottle())
    const heapAfter = process.memoryUsage().heapUsed
    console.log(`large preset: generated in ${t.generatedInMs} ms, heap +${Math.round((heapAfter - heapBefore) / 1e6)} MB, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`)
    expect(heapAfter - heapBefore).toBeLessThan(1_000_000_000)
    const counts = t.truth.counts()
    expect(counts.users + counts.deletedUsers).toBe(100_000)
    expect(counts.groups + counts.deletedGroups).toBe(20_000)
    expect(counts.applications).toBe(2_000 + 3)
    expect(counts.servicePrincipals).toBeGreaterThan(2_000)
    expect(counts.memberships).toBeGreaterThan(1_000_000)
    expect(counts.roleEligibilitySchedules).toBeGreaterThan(0)
    expect(counts.administrativeUnits).toBe(50)
    expect(counts.riskyUsers).toBeGreaterThan(0)
    const dir = t.dir
    let bigGroups = 0
    for (let g = 0; g < dir.groups.size; g++) if (dir.groups.isLive(g) && dir.members(g).length >= 50_000) bigGroups++
    expect(bigGroups).toBeGreaterThanOrEqual(2)
    const top = t.truth.groups().find((g) => g.displayName === "Org Level 1")!
    expect(t.truth.transitiveMembers(top.id).filter((m) => m.type === "group")).toHaveLength(11)
    const someUser = t.truth.user(dir.users.id(54_321))
    expect(someUser?.userPrincipalName ?? "soft-deleted").toMatch(/@|soft-deleted/)
    expect(t.size).toBe("L")
  })
})
