import { AuditLog } from "@idconnect/store/AuditLog"
import { Tenants } from "@idconnect/store/Tenants"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { tenancyEndpoints } from "../contract/endpoints/TenancyEndpoints.ts"
import type { Handlers } from "../http/Handler.ts"
import { actorOf, tenantOf } from "./CallerScope.ts"

const keyView = (k: { id: string; name: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }) => ({
  id: k.id,
  name: k.name,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt
})

export const tenancyHandlers: Handlers<typeof tenancyEndpoints, Tenants | AuditLog> = {
  createTenant: ({ body }) =>
    Effect.gen(function* () {
      const tenants = yield* Tenants
      const created = yield* tenants.create(body.apiKeyName === undefined ? { name: body.name } : { name: body.name, keyName: body.apiKeyName })
      yield* (yield* AuditLog).append({
        tenantId: created.tenant.id,
        actor: "admin",
        action: "tenant.created",
        targetType: "tenant",
        targetId: created.tenant.id,
        details: { name: created.tenant.name, apiKeyId: created.apiKey.id }
      })
      return {
        tenant: created.tenant,
        apiKey: {
          id: created.apiKey.id,
          secret: Redacted.value(created.apiKey.secret),
          name: created.apiKey.name,
          createdAt: created.tenant.createdAt
        }
      }
    }),
  getTenant: ({ caller }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      return yield* (yield* Tenants).get(tenantId)
    }),
  listApiKeys: ({ caller }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const keys = yield* (yield* Tenants).listApiKeys(tenantId)
      return { items: keys.map(keyView) }
    }),
  createApiKey: ({ caller, body }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const key = yield* (yield* Tenants).createApiKey(tenantId, body.name)
      yield* (yield* AuditLog).append({ tenantId, actor: actorOf(caller), action: "apiKey.created", targetType: "apiKey", targetId: key.id, details: { name: key.name } })
      return { id: key.id, secret: Redacted.value(key.secret), name: key.name, createdAt: new Date().toISOString() }
    }),
  revokeApiKey: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const key = yield* (yield* Tenants).revokeApiKey(tenantId, params.keyId)
      yield* (yield* AuditLog).append({ tenantId, actor: actorOf(caller), action: "apiKey.revoked", targetType: "apiKey", targetId: key.id, details: { name: key.name } })
      return keyView(key)
    })
}
