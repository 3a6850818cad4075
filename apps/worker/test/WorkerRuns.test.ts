import { startExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { assert, describe, layer } from "@effect/vitest"
import { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue, Queues } from "@idconnect/store/JobQueue"
import { Operations } from "@idconnect/store/Operations"
import { Runs } from "@idconnect/store/Runs"
import { SqlDriver } from "@idconnect/store/SqlDriver"
import { Tenants } from "@idconnect/store/Tenants"
import { Uploads } from "@idconnect/store/Uploads"
import { AuditLog } from "@idconnect/store/AuditLog"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { PrometheusMetrics } from "effect/observability"
import { startGateProxy } from "./support/GateProxy.ts"
import { forRun, LogTap } from "./support/LogTap.ts"
import { givenDirectoryIntegration, inProcessWorker, snapshotOf, storeOnPglite, storeOnPostgres } from "./support/WorkerFixtures.ts"

/** Every directory token handed to a worker here; the last test scans the logs for them. */
const tokens: Array<string> = []

const directory = (options: { users?: number; groups?: number } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => startExampleDirectory({ users: options.users ?? 30, groups: options.groups ?? 4 })),
    (d) => Effect.promise(() => d.close())
  ).pipe(Effect.tap((d) => Effect.sync(() => tokens.push(d.token))))

const proxyFor = (url: string) =>
  Effect.acquireRelease(
    Effect.promise(() => startGateProxy(url)),
    (p) => Effect.promise(() => p.close())
  )

const startSync = (tenantId: string, integrationId: string) =>
  JobQueue.use((queue) => queue.startRun({ tenantId, integrationId, kind: "extract", trigger: "manual" })).pipe(
    Effect.map((r) => r.run.id)
  )

const waitLog = (runId: string, message: string) => LogTap.use((tap) => tap.waitFor(forRun(runId, message), `${message} (${runId})`))

describe("Worker on PostgreSQL (in process)", () => {
  layer(inProcessWorker(storeOnPostgres), { timeout: "180 seconds", excludeTestServices: true })((it) => {
    it.effect("a sync goes Syncing with readable progress, then Connected with 'Data available' and the directory's data", () =>
      Effect.gen(function* () {
        const dir = yield* directory()
        const proxy = yield* proxyFor(dir.url)
        const integrations = yield* Integrations
        const runs = yield* Runs
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(proxy.url("happy"), dir.token)
        assert.strictEqual((yield* integrations.get(tenantId, integrationId)).status, "Pending")
        proxy.hold("happy", 3)
        const runId = yield* startSync(tenantId, integrationId)
        yield* Effect.promise(() => proxy.whenHeld(1))
        // Mid-run: the integration says Syncing and the run shows its progress so far.
        const during = yield* integrations.get(tenantId, integrationId)
        assert.strictEqual(during.status, "Syncing")
        const progress = (yield* runs.get(tenantId, runId)).progress
        assert.isAbove(progress.entities, 0)
        assert.strictEqual((yield* runs.get(tenantId, runId)).status, "running")
        proxy.release()
        yield* waitLog(runId, "Run published")
        const after = yield* integrations.get(tenantId, integrationId)
        assert.deepStrictEqual([after.status, after.message], ["Connected", "Data available"])
        const run = yield* runs.get(tenantId, runId)
        assert.strictEqual(run.status, "succeeded")
        const snapshot = yield* snapshotOf(tenantId, integrationId)
        assert.strictEqual(snapshot.entities.length, dir.expected().entities)
        assert.strictEqual(snapshot.relations.length, dir.expected().relations)
        // Group 2 is nested in group 1: its members inherit group 1.
        const access = yield* EffectiveAccess
        const inherited = yield* access.whoHas(tenantId, integrationId, { entityType: "connection", sourceId: "g-01" }, { kind: "inherited" })
        assert.isAbove(inherited.items.length, 0)
        const metrics = yield* PrometheusMetrics.format()
        assert.match(metrics, /idconnect_runs_total\{kind="extract",outcome="succeeded"\} [1-9]/)
        assert.match(metrics, /idconnect_records_total\{type="entity"\} [1-9]/)
      }))

    it.effect("a transient failure is retried with backoff and the run then succeeds", () =>
      Effect.gen(function* () {
        const dir = yield* directory()
        const runs = yield* Runs
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, dir.token, "Flaky")
        // The runner absorbs one failure in-process; the second fails the job, which pg-boss retries.
        dir.injectFault({ status: 503, times: 3 })
        const runId = yield* startSync(tenantId, integrationId)
        yield* waitLog(runId, "Run published")
        const run = yield* runs.get(tenantId, runId)
        assert.strictEqual(run.status, "succeeded")
        assert.strictEqual(run.attempts, 2)
        const tap = yield* LogTap
        assert.isTrue(tap.entries.some((e) => e.annotations.runId === runId && String(e.message).startsWith("Run will be retried")))
      }))

    it.effect("retries that never succeed end in the dead-letter state with an actionable message", () =>
      Effect.gen(function* () {
        const dir = yield* directory()
        const runs = yield* Runs
        const integrations = yield* Integrations
        const db = yield* SqlDriver
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, dir.token, "Down")
        dir.injectFault({ status: 503, times: 1000 })
        const runId = yield* startSync(tenantId, integrationId)
        yield* LogTap.use((tap) =>
          tap.waitFor((e) => e.annotations.runId === runId && String(e.message).startsWith("Run dead-lettered"), "dead letter")
        )
        const run = yield* runs.get(tenantId, runId)
        assert.strictEqual(run.status, "dead")
        assert.strictEqual(run.attempts, 3)
        assert.strictEqual(run.error?.failureClass, "transient")
        const integration = yield* integrations.get(tenantId, integrationId)
        assert.strictEqual(integration.status, "Error")
        assert.include(integration.message, "gave up after 3 attempts")
        // pg-boss moved the job to the dead-letter queue, where a worker picked it up.
        yield* waitLog(runId, "Dead letter received")
        const dead = yield* db.query<{ n: number }>("select count(*)::int as n from pgboss.job where name = $1 and data->>'runId' = $2", [
          Queues.dead,
          runId
        ])
        assert.strictEqual(dead[0]!.n, 1)
      }))

    it.effect("a configuration error fails at once, without retries, and the integration shows the plugin's message", () =>
      Effect.gen(function* () {
        const dir = yield* directory()
        const runs = yield* Runs
        const integrations = yield* Integrations
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, "not-the-token", "Misconfigured")
        const runId = yield* startSync(tenantId, integrationId)
        yield* LogTap.use((tap) =>
          tap.waitFor((e) => e.annotations.runId === runId && String(e.message).startsWith("Run failed"), "run failed")
        )
        const run = yield* runs.get(tenantId, runId)
        assert.deepStrictEqual([run.status, run.attempts, run.error?.failureClass, run.error?.code], ["failed", 1, "config", "CredentialsRejected"])
        const integration = yield* integrations.get(tenantId, integrationId)
        assert.strictEqual(integration.status, "Error")
        assert.strictEqual(integration.message, run.error?.message)
      }))

    it.effect("a cancelled run stops at its next heartbeat and publishes nothing", () =>
      Effect.gen(function* () {
        const dir = yield* directory()
        const proxy = yield* proxyFor(dir.url)
        const runs = yield* Runs
        const integrations = yield* Integrations
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(proxy.url("cancel"), dir.token, "Cancelled")
        proxy.hold("cancel", 2)
        const runId = yield* startSync(tenantId, integrationId)
        yield* Effect.promise(() => proxy.whenHeld(1))
        yield* runs.cancel(tenantId, runId)
        yield* waitLog(runId, "Run cancelled: Cancelled on request")
        proxy.release()
        assert.strictEqual((yield* runs.get(tenantId, runId)).status, "cancelled")
        const integration = yield* integrations.get(tenantId, integrationId)
        assert.deepStrictEqual([integration.status, integration.lastRunId], ["Pending", null])
      }))

    it.effect("a lifecycle run applies a recorded plan through the plugin and audits each operation", () =>
      Effect.gen(function* () {
        const dir = yield* directory({ users: 10, groups: 3 })
        const operations = yield* Operations
        const queue = yield* JobQueue
        const audit = yield* AuditLog
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, dir.token, "Lifecycle", { lifecycleEnabled: true })
        const before = dir.members("g-03")
        const user = "u-0001"
        assert.notInclude(before, user)
        const { planId } = yield* operations.recordPlan(tenantId, integrationId, {
          requestedBy: "reviewer@example.test",
          operations: [{ request: { operation: "addGroupMember", params: { groupId: "g-03", memberId: user } } }]
        })
        const { run } = yield* queue.startRun({ tenantId, integrationId, kind: "lifecycle", trigger: "api", payload: { planId } })
        yield* operations.attachRun(planId, run.id)
        yield* waitLog(run.id, "Run succeeded")
        assert.include(dir.members("g-03"), user)
        const records = yield* operations.plan(tenantId, planId)
        assert.deepStrictEqual(records.map((r) => r.status), ["applied"])
        const entries = yield* audit.list(tenantId, { integrationId, action: "operation.applied" })
        assert.strictEqual(entries.items.length, 1)
      }))

    it.effect("a tick of an integration's schedule starts a sync", () =>
      Effect.gen(function* () {
        const dir = yield* directory({ users: 10, groups: 2 })
        const queue = yield* JobQueue
        const runs = yield* Runs
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, dir.token, "Scheduled", { schedule: "0 3 * * *" })
        // What pg-boss's cron sends on each tick of the integration's schedule:
        yield* Effect.promise(() => queue.boss.send(Queues.scheduled, { tenantId, integrationId }))
        const queued = yield* LogTap.use((tap) =>
          tap.waitFor((e) => e.annotations.integrationId === integrationId && e.message === "Scheduled sync queued", "scheduled sync")
        )
        const runId = String(queued.annotations.runId)
        yield* waitLog(runId, "Run published")
        assert.strictEqual((yield* runs.get(tenantId, runId)).trigger, "schedule")
      }))

    it.effect("an uploaded CSV is ingested and published; an invalid one fails naming the line, publishing nothing", () =>
      Effect.gen(function* () {
        const tenants = yield* Tenants
        const integrations = yield* Integrations
        const uploads = yield* Uploads
        const queue = yield* JobQueue
        const runs = yield* Runs
        const { tenant } = yield* tenants.create({ name: "Uploader" })
        const integration = yield* integrations.create(
          tenant.id,
          { name: "HR export", app: "example", primaryOwner: { email: "hr@example.test" }, mode: "csv", config: {} },
          []
        )
        const upload = (entities: string) =>
          Effect.gen(function* () {
            const created = yield* uploads.create(tenant.id, integration.id)
            const { claim } = Option.getOrThrow(yield* uploads.claim(tenant.id, created.id))
            yield* uploads.write(claim, "entities", Stream.make(new TextEncoder().encode(entities)))
            yield* uploads.submit(claim)
            const { run } = yield* queue.startRun({
              tenantId: tenant.id,
              integrationId: integration.id,
              kind: "ingest",
              trigger: "upload",
              payload: { uploadId: created.id, files: { entities: { format: "csv" } }, syncMode: "full", bestEffort: false }
            })
            return run.id
          })
        const header = "App,Name,Entity Type,Source System,Source ID,Source Type,Metadata Version,Metadata\n"
        const good = yield* upload(`${header}hr,Ada,identity,hr,e1,employee,,\nhr,Bob,identity,hr,e2,employee,,\n`)
        yield* waitLog(good, "Upload published")
        assert.strictEqual((yield* runs.get(tenant.id, good)).status, "succeeded")
        assert.strictEqual((yield* snapshotOf(tenant.id, integration.id)).entities.length, 2)

        const bad = yield* upload(`${header}hr,Cy,persona,hr,e3,employee,,\n`)
        yield* LogTap.use((tap) =>
          tap.waitFor((e) => e.annotations.runId === bad && String(e.message).startsWith("Run failed"), "upload rejected")
        )
        const failed = yield* runs.get(tenant.id, bad)
        assert.strictEqual(failed.status, "failed")
        assert.include(failed.error?.message ?? "", "entities.csv:2")
        assert.isAbove(failed.warnings.length, 0)
        // The earlier snapshot is untouched.
        assert.strictEqual((yield* snapshotOf(tenant.id, integration.id)).entities.length, 2)
      }))

    it.effect("no log line carries a secret", () =>
      Effect.gen(function* () {
        const tap = yield* LogTap
        assert.isAbove(tap.entries.length, 10)
        assert.isAbove(tokens.length, 3)
        for (const entry of tap.entries) {
          for (const token of [...tokens, "not-the-token"]) assert.notInclude(entry.json, token)
        }
      }))
  })
})

describe("Worker on the embedded database (PGlite + pg-boss in one process)", () => {
  layer(inProcessWorker(storeOnPglite), { timeout: "180 seconds", excludeTestServices: true })((it) => {
    it.effect("syncs end to end without any server", () =>
      Effect.gen(function* () {
        const dir = yield* directory({ users: 12, groups: 3 })
        const integrations = yield* Integrations
        const { tenantId, integrationId } = yield* givenDirectoryIntegration(dir.url, dir.token, "Embedded")
        const runId = yield* startSync(tenantId, integrationId)
        yield* waitLog(runId, "Run published")
        assert.strictEqual((yield* integrations.get(tenantId, integrationId)).status, "Connected")
        assert.strictEqual((yield* snapshotOf(tenantId, integrationId)).entities.length, dir.expected().entities)
      }))
  })
})
