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

/**
 * Collects items that name a principal (app role assignments) and hands them on in chunks of up
 * to 1,000 with the principal's kind, or `undefined` when the principal no longer exists (a
 * soft-deleted user still appears in some lists). Memory stays bounded by the chunk.
 */
export const makePrincipalBuffer = <A>(
  principalOf: (item: A) => string,
  emit: (item: A, kind: Kind | undefined) => Effect.Effect<void, ConnectorError, GraphClient>
) => {
  let pending: Array<A> = []
  const flush = (): Effect.Effect<void, ConnectorError, GraphClient> =>
    Effect.gen(function* () {
      if (pending.length === 0) return
      const items = pending
      pending = []
      const kinds = yield* resolvePrincipals(items.map(principalOf))
      for (const item of items) yield* emit(item, kinds.get(principalOf(item)))
    })
  return {
    add: (items: ReadonlyArray<A>): Effect.Effect<void, ConnectorError, GraphClient> =>
      Effect.gen(function* () {
        for (const item of items) {
          pending.push(item)
          if (pending.length >= 1000) yield* flush()
        }
      }),
    flush
  }
}
