import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createTestDatabase } from "@idconnect/test-support/TestDatabase"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { makePgDriver } from "../src/internal/PgDriver.ts"
import { migrations, runMigrations } from "../src/Migrations.ts"
import { Store } from "../src/Store.ts"
import { Tenants } from "../src/Tenants.ts"
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
