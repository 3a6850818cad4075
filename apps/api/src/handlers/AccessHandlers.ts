import type { EffectiveGrant } from "@idconnect/store/EffectiveAccess"
import { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import * as Effect from "effect/Effect"
import type { dataEndpoints } from "../contract/endpoints/DataEndpoints.ts"
import type { Handlers } from "../http/Handler.ts"
import { tenantOf } from "./CallerScope.ts"

type AccessEndpoints = Extract<(typeof dataEndpoints)[number], { name: "getEffectiveAccess" | "getHolders" }>

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

const filterOf = (q: { kind?: "direct" | "inherited"; privilegeName?: string; limit?: number; cursor?: string }) => ({
  ...optional("kind", q.kind),
  ...optional("privilegeName", q.privilegeName),
  ...optional("limit", q.limit),
  ...optional("cursor", q.cursor)
})

const targetOf = (g: EffectiveGrant) => ({
  entityType: g.target.entityType,
  ...optional("sourceType", g.target.sourceType),
  sourceId: g.target.sourceId,
  name: g.targetName
})

export const accessHandlers: Handlers<ReadonlyArray<AccessEndpoints>, EffectiveAccess> = {
  getEffectiveAccess: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const identity = { sourceId: query.sourceId, ...optional("sourceType", query.sourceType) }
      const page = yield* (yield* EffectiveAccess).forIdentity(tenantId, params.id, identity, filterOf(query))
      const first = page.items[0]
      return {
        identity: {
          entityType: "identity" as const,
          ...optional("sourceType", query.sourceType ?? first?.identity.sourceType),
          sourceId: query.sourceId,
          name: first?.identityName ?? null
        },
        grants: page.items.map((g) => ({ target: targetOf(g), privilegeName: g.privilegeName, kind: g.kind, path: g.path })),
        nextCursor: page.nextCursor
      }
    }),

  getHolders: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const target = { entityType: query.entityType ?? ("connection" as const), sourceId: query.sourceId, ...optional("sourceType", query.sourceType) }
      const page = yield* (yield* EffectiveAccess).whoHas(tenantId, params.id, target, filterOf(query))
      const first = page.items[0]
      return {
        target: { ...target, ...optional("sourceType", target.sourceType ?? first?.target.sourceType), name: first?.targetName ?? null },
        holders: page.items.map((g) => ({
          identity: {
            entityType: "identity" as const,
            ...optional("sourceType", g.identity.sourceType),
            sourceId: g.identity.sourceId,
            name: g.identityName
          },
          privilegeName: g.privilegeName,
          kind: g.kind,
          path: g.path
        })),
        nextCursor: page.nextCursor
      }
    })
}
