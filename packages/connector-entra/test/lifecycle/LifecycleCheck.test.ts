import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { CheckReport } from "@idconnect/schemas/CheckReport"
import * as Effect from "effect/Effect"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { entraPlugin } from "../../src/EntraPlugin.ts"
import { ALL_PERMISSIONS, type Harness, startHarness } from "./support/LifecycleSim.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.stop())

const check = () => Effect.runPromise(entraPlugin.modes.direct!.read!.check(h.config) as Effect.Effect<CheckReport, ConnectorError>)

describe("check reports whether lifecycle can run", () => {
  it("with the lifecycle permissions granted, the lifecycle capability set is ready", async () => {
    h.grant(ALL_PERMISSIONS)
    const report = await check()
    assert.strictEqual(report.status, "Connected")
    assert.strictEqual(report.capabilitySets.lifecycle, "ready")
  })

  it("without one, lifecycle is unavailable and the finding names the permission and what it blocks", async () => {
    h.grant(ALL_PERMISSIONS.filter((p) => p !== "AppRoleAssignment.ReadWrite.All"))
    const report = await check().finally(() => h.grant(ALL_PERMISSIONS))
    assert.strictEqual(report.capabilitySets.lifecycle, "unavailable")
    const f = report.findings.find((x) => x.message.includes("AppRoleAssignment.ReadWrite.All"))
    assert.isDefined(f)
    assert.include(f!.affects ?? [], "lifecycle")
  })
})
