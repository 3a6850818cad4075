import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { rawConfig, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  sim = await startSim({ preset: "demo", seed: 41, license: "P2" })
})
afterAll(() => sim?.stop())

const DAY = 86_400_000

describe("log windows", () => {
  it("reads directory audits and risk detections over auditLogDays and sign-ins over signInLogDays, nothing older", async () => {
    const started = Date.now()
    const { state } = await runToSink(rawConfig(sim, "main", { auditLogDays: 30, signInLogDays: 1 }))
    const ended = Date.now()
    const truth = sim.tenant(sim.tenants[0]!.tenantId).truth
    const check = (sourceType: string, events: ReadonlyArray<{ id: string; time: string }>, days: number) => {
      const got = new Set([...state!.entities.values()].filter((e) => e.sourceType === sourceType).map((e) => e.sourceId))
      const inWindow = events.filter((e) => Date.parse(e.time) >= ended - days * DAY)
      const tooOld = events.filter((e) => Date.parse(e.time) < started - days * DAY)
      assert.isAbove(inWindow.length, 0, `the tenant has ${sourceType} events in the window`)
      for (const e of inWindow) assert.isTrue(got.has(e.id), `${sourceType} ${e.id} of ${e.time} is in the window`)
      for (const e of tooOld) assert.isFalse(got.has(e.id), `${sourceType} ${e.id} of ${e.time} is older than the window`)
    }
    check("directoryAudit", truth.directoryAudits().map((a) => ({ id: a.id, time: a.activityDateTime })), 30)
    check("signIn", truth.signIns(2_000).map((s) => ({ id: s.id, time: s.createdDateTime })), 1)
    check("riskDetection", truth.riskDetections().map((r) => ({ id: r.id, time: r.detectedDateTime })), 30)
  })

  it("sign-ins are off by default", async () => {
    const { state } = await runToSink(rawConfig(sim, "main"))
    assert.isFalse([...state!.entities.values()].some((e) => e.sourceType === "signIn"))
    assert.isTrue([...state!.entities.values()].some((e) => e.sourceType === "directoryAudit"))
  })
})
