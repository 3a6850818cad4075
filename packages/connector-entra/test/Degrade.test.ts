import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { makeEntraPlugin } from "../src/EntraPlugin.ts"
import { publish } from "./support/Apply.ts"
import { diffSnapshots, expectedSnapshot, type Snapshot } from "./support/Expected.ts"
import { decode, rawConfig, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  sim = await startSim({ preset: "demo", seed: 31, license: "P2" }, { preset: "demo", seed: 32, license: "none" }, { preset: "demo", seed: 33, license: "P1" })
})
afterAll(() => sim?.stop())

const only = (snapshot: Snapshot, keep: (sourceType: string, privilege?: string) => boolean): Snapshot => ({
  entities: new Map([...snapshot.entities].filter(([, e]) => keep(e.sourceType))),
  relations: new Map([...snapshot.relations].filter(([, r]) => keep(r.entitySourceType ?? "", r.metadata?.privilegeName)))
})
const codes = (warnings: ReadonlyArray<{ code: string }>) => new Set(warnings.map((w) => w.code))

describe("degrading instead of failing", () => {
  for (const [index, license] of [[1, "none"], [2, "P1"]] as const) {
    it(`a tenant with licence '${license}': licensed data is skipped with warnings, the rest is complete`, async () => {
      const { summary, state } = await runToSink(rawConfig(sim, "main", { auditLogDays: 0 }, index))
      const tenant = sim.tenant(sim.tenants[index]!.tenantId)
      assert.deepStrictEqual(diffSnapshots(publish(undefined, state!), expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license, now: Date.now() })), [])
      const warned = codes(summary.warnings)
      assert.isTrue(warned.has("riskyUsers.license-missing"), [...warned].join(", "))
      assert.isTrue(warned.has("roleEligibilitySchedules.license-missing"))
      assert.strictEqual(warned.has("users.signInActivity-skipped"), license === "none")
      assert.isTrue(summary.warnings.every((w) => w.message.length > 20 && w.stream !== undefined))
    })
  }

  it("an app with only User.Read.All and Group.Read.All reads users and groups, and says what it skipped and why", async () => {
    const { summary, state } = await runToSink(rawConfig(sim, "partial", { auditLogDays: 7 }))
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    const expected = expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license: "none", now: Date.now() })
    // Without User-LifeCycleInfo.Read.All, users come without the leave date.
    for (const [k, e] of expected.entities) {
      if (e.sourceType !== "user") continue
      const { employeeLeaveDateTime: _, ...metadata } = e.metadata!
      expected.entities.set(k, { ...e, metadata })
    }
    const keep = (sourceType: string, privilege?: string) => sourceType === "user" || (sourceType === "group" && privilege !== "roleAssignment")
    assert.deepStrictEqual(diffSnapshots(only(publish(undefined, state!), keep), only(expected, keep)), [])
    const warned = codes(summary.warnings)
    for (const code of [
      "users.signInActivity-skipped",
      "users.leaveDate-skipped",
      "riskyUsers.permission-missing",
      "applications.permission-missing",
      "servicePrincipals.permission-missing",
      "roleAssignments.permission-missing",
      "administrativeUnits.permission-missing",
      "oauth2PermissionGrants.permission-missing",
      "directoryAudits.permission-missing"
    ]) {
      assert.isTrue(warned.has(code), `missing warning ${code}; got ${[...warned].join(", ")}`)
    }
    const audit = summary.warnings.find((w) => w.code === "directoryAudits.permission-missing")!
    assert.include(audit.message, "AuditLog.Read.All")
  })

  it("a group deleted while the run reads it is reported and skipped; the run completes", async () => {
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    const victim = tenant.truth.groups().filter((g) => !g.groupTypes.includes("Unified")).at(-1)!
    const plugin = makeEntraPlugin()
    const config = await decode(rawConfig(sim, "main", { auditLogDays: 0 }))
    // The groups page was served; the members are fetched after it: delete one group in between.
    const stopWatching = tenant.onRequestServed((served) => {
      if (served.method === "GET" && served.path === "/groups" && served.status === 200) {
        tenant.deleteGroup(victim.id, { permanent: true })
        stopWatching()
      }
    })
    const records: ReadonlyArray<ExtractRecord> = await Effect.runPromise(
      Stream.runCollect(plugin.modes.direct!.read!.extract(config, undefined))
    ).finally(stopWatching)
    assert.isTrue(records.some((r) => r._tag === "entity" && r.entity.sourceId === victim.id), "the group was listed before it was deleted")
    const warning = records.find((r) => r._tag === "warning" && r.warning.objectId === victim.id)
    assert.isDefined(warning, "a warning names the group")
    assert.match(warning!._tag === "warning" ? warning!.warning.code : "", /^groups\.object-gone$/u)
    assert.isTrue(records.some((r) => r._tag === "checkpoint" && (r.checkpoint.state as { complete: boolean }).complete))
    assert.isTrue(records.some((r) => r._tag === "entity" && r.entity.sourceType === "servicePrincipal"), "later streams ran")
  })
})
