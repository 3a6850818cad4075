import { startExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { assert, describe, layer } from "@effect/vitest"
import { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import * as Effect from "effect/Effect"
import { startGateProxy } from "./support/GateProxy.ts"
import { givenDirectoryIntegration, storeOnPostgres, TestDb, workerEnv } from "./support/WorkerFixtures.ts"
import { runLog, spawnWorker, type LogLine, type WorkerProcess } from "./support/WorkerProcess.ts"

const worker = (id: string) =>
  Effect.gen(function* () {
    const db = yield* TestDb
    const args = ["--modes", "direct", "--concurrency", "1", "--worker-id", id, "--metrics-port", "off", "--polling-seconds", "1", "--busy-retry-seconds", "1", "--no-schedules"]
    const w = yield* Effect.acquireRelease(Effect.sync(() => spawnWorker(workerEnv(db.url), args)), (w) =>
      Effect.promise(async () => {
        w.kill("SIGTERM")
        await w.exited
      })
    )
    yield* Effect.promise(() => w.waitFor((l) => typeof l.message === "string" && l.message.startsWith(`Worker ${id} started`), "started"))
    return w
  })

/** Resolves when either worker logs the line. */
const anyOf = (workers: ReadonlyArray<WorkerProcess>, predicate: (l: LogLine) => boolean, label: string) =>
  Effect.promise(() => Promise.any(workers.map((w) => w.waitFor(predicate, label))))

const startSync = (tenantId: string, integrationId: string) =>
  JobQueue.use((queue) => queue.startRun({ tenantId, integrationId, kind: "extract", trigger: "manual" })).pipe(Effect.map((r) => r.run.id))

describe("Worker processes: sharing one queue", () => {
  layer(storeOnPostgres, { timeout: "300 seconds", excludeTestServices: true })((it) => {
    it.effect("two workers share the jobs, and one integration never syncs twice at once", () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => startExampleDirectory({ users: 20, groups: 3 })),
          (d) => Effect.promise(() => d.close())
        )
        const proxy = yield* Effect.acquireRelease(Effect.promise(() => startGateProxy(dir.url)), (p) => Effect.promise(() => p.close()))
        const runs = yield* Runs
        const labels = ["a", "b", "c", "d"]
        const integrations = yield* Effect.forEach(labels, (label) => givenDirectoryIntegration(proxy.url(label), dir.token, `Team ${label}`))
        const workers = [yield* worker("w1"), yield* worker("w2")]

        // Hold everything until both workers are mid-run on different integrations at the same time.
        proxy.hold("*")
        const runIds = yield* Effect.forEach(integrations, (i) => startSync(i.tenantId, i.integrationId))
        const busy = yield* Effect.promise(() => proxy.whenHeld(2, 2))
        assert.strictEqual(busy.length, 2)
        proxy.release()
        for (const runId of runIds) yield* anyOf(workers, runLog(runId, "Run published"), `published ${runId}`)
        const records = yield* Effect.forEach(runIds, (id) => runs.record(id))
        assert.deepStrictEqual(records.map((r) => r.status), ["succeeded", "succeeded", "succeeded", "succeeded"])
        assert.deepStrictEqual([...new Set(records.flatMap((r) => r.workers))].sort(), ["w1", "w2"])

        // Two syncs of one integration: one waits for the other (the database allows one running sync).
        // Which of the two a worker claims first is up to the workers' polling (both jobs can be
        // fetched in one polling round, by the two workers at once), so the test finds out which one
        // was deferred instead of assuming it is the one queued second.
        const solo = integrations[0]!
        proxy.hold("a")
        const both = [yield* startSync(solo.tenantId, solo.integrationId), yield* startSync(solo.tenantId, solo.integrationId)]
        yield* Effect.promise(() => proxy.whenHeld(1))
        const deferral = yield* anyOf(workers, (l) => both.some((id) => runLog(id, "Run deferred")(l)), "one of the two runs deferred")
        const waiting = String(deferral.annotations.runId)
        const running = both.find((id) => id !== waiting)!
        proxy.release()
        yield* anyOf(workers, runLog(running, "Run published"), "running run published")
        yield* anyOf(workers, runLog(waiting, "Run published"), "deferred run published")
        assert.strictEqual(proxy.maxInFlight("a"), 1)
        const [r1, r2] = yield* Effect.forEach([running, waiting], (id) => runs.record(id))
        // The deferred one only started once the other had published.
        assert.isTrue(r2!.startedAt! >= r1!.publishedAt!, `${r2!.startedAt} >= ${r1!.publishedAt}`)
        assert.deepStrictEqual([r1!.status, r2!.status], ["succeeded", "succeeded"])
      }))
  })
})
