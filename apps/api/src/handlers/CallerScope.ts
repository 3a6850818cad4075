import type { TenantId } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import { ApiErrors, type ApiError } from "../http/ApiError.ts"
import type { Caller } from "../http/Handler.ts"

/**
 * The tenant a request acts for. Every store call a handler makes takes this id, so one tenant's
 * key can never reach another tenant's rows (they look "not found").
 */
export const tenantOf = (caller: Caller): Effect.Effect<TenantId, ApiError> =>
  caller.kind === "apiKey" ? Effect.succeed(caller.tenantId) : Effect.fail(ApiErrors.unauthorized("This endpoint needs a tenant API key"))

/** How the audit trail names the caller. */
export const actorOf = (caller: Caller): string =>
  caller.kind === "apiKey" ? `apiKey:${caller.apiKeyId}` : caller.kind === "admin" ? "admin" : "anonymous"
