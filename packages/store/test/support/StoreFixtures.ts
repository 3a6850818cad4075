import { createTestDatabase } from "@idconnect/test-support/TestDatabase"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { JobQueue, type QueueSettings } from "../../src/JobQueue.ts"
import { Store } from "../../src/Store.ts"
import type { DatabaseTarget, StoreSettings } from "../../src/StoreConfig.ts"
import { Tenants } from "../../src/Tenants.ts"
import { Integrations } from "../../src/Integrations.ts"
import { Runs } from "../../src/Runs.ts"

export const TEST_KEY = new Uint8Array(32).fill(7)

export const settingsFor = (database: DatabaseTarget, overrides: Partial<StoreSettings> = {}): StoreSettings => ({
  database,
  encryptionKey: Redacted.make(TEST_KEY),
  retentionRuns: 10,
  effectiveAccessMaxDepth: 12,
  ...overrides
})

/** A database of its own for this test file on the suite's PostgreSQL, dropped when the layer ends. */
export const postgresTarget = Effect.acquireRelease(
  Effect.promise(() => createTestDatabase("store")),
  (db) => Effect.promise(() => db.drop())
).pipe(Effect.map((db): DatabaseTarget => ({ _tag: "postgres", url: Redacted.make(db.url), poolSize: 5 })))

export const pgliteTarget: Effect.Effect<DatabaseTarget> = Effect.succeed({ _tag: "pglite", dataDir: undefined })

export type DriverName = "postgres" | "pglite"

export const targetFor = (driver: DriverName) => (driver === "postgres" ? postgresTarget : pgliteTarget)

/** The store's repositories on a fresh database of the given engine. */
export const storeOn = (driver: DriverName, overrides: Partial<StoreSettings> = {}) =>
  Layer.unwrap(Effect.map(targetFor(driver), (target) => Store.layer(settingsFor(target, overrides))))

/** The same plus the job queue (pg-boss), with fast liveness settings for tests. */
export const storeWithQueueOn = (driver: DriverName, queue: Partial<QueueSettings> = {}, overrides: Partial<StoreSettings> = {}) =>
  Layer.unwrap(
    Effect.map(targetFor(driver), (target) =>
      Store.layerWithQueue(settingsFor(target, overrides), {
        retryLimit: 2,
        retryDelaySeconds: 1,
        retryDelayMaxSeconds: 2,
        heartbeatSeconds: 10,
        expireInSeconds: 600,
        superviseIntervalSeconds: 2,
        schedule: true,
        ...queue
      })
    )
  )

export const DRIVERS: ReadonlyArray<DriverName> = ["postgres", "pglite"]

/** A tenant and an integration to hang test data on. */
export const givenIntegration = (mode: "direct" | "csv" = "direct", name = "Contoso") =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const integrations = yield* Integrations
    const { tenant } = yield* tenants.create({ name: `${name} tenant` })
    const integration = yield* integrations.create(
      tenant.id,
      {
        name,
        app: "example",
        primaryOwner: { email: "owner@contoso.example" },
        mode,
        config: mode === "direct" ? { tenantId: "t1", clientId: "c1", clientSecret: "s3cr3t-value" } : {}
      },
      mode === "direct" ? ["clientSecret"] : []
    )
    return { tenantId: tenant.id, integration }
  })

/** Creates a run and takes its lease as a worker would. */
export const leasedRun = (tenantId: string, integrationId: string, owner = "test-worker") =>
  Effect.gen(function* () {
    const runs = yield* Runs
    const run = yield* runs.create({ tenantId, integrationId, kind: "extract", trigger: "manual" })
    const claim = yield* runs.claim(run.id, owner, 60)
    if (claim._tag !== "Claimed") return yield* Effect.die(new Error(`expected to claim ${run.id}, got ${claim._tag}`))
    return { runId: run.id, owner }
  })

export const user = (id: string, name = `User ${id}`, metadata?: Record<string, unknown>): Entity => ({
  name,
  entityType: "identity",
  sourceSystem: "example",
  sourceId: id,
  sourceType: "user",
  ...(metadata ? { metadata } : {})
})

export const group = (id: string, name = `Group ${id}`): Entity => ({
  name,
  entityType: "connection",
  sourceSystem: "example",
  sourceId: id,
  sourceType: "group"
})

export const role = (id: string, name = `Role ${id}`): Entity => ({
  name,
  entityType: "connection",
  sourceSystem: "example",
  sourceId: id,
  sourceType: "directoryRole"
})

export const memberOf = (userOrGroup: Entity, groupEntity: Entity, extra: Record<string, unknown> = {}): EntityRelation => ({
  parentSourceId: userOrGroup.sourceId,
  parentEntityType: userOrGroup.entityType,
  parentSourceType: userOrGroup.sourceType,
  entitySourceId: groupEntity.sourceId,
  entityType: groupEntity.entityType,
  entitySourceType: groupEntity.sourceType,
  sourceSystem: "example",
  metadata: { privilegeName: "member", connectionType: "group", ...extra }
})

export const holds = (holder: Entity, target: Entity, privilegeName: string): EntityRelation => ({
  parentSourceId: holder.sourceId,
  parentEntityType: holder.entityType,
  parentSourceType: holder.sourceType,
  entitySourceId: target.sourceId,
  entityType: target.entityType,
  entitySourceType: target.sourceType,
  sourceSystem: "example",
  metadata: { privilegeName }
})

export { JobQueue }
