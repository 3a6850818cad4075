import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createTestDatabase } from "@idconnect/test-support/TestDatabase"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { makePgDriver } from "../src/internal/PgDriver.ts"
import { migrations, runMigrations } from "../src/Migrations.ts"
import { Store } from "../src/Store.ts"
import { SqlDriver } from "../src/SqlDriver.ts"
import { Tenants } from "../src/Tenants.ts"
import { Uploads } from "../src/Uploads.ts"
import { settingsFor } from "./support/StoreFixtures.ts"

describe("Migrations", () => {
  it.live("two processes starting at once on one PostgreSQL apply each migration exactly once", () =>
    Effect.gen(function* () {
      const db = yield* Effect.acquireRelease(
        Effect.promise(() => createTestDatabase("migrate")),
        (d) => Effect.promise(() => d.drop())
      )
      const target = { _tag: "postgres" as const, url: Redacted.make(db.url), poolSize: 2 }
      const [a, b] = yield* Effect.all([makePgDriver(target), makePgDriver(target)])
      const [doneA, doneB] = yield* Effect.all([runMigrations(a), runMigrations(b)], { concurrency: 2 })
      assert.deepStrictEqual([...doneA, ...doneB].sort(), migrations.map((m) => m.version))
      const rows = yield* a.query<{ version: number }>("select version from schema_migrations order by version")
      assert.deepStrictEqual(rows.map((r) => r.version), migrations.map((m) => m.version))
      // A later start finds nothing to do.
      assert.deepStrictEqual(yield* runMigrations(b), [])
    }), 120_000)

  it.live("upgrading a database with data: rows kept, ids in byte order, a stuck upload of the old version can be taken over", () =>
    Effect.gen(function* () {
      const db = yield* Effect.acquireRelease(
        Effect.promise(() => createTestDatabase("upgrade")),
        (d) => Effect.promise(() => d.drop())
      )
      const driver = yield* makePgDriver({ _tag: "postgres" as const, url: Redacted.make(db.url), poolSize: 2 })
      yield* runMigrations(driver, migrations.filter((m) => m.version <= 5))
      yield* driver.exec(`
        insert into tenants (id, name) values ('t1', 'Contoso');
        insert into integrations (id, tenant_id, name, app, mode, primary_owner) values ('i1', 't1', 'HR', 'hr', 'csv', '{}');
        insert into uploads (id, tenant_id, integration_id, status) values ('up1', 't1', 'i1', 'received');
        insert into relations (integration_id, rkey, parent_entity_type, parent_source_type, parent_source_id, entity_type,
          entity_source_type, entity_source_id, privilege_name, scope, hash, valid_from)
        select 'i1', k, 'identity', 'user', k, 'connection', 'group', 'g', 'member', '', 'h', 1 from unnest(array['b', 'B', 'a', '_']) k`)

      yield* runMigrations(driver)
      const ids = yield* driver.query<{ rkey: string }>("select rkey from relations where integration_id = 'i1' and valid_to is null order by rkey")
      assert.deepStrictEqual(ids.map((r) => r.rkey), ["B", "_", "a", "b"], "byte order")
      // ...whatever the database's default collation (this one's may already sort code points like bytes).
      const collations = yield* driver.query<{ table_name: string; column_name: string; collation_name: string | null }>(
        `select table_name, column_name, collation_name from information_schema.columns
         where table_schema = 'public' and column_name in ('rkey', 'source_id', 'identity_source_id', 'target_source_id', 'parent_source_id', 'hash')
         order by table_name, column_name`
      )
      assert.deepStrictEqual(collations.filter((c) => c.collation_name !== "C"), [])
      assert.isAtLeast(collations.length, 8)
      // An upload a killed process left 'received' before claims had leases is free to take over at once.
      const claimed = yield* Effect.provide(
        Effect.flatMap(Uploads, (uploads) => uploads.claim("t1", "up1")),
        Uploads.layer.pipe(Layer.provide(Layer.succeed(SqlDriver, driver)))
      )
      assert.isTrue(Option.isSome(claimed))
    }), 120_000)

  it.live("the embedded database keeps its data in its folder across restarts", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "idc-embedded-"))
      const settings = settingsFor({ _tag: "pglite", dataDir: dir })
      // Each Effect.provide builds the store (opening the folder) and closes it at the end.
      const created = yield* Effect.provide(
        Effect.flatMap(Tenants, (tenants) => tenants.create({ name: "Persisted" })),
        Store.layer(settings)
      )
      const again = yield* Effect.provide(
        Effect.flatMap(Tenants, (tenants) => tenants.get(created.tenant.id)),
        Store.layer(settings)
      )
      assert.strictEqual(again.name, "Persisted")
      fs.rmSync(dir, { recursive: true, force: true })
    }), 120_000)
})
