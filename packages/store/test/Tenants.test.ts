import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { SqlDriver } from "../src/SqlDriver.ts"
import { Tenants } from "../src/Tenants.ts"
import { DRIVERS, storeOn } from "./support/StoreFixtures.ts"

describe("Tenants and API keys", () => {
  for (const driver of DRIVERS) {
    layer(storeOn(driver), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("creates a tenant with a first key whose secret is shown once and verifies it", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const { tenant, apiKey } = yield* tenants.create({ name: "Contoso" })
          const principal = yield* tenants.verifyApiKey(apiKey.token)
          assert.deepStrictEqual(Option.getOrUndefined(principal), { tenantId: tenant.id, keyId: apiKey.id })
          assert.strictEqual(String(apiKey.secret), "<redacted>")
          // The key list never carries the secret.
          const keys = yield* tenants.listApiKeys(tenant.id)
          assert.strictEqual(keys.length, 1)
          assert.notInclude(JSON.stringify(keys), Redacted.value(apiKey.secret))
        }))

      it.effect("stores only a salted hash of each key's secret", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const db = yield* SqlDriver
          const { apiKey } = yield* tenants.create({ name: "Fabrikam" })
          const rows = yield* db.query("select * from api_keys where id = $1", [apiKey.id])
          assert.notInclude(JSON.stringify(rows), Redacted.value(apiKey.secret))
        }))

      it.effect("refuses a wrong secret, an unknown key, a malformed token and a revoked key", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const { tenant, apiKey } = yield* tenants.create({ name: "Northwind" })
          const second = yield* tenants.createApiKey(tenant.id, "ci")
          assert.isTrue(Option.isNone(yield* tenants.verifyApiKey(Redacted.make(`${apiKey.id}.not-the-secret`))))
          assert.isTrue(Option.isNone(yield* tenants.verifyApiKey(Redacted.make(`key_nope.${Redacted.value(apiKey.secret)}`))))
          assert.isTrue(Option.isNone(yield* tenants.verifyApiKey(Redacted.make("garbage"))))
          yield* tenants.revokeApiKey(tenant.id, apiKey.id)
          assert.isTrue(Option.isNone(yield* tenants.verifyApiKey(apiKey.token)))
          assert.isTrue(Option.isSome(yield* tenants.verifyApiKey(second.token)))
        }))

      it.effect("names the field when a tenant name is blank, and says which tenant is missing", () =>
        Effect.gen(function* () {
          const tenants = yield* Tenants
          const blank = yield* Effect.flip(tenants.create({ name: "  " }))
          assert.strictEqual(blank.reason._tag, "InvalidInput")
          assert.include(blank.message, "name")
          const missing = yield* Effect.flip(tenants.createApiKey("tn_missing", "x"))
          assert.strictEqual(missing.reason._tag, "NotFound")
        }))
    })
  }
})
