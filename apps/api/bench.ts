// Latency of a few API endpoints under load (autocannon), against the real API and store on a
// local PostgreSQL, with a seeded snapshot (users, groups, nested memberships). Only 127.0.0.1.
//
//   npx node --conditions=@idconnect/source apps/api/bench.ts        # 15 s per endpoint
//   BENCH_SECONDS=60 npx node --conditions=@idconnect/source apps/api/bench.ts
//
// Needs PostgreSQL: BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres); it creates
// and drops a database of its own (through test-support, like the tests).
import { createRequire } from "node:module"
import { randomBytes } from "node:crypto"
import { examplePlugin } from "@idconnect/connector-example/ExamplePlugin"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { Integrations } from "@idconnect/store/Integrations"
import { Runs } from "@idconnect/store/Runs"
import { SnapshotWriter } from "@idconnect/store/SnapshotWriter"
import { Store } from "@idconnect/store/Store"
import { Tenants } from "@idconnect/store/Tenants"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { ADMIN_URL_ENV, createTestDatabase } from "@idconnect/test-support/TestDatabase"
import { apiServicesLayer } from "./src/ApiLayer.ts"
import { serveApi } from "./src/ApiServer.ts"
import { defaultHttpOptions } from "./src/http/App.ts"

const autocannon = createRequire(import.meta.url)("autocannon") as (opts: object) => Promise<any>
const seconds = Number(process.env.BENCH_SECONDS ?? 15)
const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"
const USERS = 5000
const GROUPS = 200

process.env[ADMIN_URL_ENV] = adminUrl
const database = await createTestDatabase("bench")

const store = Store.layerWithQueue({
  database: { _tag: "postgres", url: Redacted.make(database.url), poolSize: 10 },
  encryptionKey: Redacted.make(new Uint8Array(randomBytes(32))),
  retentionRuns: 3,
  effectiveAccessMaxDepth: 12
})
const runtime = ManagedRuntime.make(apiServicesLayer(store, [examplePlugin]))

const user = (i: number): Entity => ({ name: `User ${i}`, entityType: "identity", sourceSystem: "bench", sourceId: `u${i}`, sourceType: "user" })
const group = (i: number): Entity => ({ name: `Group ${i}`, entityType: "connection", sourceSystem: "bench", sourceId: `g${i}`, sourceType: "group" })
const member = (parent: Entity, child: Entity): EntityRelation => ({
  parentSourceId: parent.sourceId,
  parentEntityType: parent.entityType,
  parentSourceType: parent.sourceType,
  entitySourceId: child.sourceId,
  entityType: child.entityType,
  entitySourceType: child.sourceType,
  sourceSystem: "bench",
  metadata: { privilegeName: "member", connectionType: "group" }
})

// Seeds a published snapshot the way a worker would: a run, its staged batch, the publish.
const seeded = await runtime.runPromise(
  Effect.gen(function* () {
    const { tenant, apiKey } = yield* (yield* Tenants).create({ name: "Bench" })
    const integration = yield* (yield* Integrations).create(
      tenant.id,
      { name: "Bench", app: "example", primaryOwner: { email: "bench@example.test" }, mode: "bulk", config: {} },
      []
    )
    const runs = yield* Runs
    const run = yield* runs.create({ tenantId: tenant.id, integrationId: integration.id, kind: "ingest", trigger: "api" })
    yield* runs.claim(run.id, "bench", 600)
    yield* runs.setSyncMode(run.id, "full")
    const users = Array.from({ length: USERS }, (_, i) => user(i))
    const groups = Array.from({ length: GROUPS }, (_, i) => group(i))
    const relations = [
      ...users.flatMap((u, i) => [member(u, groups[i % GROUPS]!), member(u, groups[(i * 7) % GROUPS]!)]),
      ...groups.slice(1).map((g, i) => member(g, groups[Math.floor(i / 4)]!))
    ]
    const writer = yield* SnapshotWriter
    yield* writer.stage(run.id, "bench", { entities: [...users, ...groups], relations, deletions: [] }, undefined)
    yield* writer.publish(run.id, "bench")
    return { integrationId: integration.id, key: { id: apiKey.id, secret: Redacted.value(apiKey.secret) }, relations: relations.length }
  })
)

const api = await serveApi(runtime, { host: "127.0.0.1", port: 0, http: { ...defaultHttpOptions, rateLimit: undefined } })
const headers = { "x-api-key-id": seeded.key.id, "x-api-key-secret": seeded.key.secret }
const base = `/v1/integrations/${seeded.integrationId}`
const targets = [
  { name: "GET /v1/health (no auth, no database)", path: "/v1/health" },
  { name: "GET /v1/integrations/{id}", path: base },
  { name: "GET /v1/integrations/{id}/entities?limit=100", path: `${base}/entities?limit=100&entityType=identity` },
  { name: "GET /v1/integrations/{id}/effective-access?sourceId=u42", path: `${base}/effective-access?sourceId=u42` }
]

console.log(`Snapshot: ${USERS} users, ${GROUPS} groups (nested), ${seeded.relations} relations. ${seconds} s per endpoint, 10 connections.`)
console.log("| endpoint | req/s | p50 ms | p90 ms | p99 ms | errors |")
console.log("|---|---|---|---|---|---|")
for (const t of targets) {
  const result = await autocannon({ url: `${api.url}${t.path}`, connections: 10, duration: seconds, headers })
  const non2xx = result.non2xx + result.errors
  console.log(`| ${t.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p90} | ${result.latency.p99} | ${non2xx} |`)
}

await api.close()
await runtime.dispose()
await database.drop()
