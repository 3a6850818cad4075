import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { Store } from "../src/Store.ts"
import { SnapshotWriter } from "../src/SnapshotWriter.ts"
import { settingsFor, givenIntegration, leasedRun, user, group, role, memberOf, holds } from "../test/support/StoreFixtures.ts"

const scale = Number(process.argv[3] ?? "1")
const U = Math.round(100_000 * scale), G = Math.round(20_000 * scale)
let seed = 42
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
const pick = (n: number) => Math.floor(rnd() * n)
const t = () => performance.now()

const program = Effect.gen(function* () {
  const { tenantId, integration } = yield* givenIntegration()
  const writer = yield* SnapshotWriter
  const users = Array.from({ length: U }, (_, i) => user(`u${i}`))
  const groups = Array.from({ length: G }, (_, i) => group(`g${i}`))
  const roles = Array.from({ length: 300 }, (_, i) => role(`r${i}`))
  const rels: Array<EntityRelation> = []
  for (const u of users) { const seen = new Set<number>(); for (let k = 0; k < 5; k++) { const g = 2 + pick(G - 2); if (!seen.has(g)) { seen.add(g); rels.push(memberOf(u, groups[g]!)) } } }
  for (let i = 0; i < Math.min(50_000, U); i++) { rels.push(memberOf(users[i]!, groups[0]!)); rels.push(memberOf(users[U - 1 - i]!, groups[1]!)) }
  for (let i = 2; i < G; i++) if (rnd() < 0.3) rels.push(memberOf(groups[i]!, groups[pick(i)]!))
  rels.push(memberOf(groups[0]!, groups[1]!)); rels.push(memberOf(groups[1]!, groups[0]!)) // a cycle between the two giant groups
  for (let i = 0; i < G; i++) if (rnd() < 0.5) rels.push(holds(groups[i]!, roles[pick(roles.length)]!, "roleAssignment"))
  const entities: Array<Entity> = [...users, ...groups, ...roles]
  console.log(`dataset: ${users.length} users, ${groups.length} groups, ${roles.length} roles, ${rels.length} relations`)
  const { runId, owner } = yield* leasedRun(tenantId, integration.id)
  let t0 = t()
  const B = 20_000
  for (let i = 0; i < entities.length; i += B) yield* writer.stage(runId, owner, { entities: entities.slice(i, i + B), relations: [], deletions: [] }, undefined)
  for (let i = 0; i < rels.length; i += B) yield* writer.stage(runId, owner, { entities: [], relations: rels.slice(i, i + B), deletions: [] }, undefined)
  const stageMs = t() - t0
  console.log(`stage (COPY) ${entities.length + rels.length} rows in ${Math.round(stageMs)} ms = ${Math.round((entities.length + rels.length) / stageMs * 1000)} rows/s`)
  t0 = t()
  const r = yield* writer.publish(runId, owner)
  console.log(`publish ${Math.round(t() - t0)} ms`, JSON.stringify(r))
  // second run: same data, a few changes -> incremental cost of a no-op-ish full sync
  const { runId: run2, owner: o2 } = yield* leasedRun(tenantId, integration.id)
  rels.push(memberOf(users[7]!, groups[5]!))
  for (let i = 0; i < entities.length; i += B) yield* writer.stage(run2, o2, { entities: entities.slice(i, i + B), relations: [], deletions: [] }, undefined)
  for (let i = 0; i < rels.length; i += B) yield* writer.stage(run2, o2, { entities: [], relations: rels.slice(i, i + B), deletions: [] }, undefined)
  t0 = t()
  const r2 = yield* writer.publish(run2, o2)
  console.log(`publish #2 (one change) ${Math.round(t() - t0)} ms`, JSON.stringify(r2))
})
const target = process.argv[2] === "pg" ? { _tag: "postgres" as const, url: Redacted.make("postgres://postgres@127.0.0.1:5432/idc_prof"), poolSize: 4 } : { _tag: "pglite" as const, dataDir: undefined }
await Effect.runPromise(Effect.scoped(Effect.provide(program, Store.layer(settingsFor(target)))))
