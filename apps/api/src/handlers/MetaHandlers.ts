import * as Effect from "effect/Effect"
import { API_VERSION } from "../contract/Api.ts"
import type { metaEndpoints } from "../contract/endpoints/MetaEndpoints.ts"
import type { Handlers } from "../http/Handler.ts"
import { apiDocument } from "../openapi/ApiDocument.ts"

export const metaHandlers: Handlers<typeof metaEndpoints, never> = {
  getOpenApi: () => Effect.sync(() => ({ body: apiDocument().json, contentType: "application/json" })),
  getDocs: () => Effect.sync(() => ({ body: apiDocument().html })),
  getHealth: () => Effect.succeed({ status: "ok" as const, version: API_VERSION })
}
