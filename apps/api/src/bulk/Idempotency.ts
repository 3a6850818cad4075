import { AuditLog } from "@idconnect/store/AuditLog"
import * as Effect from "effect/Effect"

/** How far back a key is remembered: the latest uploads of the integration. */
const WINDOW = 500

/**
 * Idempotency keys of upload requests. Every upload's creation is an audit event carrying the
 * client's key, so a retried request finds the upload its first attempt created and answers from
 * it instead of creating (and later ingesting) a second one.
 */
export const findByIdempotencyKey = (tenantId: string, integrationId: string, action: string, key: string) =>
  AuditLog.use((log) => log.list(tenantId, { integrationId, action, limit: WINDOW })).pipe(
    Effect.map((page) => page.items.find((e) => e.details.idempotencyKey === key))
  )

export const idempotencyKeyOf = (request: Request): string | undefined => {
  const key = request.headers.get("idempotency-key")?.trim()
  return key === undefined || key === "" ? undefined : key.slice(0, 200)
}
