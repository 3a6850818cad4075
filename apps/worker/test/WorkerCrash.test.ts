import { startExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { assert, describe, layer } from "@effect/vitest"
import { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import { SqlDriver } from "@idconnect/store/SqlDriver"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { startGateProxy } from "./support/GateProxy.ts"
import { givenDirectoryIntegration, snapshotOf, storeOnPostgres, TestDb, workerEnv } from "./support/WorkerFixtures.ts"
import { runLog, spawnWorker, type LogLine, type WorkerProcess } from "./support/WorkerProcess.ts"

/**
 * Three worker processes, two lease expiries and four syncs: about 70 s on a busy 2-core machine.
 * The layer's `timeout` only bounds building and closing the layer, so the test gets its own.
 */
const PROCESS_TEST_TIMEOUT = 300_000

const args = (id: string) => ["--modes", "direct", "--concurrency", "1", "--worker-id", id, "--metrics-port", "off", "--polling-seconds", "1", "--no-schedules"]

/** A worker child process, SIGKILLed at the end of the test if it is still running. */
const worker = (id: string) =>
  Effect.gen(function* () {
    const db = yield* TestDb
    const w = yield* Effect.acquireRelease(Effect.sync(() => spawnWorker(workerEnv(db.url), args(id))), (w) =>
      Effect.promise(async () => {
        w.kill("SIGKILL")
        await w.exited
      })
    )
    yield* Effect.promise(() => w.waitFor((l) => typeof l.message === "string" && l.message.startsWith(`Worker ${id} started`), "started"))
    return w
  })

const until = (w: WorkerProcess, predicate: (l: LogLine) => boolean, label: string) => Effect.promise(() => w.waitFor(predicate, label))

const checkpointAtLeast = (runId: string, n: number) => (l: LogLine) =>
  runLog(runId, "Checkpoint committed")(l) && Number(l.annotations.sequence) >= n

const startSync = (tenantId: string, integrationId: string) =>
  JobQueue.use((queue) => queue.startRun({ tenantId, integrationId, kind: "extract", trigger: "manual" })).pipe(Effect.map((r) => r.run.id))

/** The effective access of an integration's snapshot, as comparable strings. */
const accessOf = (tenantId: string, integrationId: string) =>
  Effect.gen(function* () {
    const access = yield* EffectiveAccess
    const out: Array<string> = []
    for (const group of ["g-01", "g-02", "g-03", "g-04"]) {
      const page = yield* access.whoHas(tenantId, integrationId, { entityType: "connection", sourceId: group }, { limit: 1000 })
      out.push(...page.items.map((g) => `${g.identity.sourceId}>${g.target.sourceId}:${g.kind}:${g.path.join("/")}`))
    }
    return out.sort()
  })

describe("Worker processes: crash and shutdown", () => {
  layer(storeOnPostgres, { timeout: "300 seconds", excludeTestServices: true })((it) => {
    it.effect(
      "SIGKILL mid-extraction: another worker resumes from the last checkpoint and publishes exactly what an uninterrupted run does; SIGTERM releases the run and exits 0",
      () =>
        Effect.gen(function* () {
          const dir = yield* Effect.acquireRelease(
            Effect.promise(() => startExampleDirectory({ users: 60, groups: 4 })),
            (d) => Effect.promise(() => d.close())
          )
          const proxy = yield* Effect.acquireRelease(Effect.promise(() => startGateProxy(dir.url)), (p) => Effect.promise(() => p.close()))
          const runs = yield* Runs
          const base = yield* givenDirectoryIntegration(proxy.url("base"), dir.token, "Baseline")
          const resumed = yield* givenDirectoryIntegration(proxy.url("resumed"), dir.token, "Resumed")
          const stopped = yield* givenDirectoryIntegration(proxy.url("stopped"), dir.token, "Stopped")

          // The uninterrupted reference run.
          const w1 = yield* worker("w1")
          const baseRun = yield* startSync(base.tenantId, base.integrationId)
          yield* until(w1, runLog(baseRun, "Run published"), "baseline published")
          const expected = yield* snapshotOf(base.tenantId, base.integrationId)
          const expectedAccess = yield* accessOf(base.tenantId, base.integrationId)

          // Freeze the second run after a dozen pages, then kill its worker outright.
          proxy.hold("resumed", 12)
          const runId = yield* startSync(resumed.tenantId, resumed.integrationId)
          yield* until(w1, checkpointAtLeast(runId, 10), "10 checkpoints")
          yield* Effect.promise(() => proxy.whenHeld(1))
          w1.kill("SIGKILL")
          const killed = yield* Effect.promise(() => w1.exited)
          assert.strictEqual(killed.signal, "SIGKILL")
          const seenBeforeKill = proxy.log.length
          proxy.release()

          // A second worker takes the run over once its lease and job heartbeat have expired.
          const w2 = yield* worker("w2")
          yield* until(w2, runLog(runId, "Run resumed from its last checkpoint"), "resumed")
          yield* until(w2, runLog(runId, "Run published"), "resumed run published")
          const afterResume = proxy.log.slice(seenBeforeKill).filter((l) => l.startsWith("resumed "))
          // It continued where the checkpoint said: no first page again, far fewer requests than a full run.
          const firstPage = proxy.log.find((l) => l.startsWith("base "))!.replace("base ", "resumed ")
          assert.notInclude(afterResume, firstPage)
          assert.isBelow(afterResume.length, proxy.log.filter((l) => l.startsWith("base ")).length - 10)
          assert.deepStrictEqual(yield* snapshotOf(resumed.tenantId, resumed.integrationId), expected)
          assert.deepStrictEqual(yield* accessOf(resumed.tenantId, resumed.integrationId), expectedAccess)
          const record = yield* runs.record(runId)
          assert.deepStrictEqual([record.status, record.attempts, record.workers], ["succeeded", 2, ["w1", "w2"]])

          // SIGTERM: stop taking jobs, keep the last checkpoint, release the run, exit 0.
          proxy.hold("stopped", 6)
          const stopRun = yield* startSync(stopped.tenantId, stopped.integrationId)
          yield* until(w2, checkpointAtLeast(stopRun, 4), "4 checkpoints")
          yield* Effect.promise(() => proxy.whenHeld(1))
          w2.kill("SIGTERM")
          const exit = yield* Effect.promise(() => w2.exited)
          assert.strictEqual(exit.code, 0)
          yield* until(w2, runLog(stopRun, "Worker stopping: run released"), "released")
          const released = yield* runs.record(stopRun)
          assert.deepStrictEqual([released.status, released.leaseOwner], ["queued", null])
          assert.isTrue(Option.isSome(yield* runs.checkpoint(stopRun)))
          const db = yield* SqlDriver
          const queued = yield* db.query<{ n: number }>(
            "select count(*)::int as n from pgboss.job where name = 'idc.extract.direct' and state in ('created', 'retry') and data->>'runId' = $1",
            [stopRun]
          )
          assert.strictEqual(queued[0]!.n, 1)
          proxy.release()

          const w3 = yield* worker("w3")
          yield* until(w3, runLog(stopRun, "Run resumed from its last checkpoint"), "stopped run resumed")
          yield* until(w3, runLog(stopRun, "Run published"), "stopped run published")
          assert.deepStrictEqual(yield* snapshotOf(stopped.tenantId, stopped.integrationId), expected)

          // Three processes' worth of logs, and the directory token in none of them.
          for (const w of [w1, w2, w3]) assert.notInclude(w.output(), dir.token)
        }),
      PROCESS_TEST_TIMEOUT
    )
  })
})
