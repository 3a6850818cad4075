import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { JobQueue, Queues, type RunJobData } from "../src/JobQueue.ts"
import { Runs } from "../src/Runs.ts"
import { DRIVERS, givenIntegration, storeWithQueueOn } from "./support/StoreFixtures.ts"

describe("Job queue (pg-boss)", () => {
  for (const driver of DRIVERS) {
    layer(storeWithQueueOn(driver), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("starting a run creates it queued and puts its job on the mode's queue", () =>
        Effect.gen(function* () {
          const queue = yield* JobQueue
          const runs = yield* Runs
          const { tenantId, integration } = yield* givenIntegration("direct")
          const { run, started } = yield* queue.startRun({ tenantId, integrationId: integration.id, kind: "extract", trigger: "manual" })
          assert.isTrue(started)
          assert.strictEqual(run.status, "queued")
          const jobs = yield* Effect.promise(() => queue.boss.fetch<RunJobData>(Queues.extract.direct))
          assert.deepStrictEqual(
            jobs.map((j) => j.data),
            [{ runId: run.id, tenantId, integrationId: integration.id, kind: "extract", mode: "direct" }]
          )
          assert.strictEqual((yield* runs.get(tenantId, run.id)).status, "queued")
        }))

      it.effect("a scheduled start does not queue a second sync while one is active", () =>
        Effect.gen(function* () {
          const queue = yield* JobQueue
          const { tenantId, integration } = yield* givenIntegration("direct")
          const first = yield* queue.startRun({ tenantId, integrationId: integration.id, kind: "extract", trigger: "manual" })
          const second = yield* queue.startRun({ tenantId, integrationId: integration.id, kind: "extract", trigger: "schedule", ifIdle: true })
          assert.isFalse(second.started)
          assert.strictEqual(second.run.id, first.run.id)
        }))

      it.effect("refuses a run kind the integration's mode cannot do, saying why", () =>
        Effect.gen(function* () {
          const queue = yield* JobQueue
          const { tenantId, integration } = yield* givenIntegration("csv")
          const error = yield* Effect.flip(queue.startRun({ tenantId, integrationId: integration.id, kind: "extract", trigger: "manual" }))
          assert.strictEqual(error.reason._tag, "InvalidInput")
          assert.include(error.message, "upload")
        }))

      it.effect("keeps one cron schedule per integration, and names the field of an invalid one", () =>
        Effect.gen(function* () {
          const queue = yield* JobQueue
          const { tenantId, integration } = yield* givenIntegration("direct")
          yield* queue.setSchedule(tenantId, integration.id, "*/5 * * * *")
          yield* queue.setSchedule(tenantId, integration.id, "0 3 * * *")
          let schedules = yield* Effect.promise(() => queue.boss.getSchedules(Queues.scheduled, integration.id))
          assert.deepStrictEqual(schedules.map((s) => s.cron), ["0 3 * * *"])
          yield* queue.setSchedule(tenantId, integration.id, null)
          schedules = yield* Effect.promise(() => queue.boss.getSchedules(Queues.scheduled, integration.id))
          assert.strictEqual(schedules.length, 0)
          const bad = yield* Effect.flip(queue.setSchedule(tenantId, integration.id, "every tuesday"))
          assert.strictEqual(bad.reason._tag, "InvalidInput")
          assert.include(bad.message, "schedule")
        }))
    })
  }
})
