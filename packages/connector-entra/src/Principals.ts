import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { GraphClient } from "./GraphClient.ts"
import { type Kind, kindOfODataType } from "./Mapping.ts"
import { windows } from "./Step.ts"

/**
 * The kinds (user, group, service principal) of principals known only by id, as in role
 * assignments and scoped role memberships: one `directoryObjects/getByIds` call per 1,000 ids.
 * Ids that no longer exist are absent from the result.
 */
export const resolvePrincipals = (ids: Iterable<string>): Effect.Effect<ReadonlyMap<string, Kind>, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const kinds = new Map<string, Kind>()
    const unique = [...new Set(ids)]
    for (const chunk of windows(unique, 1000)) {
      const body = yield* graph.post("/directoryObjects/getByIds", { ids: chunk, types: ["user", "group", "servicePrincipal"] })
      for (const o of Array.isArray(body?.value) ? body.value : []) {
        const kind = kindOfODataType(o?.["@odata.type"])
        if (kind !== undefined && typeof o.id === "string") kinds.set(o.id, kind)
      }
    }
    return kinds
  })
