import { examplePlugin } from "@idconnect/connector-example/ExamplePlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import { Integrations } from "@idconnect/store/Integrations"
import type { QueueSettings } from "@idconnect/store/JobQueue"
import { Snapshots } from "@idconnect/store/Snapshots"
import { Store } from "@idconnect/store/Store"
import type { DatabaseTarget, StoreSettings } from "@idconnect/store/StoreConfig"
import { Tenants } from "@idconnect/store/Tenants"
import { createTestDatabase } from "@idconnect/test-support/TestDatabase"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Worker, type WorkerOptions } from "../../src/Worker.ts"
import { LogTap } from "./LogTap.ts"

export const TEST_KEY = Buffer.alloc(32, 7)

/** Fast liveness for tests: a dead worker's job is retried ~10 s after its last heartbeat. */
export const FAST_QUEUE: QueueSettings = {
  retryLimit: 2,
  retryDelaySeconds: 1,
  retryDelayMaxSeconds: 2,
  heartbeatSeconds: 10,
  expireInSeconds: 600,
  superviseIntervalSeconds: 1,
  schedule: false
}

/** The same settings as environment variables, for worker child processes. */
export const workerEnv = (databaseUrl: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  IDCONNECT_ENCRYPTION_KEY: TEST_KEY.toString("base64"),
  IDCONNECT_JOB_RETRY_LIMIT: String(FAST_QUEUE.retryLimit),
  IDCONNECT_JOB_RETRY_DELAY_SECONDS: String(FAST_QUEUE.retryDelaySeconds),
  IDCONNECT_JOB_RETRY_DELAY_MAX_SECONDS: String(FAST_QUEUE.retryDelayMaxSeconds),
  IDCONNECT_JOB_HEARTBEAT_SECONDS: String(FAST_QUEUE.heartbeatSeconds),
  IDCONNECT_JOB_SUPERVISE_SECONDS: String(FAST_QUEUE.superviseIntervalSeconds),
  IDCONNECT_LOG_LEVEL: "Debug"
})

export const settingsFor = (database: DatabaseTarget): StoreSettings => ({
  database,
  encryptionKey: Redacted.make(new Uint8Array(TEST_KEY)),
  retentionRuns: 10,
  effectiveAccessMaxDepth: 12
})

/** The PostgreSQL database of this test file (its URL is what child workers connect to). */
export class TestDb extends Context.Service<TestDb, { readonly url: string }>()("test/TestDb") {
  static readonly layer = Layer.effect(
    TestDb,
    Effect.acquireRelease(Effect.promise(() => createTestDatabase("worker")), (db) => Effect.promise(() => db.drop())).pipe(
      Effect.map((db) => ({ url: db.url }))
    )
  )
}

/** Store + job queue on this file's PostgreSQL database. */
export const storeOnPostgres = Layer.unwrap(
  Effect.gen(function* () {
    const db = yield* TestDb
    return Store.layerWithQueue(settingsFor({ _tag: "postgres", url: Redacted.make(db.url), poolSize: 5 }), FAST_QUEUE)
  })
).pipe(Layer.provideMerge(TestDb.layer))

/** Store + job queue on embedded PGlite (in memory), as `npm start` runs it. */
export const storeOnPglite = Store.layerWithQueue(settingsFor({ _tag: "pglite", dataDir: undefined }), FAST_QUEUE)

export const workerOptions: WorkerOptions = {
  modes: ["direct", "csv"],
  concurrency: 2,
  workerId: "in-process",
  pollingIntervalSeconds: 1,
  busyRetrySeconds: 1,
  extract: { maxTransientRetries: 1, retryBaseDelay: "10 millis" }
}

/** A worker in this process on the given store, with the example plugin and a log tap. */
export const inProcessWorker = <S extends typeof storeOnPglite | typeof storeOnPostgres>(store: S, options: WorkerOptions = workerOptions) =>
  Worker.layer(options).pipe(
    Layer.provideMerge(PluginRegistry.layer([examplePlugin])),
    Layer.provideMerge(store),
    Layer.provideMerge(LogTap.layer)
  )

/** A tenant with an example-directory integration pointing at `baseUrl`. */
export const givenDirectoryIntegration = (baseUrl: string, token: string, name = "Directory", extra: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const integrations = yield* Integrations
    const { tenant } = yield* tenants.create({ name: `${name} tenant` })
    const integration = yield* integrations.create(
      tenant.id,
      { name, app: "example", primaryOwner: { email: "owner@example.test" }, mode: "direct", config: { baseUrl, token, pageSize: 5 }, ...extra },
      ["token"]
    )
    return { tenantId: tenant.id, integrationId: integration.id }
  })

/** Entities and relations of an integration's latest snapshot, sorted, for comparing two runs' results. */
export const snapshotOf = (tenantId: string, integrationId: string) =>
  Effect.gen(function* () {
    const snapshots = yield* Snapshots
    const entities = yield* Stream.runCollect(snapshots.exportEntities(tenantId, integrationId))
    const relations = yield* Stream.runCollect(snapshots.exportRelations(tenantId, integrationId))
    return {
      entities: [...entities].map((e) => JSON.stringify(e)).sort(),
      relations: [...relations].map((r) => JSON.stringify(r)).sort()
    }
  })
