import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { newId } from "./internal/Ids.ts"
import { SqlDriver, type SqlConnection } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

export interface TenantView {
  readonly id: string
  readonly name: string
  readonly createdAt: string
}

export interface ApiKeyView {
  readonly id: string
  readonly tenantId: string
  readonly name: string
  readonly createdAt: string
  readonly lastUsedAt: string | null
  readonly revokedAt: string | null
}

/**
 * A key as created: the only time its secret exists outside the caller's hands. `token` is what a
 * client sends (`<keyId>.<secret>`); the store keeps only a salted SHA-256 of the secret.
 */
export interface NewApiKey {
  readonly id: string
  readonly name: string
  readonly secret: Redacted.Redacted<string>
  readonly token: Redacted.Redacted<string>
}

/** Who a verified key belongs to. */
export interface ApiKeyPrincipal {
  readonly tenantId: string
  readonly keyId: string
}

type TenantRow = { id: string; name: string; created_at: string }
type KeyRow = {
  id: string
  tenant_id: string
  name: string
  salt: string
  secret_hash: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

const tenantView = (r: TenantRow): TenantView => ({ id: r.id, name: r.name, createdAt: r.created_at })
const keyView = (r: KeyRow): ApiKeyView => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at
})

// API key secrets are 32 random bytes, so a salted SHA-256 is as strong as a slow KDF here and keeps
// per-request verification cheap.
const hashSecret = (salt: string, secret: string): Buffer => createHash("sha256").update(salt).update(secret).digest()

const insertKey = (tx: SqlConnection, tenantId: string, name: string) =>
  Effect.gen(function* () {
    const id = newId("key")
    const secret = randomBytes(32).toString("base64url")
    const salt = randomBytes(16).toString("base64url")
    yield* tx.query("insert into api_keys (id, tenant_id, name, salt, secret_hash) values ($1, $2, $3, $4, $5)", [
      id,
      tenantId,
      name,
      salt,
      hashSecret(salt, secret).toString("base64url")
    ])
    const key: NewApiKey = { id, name, secret: Redacted.make(secret), token: Redacted.make(`${id}.${secret}`) }
    return key
  })

const checkName = (field: string, name: string) =>
  name.trim() === "" ? Effect.fail(StoreErrors.invalidInput(field, `${field} must not be blank`)) : Effect.void

/**
 * Tenants and their API keys. `create` returns the first key; `verifyApiKey` turns a presented token
 * into the tenant it belongs to (or None: unknown, wrong secret and revoked look the same).
 *
 * @category services
 */
export class Tenants extends Context.Service<
  Tenants,
  {
    readonly create: (input: { readonly name: string; readonly keyName?: string }) => Effect.Effect<
      { readonly tenant: TenantView; readonly apiKey: NewApiKey },
      StoreError
    >
    readonly get: (id: string) => Effect.Effect<TenantView, StoreError>
    readonly list: () => Effect.Effect<ReadonlyArray<TenantView>, StoreError>
    readonly createApiKey: (tenantId: string, name: string) => Effect.Effect<NewApiKey, StoreError>
    readonly listApiKeys: (tenantId: string) => Effect.Effect<ReadonlyArray<ApiKeyView>, StoreError>
    readonly revokeApiKey: (tenantId: string, keyId: string) => Effect.Effect<ApiKeyView, StoreError>
    readonly verifyApiKey: (token: Redacted.Redacted<string>) => Effect.Effect<Option.Option<ApiKeyPrincipal>, StoreError>
  }
>()("idconnect/store/Tenants") {
  static readonly layer = Layer.effect(
    Tenants,
    Effect.gen(function* () {
      const db = yield* SqlDriver

      const get = Effect.fn("Tenants.get")(function* (id: string) {
        const rows = yield* db.query<TenantRow>("select id, name, created_at from tenants where id = $1", [id])
        if (rows.length === 0) return yield* StoreErrors.notFound("tenant", id)
        return tenantView(rows[0]!)
      })

      return Tenants.of({
        create: Effect.fn("Tenants.create")(function* (input) {
          yield* checkName("name", input.name)
          return yield* db.transaction((tx) =>
            Effect.gen(function* () {
              const id = newId("tn")
              const rows = yield* tx.query<TenantRow>("insert into tenants (id, name) values ($1, $2) returning id, name, created_at", [
                id,
                input.name.trim()
              ])
              const apiKey = yield* insertKey(tx, id, input.keyName ?? "initial")
              return { tenant: tenantView(rows[0]!), apiKey }
            })
          )
        }),
        get,
        list: Effect.fn("Tenants.list")(function* () {
          const rows = yield* db.query<TenantRow>("select id, name, created_at from tenants order by id")
          return rows.map(tenantView)
        }),
        createApiKey: Effect.fn("Tenants.createApiKey")(function* (tenantId, name) {
          yield* checkName("name", name)
          yield* get(tenantId)
          return yield* insertKey(db, tenantId, name.trim())
        }),
        listApiKeys: Effect.fn("Tenants.listApiKeys")(function* (tenantId) {
          const rows = yield* db.query<KeyRow>("select * from api_keys where tenant_id = $1 order by id", [tenantId])
          return rows.map(keyView)
        }),
        revokeApiKey: Effect.fn("Tenants.revokeApiKey")(function* (tenantId, keyId) {
          const rows = yield* db.query<KeyRow>(
            "update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 and tenant_id = $2 returning *",
            [keyId, tenantId]
          )
          if (rows.length === 0) return yield* StoreErrors.notFound("API key", keyId)
          return keyView(rows[0]!)
        }),
        verifyApiKey: Effect.fn("Tenants.verifyApiKey")(function* (token) {
          const text = Redacted.value(token)
          const dot = text.indexOf(".")
          if (dot <= 0) return Option.none()
          const keyId = text.slice(0, dot)
          const secret = text.slice(dot + 1)
          const rows = yield* db.query<KeyRow>("select * from api_keys where id = $1 and revoked_at is null", [keyId])
          const row = rows[0]
          if (row === undefined) return Option.none()
          const expected = Buffer.from(row.secret_hash, "base64url")
          const actual = hashSecret(row.salt, secret)
          if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return Option.none()
          // Record use at most once a minute: verification happens on every request.
          yield* db.query(
            "update api_keys set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')",
            [keyId]
          )
          return Option.some({ tenantId: row.tenant_id, keyId })
        })
      })
    })
  )
}
