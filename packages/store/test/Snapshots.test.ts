import type { SinkBatch, SyncScope } from "@idconnect/core/ExtractionSink"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { EffectiveAccess } from "../src/EffectiveAccess.ts"
import { Runs } from "../src/Runs.ts"
import { Snapshots } from "../src/Snapshots.ts"
import { SnapshotWriter } from "../src/SnapshotWriter.ts"
import { SqlDriver } from "../src/SqlDriver.ts"
import { makeStoreSink } from "../src/StoreSink.ts"
import { DRIVERS, givenIntegration, group, holds, leasedRun, memberOf, role, storeOn, user } from "./support/StoreFixtures.ts"

const batch = (entities: ReadonlyArray<Entity>, relations: ReadonlyArray<EntityRelation> = [], deletions: SinkBatch["deletions"] = []): SinkBatch => ({
  entities,
  relations,
  deletions
})

/** Stages one batch as a run and publishes it; returns the run id. */
const syncRun = (tenantId: string, integrationId: string, data: SinkBatch, mode: "full" | "incremental" = "full", scope?: SyncScope) =>
  Effect.gen(function* () {
    const runs = yield* Runs
    const writer = yield* SnapshotWriter
    const { runId, owner } = yield* leasedRun(tenantId, integrationId)
    yield* runs.setSyncMode(runId, mode, scope)
    yield* writer.stage(runId, owner, data, { version: "test/1", state: { done: true } })
    yield* writer.publish(runId, owner)
    return runId
  })

const names = (items: ReadonlyArray<Entity>) => items.map((e) => e.name).sort()

describe("Snapshots: staging, atomic publish, history", () => {
  for (const driver of DRIVERS) {
    layer(storeOn(driver, { retentionRuns: 3 }), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("a reader during a run sees the previous snapshot until the run publishes", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const writer = yield* SnapshotWriter
          const { tenantId, integration } = yield* givenIntegration()
          const before = yield* snapshots.entities(tenantId, integration.id)
          assert.deepStrictEqual(before.items, [])

          yield* syncRun(tenantId, integration.id, batch([user("a", "Ada"), user("b", "Bob")]))
          const { runId, owner } = yield* leasedRun(tenantId, integration.id)
          yield* writer.stage(runId, owner, batch([user("a", "Ada"), user("c", "Cy")]), { version: "test/1", state: { page: 1 } })
          // Staged and checkpointed, not published: readers still see Ada and Bob.
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada", "Bob"])
          yield* writer.publish(runId, owner)
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada", "Cy"])
        }))

      it.effect("publishing marks the run succeeded and the integration Connected with 'Data available'", () =>
        Effect.gen(function* () {
          const runs = yield* Runs
          const integrations = yield* (yield* Effect.promise(() => import("../src/Integrations.ts"))).Integrations
          const { tenantId, integration } = yield* givenIntegration()
          const runId = yield* syncRun(tenantId, integration.id, batch([user("a")]))
          const run = yield* runs.get(tenantId, runId)
          assert.strictEqual(run.status, "succeeded")
          const after = yield* integrations.get(tenantId, integration.id)
          assert.strictEqual(after.status, "Connected")
          assert.strictEqual(after.message, "Data available")
          assert.strictEqual(after.lastRunId, runId)
        }))

      it.effect("an incremental run applies upserts and deletions on top; a deleted entity takes its relations along", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const { tenantId, integration } = yield* givenIntegration()
          const [a, b, g] = [user("a", "Ada"), user("b", "Bob"), group("g", "Admins")]
          yield* syncRun(tenantId, integration.id, batch([a, b, g], [memberOf(a, g), memberOf(b, g)]))
          yield* syncRun(
            tenantId,
            integration.id,
            batch([user("a", "Ada Lovelace"), user("d", "Dee")], [], [
              { _tag: "deletion", target: "entity", entityType: "identity", sourceType: "user", sourceId: "b" }
            ]),
            "incremental"
          )
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada Lovelace", "Admins", "Dee"])
          const relations = (yield* snapshots.relations(tenantId, integration.id)).items
          assert.deepStrictEqual(relations.map((r) => r.parentSourceId), ["a"])
        }))

      it.effect("a relations-only run replaces the relations and keeps the entities; an entities-only run keeps relations whose ends remain", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const access = yield* EffectiveAccess
          const { tenantId, integration } = yield* givenIntegration()
          const [a, b, g, h, r] = [user("a", "Ada"), user("b", "Bob"), group("g", "Admins"), group("h", "Helpdesk"), role("r", "Owner")]
          yield* syncRun(tenantId, integration.id, batch([a, b, g, h, r], [memberOf(a, g), memberOf(b, g), holds(g, r, "owner")]))
          const grantsOf = (sourceId: string) =>
            access.forIdentity(tenantId, integration.id, { sourceId }).pipe(Effect.map((p) => p.items.map((i) => `${i.target.sourceId}:${i.kind}`).sort()))
          assert.deepStrictEqual(yield* grantsOf("b"), ["g:direct", "r:inherited"])

          // Relations file alone: Bob moved from Admins to Helpdesk; the old membership is gone, the entities stay.
          yield* syncRun(tenantId, integration.id, batch([], [memberOf(a, g), memberOf(b, h), holds(g, r, "owner")]), "full", "relations")
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada", "Admins", "Bob", "Helpdesk", "Owner"])
          const relations = (yield* snapshots.relations(tenantId, integration.id)).items
          assert.deepStrictEqual(relations.map((x) => `${x.parentSourceId}>${x.entitySourceId}`).sort(), ["a>g", "b>h", "g>r"])
          assert.deepStrictEqual(yield* grantsOf("b"), ["h:direct"])

          // Entities file alone, without Helpdesk: the relations stay, except Bob's membership of the group that disappeared.
          yield* syncRun(tenantId, integration.id, batch([a, b, g, r]), "full", "entities")
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada", "Admins", "Bob", "Owner"])
          const after = (yield* snapshots.relations(tenantId, integration.id)).items
          assert.deepStrictEqual(after.map((x) => `${x.parentSourceId}>${x.entitySourceId}`).sort(), ["a>g", "g>r"])
          assert.deepStrictEqual(yield* grantsOf("b"), [])
          assert.deepStrictEqual(yield* grantsOf("a"), ["g:direct", "r:inherited"])
        }))

      it.effect("lists with filters and keyset cursors; a cursor keeps its snapshot while a new run publishes", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const { tenantId, integration } = yield* givenIntegration()
          const people = Array.from({ length: 25 }, (_, i) => user(`u${String(i).padStart(2, "0")}`, `Person ${i}`))
          yield* syncRun(tenantId, integration.id, batch([...people, group("g1", "Person-like group")]))
          const first = yield* snapshots.entities(tenantId, integration.id, { entityType: "identity", limit: 10 })
          assert.strictEqual(first.items.length, 10)
          assert.isNotNull(first.nextCursor)
          // A new snapshot without most people publishes between pages.
          yield* syncRun(tenantId, integration.id, batch([people[0]!]))
          const second = yield* snapshots.entities(tenantId, integration.id, { entityType: "identity", limit: 10, cursor: first.nextCursor! })
          const third = yield* snapshots.entities(tenantId, integration.id, { entityType: "identity", limit: 10, cursor: second.nextCursor! })
          assert.strictEqual(third.nextCursor, null)
          assert.strictEqual(first.items.length + second.items.length + third.items.length, 25)
          // A fresh read sees the new snapshot.
          assert.strictEqual((yield* snapshots.entities(tenantId, integration.id)).items.length, 1)

          const search = yield* snapshots.entities(tenantId, integration.id, { search: "PERSON 0" })
          assert.deepStrictEqual(names(search.items), ["Person 0"])
          const bad = yield* Effect.flip(snapshots.entities(tenantId, integration.id, { cursor: "not-a-cursor" }))
          assert.strictEqual(bad.reason._tag, "InvalidInput")
          assert.include(bad.message, "cursor")
        }))

      it.effect("the diff between two runs lists added, removed and changed entities, relations and effective access", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const { tenantId, integration } = yield* givenIntegration()
          const [a, b, c, g, r] = [user("a", "Ada"), user("b", "Bob"), user("c", "Cy"), group("g", "Admins"), role("r", "Global Admin")]
          const runA = yield* syncRun(tenantId, integration.id, batch([a, b, g, r], [memberOf(a, g), holds(g, r, "roleAssignment")]))
          const runB = yield* syncRun(
            tenantId,
            integration.id,
            batch([user("a", "Ada L."), c, g, r], [memberOf(a, g), memberOf(c, g), holds(g, r, "roleAssignment")])
          )
          const diff = yield* snapshots.diff(tenantId, integration.id, runA, runB)
          assert.deepStrictEqual(names(diff.entities.added), ["Cy"])
          assert.deepStrictEqual(names(diff.entities.removed), ["Bob"])
          assert.deepStrictEqual(diff.entities.changed.map((c) => [c.before.name, c.after.name]), [["Ada", "Ada L."]])
          assert.deepStrictEqual(diff.relations.added.map((x) => x.parentSourceId), ["c"])
          assert.strictEqual(diff.relations.removed.length, 0)
          // Cy gains Admins (direct) and Global Admin (inherited through Admins).
          assert.deepStrictEqual(
            diff.effectiveAccess.added.map((x) => `${x.identity.sourceId}->${x.target.sourceId}:${x.kind}`).sort(),
            ["c->g:direct", "c->r:inherited"]
          )
          assert.deepStrictEqual(diff.effectiveAccess.counts, { added: 2, removed: 0, changed: 0 })

          // And backwards: what run A had that run B does not.
          const back = yield* snapshots.diff(tenantId, integration.id, runB, runA)
          assert.deepStrictEqual(names(back.entities.added), ["Bob"])
          assert.deepStrictEqual(names(back.entities.removed), ["Cy"])
          assert.deepStrictEqual(back.effectiveAccess.counts, { added: 0, removed: 2, changed: 0 })

          // An older snapshot stays readable.
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id, { atRun: runA })).items), ["Ada", "Admins", "Bob", "Global Admin"])
        }))

      it.effect("retention keeps the last N snapshots; older runs can no longer be read or diffed", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const db = yield* SqlDriver
          const { tenantId, integration } = yield* givenIntegration()
          const runIds: Array<string> = []
          for (let i = 0; i < 5; i++) runIds.push(yield* syncRun(tenantId, integration.id, batch([user("a", `Ada v${i}`)])))
          const pruned = yield* Effect.flip(snapshots.diff(tenantId, integration.id, runIds[0]!, runIds[4]!))
          assert.strictEqual(pruned.reason._tag, "SnapshotPruned")
          const kept = yield* snapshots.diff(tenantId, integration.id, runIds[2]!, runIds[4]!)
          assert.deepStrictEqual(kept.entities.changed.map((c) => c.after.name), ["Ada v4"])
          // Only versions visible to the 3 kept snapshots remain.
          const rows = yield* db.query<{ n: number }>("select count(*)::int as n from entities where integration_id = $1", [integration.id])
          assert.strictEqual(rows[0]!.n, 3)
        }))

      it.effect("resuming after a crash: rows staged after the last checkpoint are dropped and replayed, giving the uninterrupted result", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const runs = yield* Runs
          const { tenantId, integration } = yield* givenIntegration()
          const { runId, owner } = yield* leasedRun(tenantId, integration.id, "worker-a")
          const sinkA = yield* makeStoreSink(runId, owner)
          yield* sinkA.rewind(true)
          yield* sinkA.begin("full")
          yield* sinkA.write(batch([user("a"), user("b")]), { version: "test/1", state: { page: 1 } })
          // A checkpoint-less flush, then the worker dies: "zombie" must not survive the resume.
          yield* sinkA.write(batch([user("zombie")]), undefined)

          // Worker B takes over once the lease has expired.
          const db = yield* SqlDriver
          yield* db.query("update runs set lease_expires_at = now() - interval '1 second' where id = $1", [runId])
          const claim = yield* runs.claim(runId, "worker-b", 60)
          assert.strictEqual(claim._tag, "Claimed")
          if (claim._tag !== "Claimed") return
          assert.deepStrictEqual(claim.checkpoint._tag === "Some" ? claim.checkpoint.value.state : undefined, { page: 1 })
          const sinkB = yield* makeStoreSink(runId, "worker-b")
          yield* sinkB.rewind(false)
          yield* sinkB.write(batch([user("b"), user("c")]), { version: "test/1", state: { page: 2 } })
          yield* sinkB.complete()
          const items = (yield* snapshots.entities(tenantId, integration.id)).items
          assert.deepStrictEqual(items.map((e) => e.sourceId), ["a", "b", "c"])
          const record = yield* runs.record(runId)
          assert.deepStrictEqual(record.workers, ["worker-a", "worker-b"])
          assert.strictEqual(record.attempts, 2)

          // The first worker, back from the dead, may not write any more.
          const zombie = yield* Effect.flip(sinkA.write(batch([user("z")]), undefined))
          assert.isFalse(zombie.retryable)
          assert.include(zombie.message, "lease")
        }))

      it.effect("exports every entity and relation of a snapshot as a stream", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const { tenantId, integration } = yield* givenIntegration()
          const people = Array.from({ length: 4500 }, (_, i) => user(`p${i}`))
          const g = group("all")
          yield* syncRun(tenantId, integration.id, batch([...people, g], people.map((p) => memberOf(p, g))))
          const entities = yield* Stream.runCount(snapshots.exportEntities(tenantId, integration.id))
          const relations = yield* Stream.runCount(snapshots.exportRelations(tenantId, integration.id))
          assert.strictEqual(entities, 4501)
          assert.strictEqual(relations, 4500)
          const known = yield* snapshots.existing(integration.id, [
            { entityType: "identity", sourceId: "p1" },
            { entityType: "identity", sourceId: "nobody" }
          ])
          assert.deepStrictEqual([...known], ["identity\u0000p1"])
        }))

      it.effect("replaying a batch (same keys twice) stores each row once", () =>
        Effect.gen(function* () {
          const snapshots = yield* Snapshots
          const writer = yield* SnapshotWriter
          const { tenantId, integration } = yield* givenIntegration()
          const { runId, owner } = yield* leasedRun(tenantId, integration.id)
          const data = batch([user("a"), user("a", "Ada again")], [])
          yield* writer.stage(runId, owner, data, undefined)
          yield* writer.stage(runId, owner, data, { version: "test/1", state: {} })
          yield* writer.publish(runId, owner)
          assert.deepStrictEqual(names((yield* snapshots.entities(tenantId, integration.id)).items), ["Ada again"])
        }))
    })
  }
})
