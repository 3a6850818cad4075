import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { Store } from "../src/Store.ts"
import { Snapshots } from "../src/Snapshots.ts"
import { SnapshotWriter } from "../src/SnapshotWriter.ts"
import { settingsFor, givenIntegration, leasedRun, user, group, memberOf } from "../test/support/StoreFixtures.ts"
import * as Redacted from "effect/Redacted"

const t = () => performance.now()
const program = Effect.gen(function* () {
  const { tenantId, integration } = yield* givenIntegration()
  const writer = yield* SnapshotWriter
  const snapshots = yield* Snapshots
  const people = Array.from({ length: 4500 }, (_, i) => user(`p${i}`))
  const g = group("all")
  const { runId, owner } = yield* leasedRun(tenantId, integration.id)
  let t0 = t()
  yield* writer.stage(runId, owner, { entities: [...people, g], relations: people.map((p) => memberOf(p, g)), deletions: [] }, { version: "x", state: 1 })
  console.log("stage", t() - t0); t0 = t()
  const r = yield* writer.publish(runId, owner)
  console.log("publish", t() - t0, JSON.stringify(r)); t0 = t()
  const n = yield* Stream.runCount(snapshots.exportEntities(tenantId, integration.id))
  console.log("export entities", n, t() - t0); t0 = t()
  const m = yield* Stream.runCount(snapshots.exportRelations(tenantId, integration.id))
  console.log("export relations", m, t() - t0); t0 = t()
})
const target = process.argv[2] === "pg" ? { _tag: "postgres" as const, url: Redacted.make("postgres://postgres@127.0.0.1:5432/idc_prof"), poolSize: 4 } : { _tag: "pglite" as const, dataDir: undefined }
await Effect.runPromise(Effect.scoped(Effect.provide(program, Store.layer(settingsFor(target)))))
