import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Integrations } from "../src/Integrations.ts"
import { SecretBox } from "../src/SecretBox.ts"
import { SqlDriver } from "../src/SqlDriver.ts"
import { Store } from "../src/Store.ts"
import { Tenants } from "../src/Tenants.ts"
import { DRIVERS, settingsFor, storeOn } from "./support/StoreFixtures.ts"

const SECRET = "sup3r-s3cret-client-value"
const SCIM_TOKEN = "scim-bearer-token-value"

const entraInput = {
  name: "Contoso Entra",
  app: "entra",
  primaryOwner: { email: "owner@contoso.example" },
  mode: "direct" as const,
  config: { tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222", clientSecret: SECRET },
  schedule: "0 * * * *"
}

describe("Integrations", () => {
  for (const driver of DRIVERS) {
    layer(storeOn(driver), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("keeps secrets encrypted in the table and out of every view", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const integrations = yield* Integrations
          const db = yield* SqlDriver
          const { tenant } = yield* tenants.create({ name: "Contoso" })
          const created = yield* integrations.create(tenant.id, entraInput, ["clientSecret", "certificate"])
          assert.deepStrictEqual(created.secrets, { clientSecret: "set", certificate: "not set" })
          assert.deepStrictEqual(created.config, { tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222" })
          assert.strictEqual(created.status, "Pending")

          const raw = yield* db.query<{ secrets: Record<string, string> }>("select * from integrations where id = $1", [created.id])
          const text = JSON.stringify(raw)
          assert.notInclude(text, SECRET)
          assert.match(raw[0]!.secrets.clientSecret!, /^v1\.[0-9a-f]{8}\./)
          assert.notInclude(JSON.stringify(yield* integrations.get(tenant.id, created.id)), SECRET)
          assert.notInclude(JSON.stringify(yield* integrations.list(tenant.id)), SECRET)

          const forRun = yield* integrations.loadForRun(created.id)
          assert.strictEqual(forRun.config.clientSecret, SECRET)
          assert.strictEqual(forRun.tenantId, tenant.id)
        }))

      it.effect("rotates one secret, and keeps secrets that an update leaves out", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const integrations = yield* Integrations
          const { tenant } = yield* tenants.create({ name: "Fabrikam" })
          const created = yield* integrations.create(tenant.id, entraInput, ["clientSecret"])
          yield* integrations.update(tenant.id, created.id, { config: { tenantId: "fabrikam.example", clientId: "c2" }, name: "Renamed" })
          let loaded = yield* integrations.loadForRun(created.id)
          assert.deepStrictEqual(loaded.config, { tenantId: "fabrikam.example", clientId: "c2", clientSecret: SECRET })
          assert.strictEqual(loaded.integration.name, "Renamed")

          yield* integrations.rotateSecret(tenant.id, created.id, "clientSecret", Redacted.make("rotated-value"))
          loaded = yield* integrations.loadForRun(created.id)
          assert.strictEqual(loaded.config.clientSecret, "rotated-value")

          const notSecret = yield* Effect.flip(integrations.rotateSecret(tenant.id, created.id, "clientId", "x"))
          assert.strictEqual(notSecret.reason._tag, "InvalidInput")
          assert.include(notSecret.message, "clientId")
        }))

      it.effect("encrypts nested secret fields (SCIM auth.token) and reports which field is invalid", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const integrations = yield* Integrations
          const db = yield* SqlDriver
          const { tenant } = yield* tenants.create({ name: "Woodgrove" })
          const scim = yield* integrations.create(
            tenant.id,
            {
              name: "SCIM",
              app: "example",
              primaryOwner: { email: "a@b.example" },
              mode: "scim",
              config: { baseUrl: "https://scim.example/v2", auth: { type: "bearer", token: SCIM_TOKEN } }
            },
            ["auth.token", "auth.password", "auth.clientSecret"]
          )
          assert.deepStrictEqual(scim.config, { baseUrl: "https://scim.example/v2", auth: { type: "bearer" } })
          assert.strictEqual(scim.secrets["auth.token"], "set")
          assert.notInclude(JSON.stringify(yield* db.query("select * from integrations where id = $1", [scim.id])), SCIM_TOKEN)
          assert.deepStrictEqual((yield* integrations.loadForRun(scim.id)).config.auth, { type: "bearer", token: SCIM_TOKEN })

          const bad = yield* Effect.flip(
            integrations.create(
              tenant.id,
              { ...entraInput, config: { ...entraInput.config, clientSecret: 42 } },
              ["clientSecret"]
            )
          )
          assert.strictEqual(bad.reason._tag, "InvalidInput")
          assert.include(bad.message, "config.clientSecret")
        }))

      it.effect("hides another tenant's integrations", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const integrations = yield* Integrations
          const a = yield* tenants.create({ name: "A" })
          const b = yield* tenants.create({ name: "B" })
          const created = yield* integrations.create(a.tenant.id, entraInput, ["clientSecret"])
          const error = yield* Effect.flip(integrations.get(b.tenant.id, created.id))
          assert.strictEqual(error.reason._tag, "NotFound")
          assert.strictEqual((yield* integrations.list(b.tenant.id)).items.length, 0)
          assert.deepStrictEqual(yield* integrations.listScheduled().pipe(Effect.map((l) => l.filter((s) => s.id === created.id).length)), 1)
        }))

      it.effect("refuses to start with a different encryption key than the database was set up with", () =>
        Effect.gen(function* () {
          const box = yield* SecretBox
          const envelope = box.encrypt(Redacted.make("x"), "aad")
          const other = SecretBox.make(new Uint8Array(32).fill(9))
          const error = yield* Effect.flip(other.decrypt(envelope, "aad"))
          assert.strictEqual(error.reason._tag, "KeyInvalid")
          const tampered = yield* Effect.flip(box.decrypt(envelope, "another-row"))
          assert.strictEqual(tampered.reason._tag, "KeyInvalid")
        }))
    })
  }
})

describe("Encryption key check on start (embedded data folder)", () => {
  it.effect("fails fast, naming the problem, when the key changes", () =>
    Effect.gen(function* () {
      const fs = yield* Effect.promise(() => import("node:fs"))
      const os = yield* Effect.promise(() => import("node:os"))
      const path = yield* Effect.promise(() => import("node:path"))
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "idc-key-"))
      const target = { _tag: "pglite" as const, dataDir: dir }
      yield* Effect.scoped(Layer.build(Store.layer(settingsFor(target))))
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(Store.layer(settingsFor(target, { encryptionKey: Redacted.make(new Uint8Array(32).fill(1)) }))))
      )
      assert.strictEqual(error.reason._tag, "KeyInvalid")
      assert.include(error.message, "not the one this database was set up with")
      fs.rmSync(dir, { recursive: true, force: true })
    }), 120_000)
})
