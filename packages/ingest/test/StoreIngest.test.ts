import { assert, describe, layer } from "@effect/vitest"
import { SinkError } from "@idconnect/core/ExtractionSink"
import { type Entity, entityKey } from "@idconnect/schemas/Entity"
import { type EntityRelation, relationKey } from "@idconnect/schemas/EntityRelation"
import { Integrations } from "@idconnect/store/Integrations"
import { Runs } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import { Store } from "@idconnect/store/Store"
import { makeStoreSink } from "@idconnect/store/StoreSink"
import { Tenants } from "@idconnect/store/Tenants"
import { createTestDatabase } from "@idconnect/test-support/TestDatabase"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { writeEntitiesCsv, writeRelationsCsv } from "../src/CsvWriter.ts"
import { ingestFiles, type IngestInput } from "../src/Ingest.ts"
import { KnownEntities } from "../src/ReferenceCheck.ts"
import { fixture, ingestToMemory, textInput } from "./support.ts"

// The engine against the real store on PostgreSQL: uploads are staged through the store's
// ExtractionSink and published atomically; relations may point at the last synced entities
// (the store's `Snapshots.existing` is the KnownEntities lookup).

const storeLayer = Layer.unwrap(
  Effect.acquireRelease(
    Effect.promise(() => createTestDatabase("ingest")),
    (db) => Effect.promise(() => db.drop())
  ).pipe(
    Effect.map((db) =>
      Store.layer({
        database: { _tag: "postgres", url: Redacted.make(db.url), poolSize: 5 },
        encryptionKey: Redacted.make(new Uint8Array(32).fill(7)),
        retentionRuns: 10,
        effectiveAccessMaxDepth: 12
      })
    )
  )
)

const givenCsvIntegration = Effect.gen(function* () {
  const { tenant } = yield* (yield* Tenants).create({ name: "Ingest tenant" })
  const integration = yield* (yield* Integrations).create(
    tenant.id,
    { name: "HR export", app: "example", primaryOwner: { email: "owner@contoso.example" }, mode: "csv", config: {} },
    []
  )
  return { tenantId: tenant.id, integrationId: integration.id }
})

/** One upload as the worker runs it: a leased ingest run, the store's sink, the store's known entities. */
const upload = (
  ids: { readonly tenantId: string; readonly integrationId: string },
  files: { readonly entities?: IngestInput; readonly relations?: IngestInput },
  options: { readonly bestEffort?: boolean; readonly syncMode?: "full" | "incremental" } = {}
) =>
  Effect.gen(function* () {
    const runs = yield* Runs
    const snapshots = yield* Snapshots
    const run = yield* runs.create({ tenantId: ids.tenantId, integrationId: ids.integrationId, kind: "ingest", trigger: "upload" })
    const claim = yield* runs.claim(run.id, "test-worker", 60)
    assert.strictEqual(claim._tag, "Claimed")
    const sink = yield* makeStoreSink(run.id, "test-worker")
    const known = KnownEntities.of({
      exists: (refs) =>
        snapshots.existing(ids.integrationId, refs).pipe(Effect.mapError((e) => new SinkError({ message: e.message, retryable: e.isRetryable, cause: e })))
    })
    return yield* ingestFiles({ ...files, sink, known, ...options })
  })

const snapshotOf = (ids: { readonly tenantId: string; readonly integrationId: string }) =>
  Effect.gen(function* () {
    const snapshots = yield* Snapshots
    const entities = yield* Stream.runCollect(snapshots.exportEntities(ids.tenantId, ids.integrationId))
    const relations = yield* Stream.runCollect(snapshots.exportRelations(ids.tenantId, ids.integrationId))
    return { entities, relations }
  })

const byEntityKey = (items: Iterable<Entity>) => [...items].sort((a, b) => entityKey(a).localeCompare(entityKey(b)))
const byRelationKey = (items: Iterable<EntityRelation>) => [...items].sort((a, b) => relationKey(a).localeCompare(relationKey(b)))

const collect = async (lines: AsyncIterable<string>) => {
  let text = ""
  for await (const line of lines) text += line
  return text
}

describe("ingest into the store (PostgreSQL)", () => {
  layer(storeLayer, { timeout: "120 seconds", excludeTestServices: true })((it) => {
    it.effect("publishes an upload as the integration's snapshot, and export -> re-import gives the same snapshot", () =>
      Effect.gen(function* () {
        const ids = yield* givenCsvIntegration
        const report = yield* upload(ids, { entities: fixture("entities-tolerant.csv"), relations: fixture("relations-tolerant.csv") })
        assert.isTrue(report.published)

        const expected = yield* ingestToMemory({ entities: fixture("entities-tolerant.csv"), relations: fixture("relations-tolerant.csv") })
        const stored = yield* snapshotOf(ids)
        assert.deepStrictEqual(byEntityKey(stored.entities), byEntityKey(expected.state.entities.values()))
        assert.deepStrictEqual(byRelationKey(stored.relations), byRelationKey(expected.state.relations.values()))

        // Export the stored snapshot as CSV and upload it again: nothing changes.
        const entitiesCsv = yield* Effect.promise(() => collect(writeEntitiesCsv(stored.entities)))
        const relationsCsv = yield* Effect.promise(() => collect(writeRelationsCsv(stored.relations)))
        const again = yield* upload(ids, { entities: textInput("export-entities.csv", entitiesCsv), relations: textInput("export-relations.csv", relationsCsv) })
        assert.deepStrictEqual(again.errors, [])
        const restored = yield* snapshotOf(ids)
        assert.deepStrictEqual(byEntityKey(restored.entities), byEntityKey(stored.entities))
        assert.deepStrictEqual(byRelationKey(restored.relations), byRelationKey(stored.relations))
      }))

    it.effect("a strict upload with an invalid row publishes nothing: readers keep the previous snapshot", () =>
      Effect.gen(function* () {
        const ids = yield* givenCsvIntegration
        yield* upload(ids, { entities: fixture("entities-tolerant.csv") })
        const before = yield* snapshotOf(ids)
        const report = yield* upload(ids, { entities: fixture("entities-errors.csv") })
        assert.isFalse(report.published)
        const after = yield* snapshotOf(ids)
        assert.deepStrictEqual(byEntityKey(after.entities), byEntityKey(before.entities))
        assert.strictEqual(after.entities.length, 4)
      }))

    it.effect("best effort replaces the snapshot with the valid rows", () =>
      Effect.gen(function* () {
        const ids = yield* givenCsvIntegration
        yield* upload(ids, { entities: fixture("entities-tolerant.csv") })
        const report = yield* upload(ids, { entities: fixture("entities-errors.csv") }, { bestEffort: true })
        assert.isTrue(report.published)
        const after = yield* snapshotOf(ids)
        assert.deepStrictEqual(after.entities.map((e) => e.name).sort(), ["Alice", "Ivan"])
      }))

    it.effect("relations may point at the integration's last synced entities", () =>
      Effect.gen(function* () {
        const ids = yield* givenCsvIntegration
        yield* upload(ids, { entities: fixture("entities-tolerant.csv") })
        const relations = textInput(
          "relations.csv",
          "Parent Entity Source ID,Parent Entity Type,Entity Source ID,Entity Type,Metadata\n" +
            'u-2,identity,g-1,connection,"{""privilegeName"":""member""}"\n' +
            'u-404,identity,g-1,connection,"{""privilegeName"":""member""}"\n'
        )
        const report = yield* upload(ids, { relations }, { bestEffort: true, syncMode: "incremental" })
        assert.deepStrictEqual(report.errors.map((e) => [e.line, e.column, e.reason]), [
          [3, "Parent Entity Source ID", `the parent identity "u-404" is neither an entity of this upload nor of the integration's last synced data`]
        ])
        const after = yield* snapshotOf(ids)
        assert.strictEqual(after.entities.length, 4, "the synced entities stay")
        assert.deepStrictEqual(after.relations.map((r) => [r.parentSourceId, r.entitySourceId]), [["u-2", "g-1"]])
      }))
  })
})
