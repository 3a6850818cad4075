import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import { ScimConfig } from "@idconnect/schemas/ModeConfig"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { makeScimMode } from "../../src/ScimMode.ts"
import { BASIC, OAUTH_CLIENT, STATIC_TOKEN, type ScimTestServer } from "./ScimTestServer.ts"

/** The mode under test: short backoff so retry tests stay quick (Retry-After is still honoured). */
export const makeTestMode = (options: { managerRelations?: boolean } = {}) =>
  makeScimMode({ sourceSystem: "scim-test", http: { retryBaseDelayMs: 10, maxRetries: 3 }, ...options })

/** A config as a user writes it (JSON), decoded like the API and the CLI decode it. */
export const configJson = (server: ScimTestServer, auth: "bearer" | "basic" | "oauth" = "bearer", extra: Record<string, unknown> = {}) => ({
  baseUrl: server.baseUrl,
  allowInsecureLoopback: true,
  auth:
    auth === "bearer"
      ? { type: "bearer", token: STATIC_TOKEN }
      : auth === "basic"
        ? { type: "basic", username: BASIC.username, password: BASIC.password }
        : { type: "oauth-client-credentials", tokenUrl: server.tokenUrl(), clientId: OAUTH_CLIENT.clientId, clientSecret: OAUTH_CLIENT.clientSecret, scope: "scim" },
  ...extra
})

export const decodeScimConfig = (json: unknown) => decodeConfig(ScimConfig, json)

export const configFor = (server: ScimTestServer, auth: "bearer" | "basic" | "oauth" = "bearer", extra: Record<string, unknown> = {}) =>
  decodeScimConfig(configJson(server, auth, extra))

export const collect = <C>(mode: ModeDefinition<C>, config: C, checkpoint?: Checkpoint) =>
  Stream.runCollect(mode.read!.extract(config, checkpoint))

/** Human-readable keys of what an extraction produced, for equality checks. */
export const summarize = (records: ReadonlyArray<ExtractRecord>) => {
  const entities = new Map<string, Extract<ExtractRecord, { _tag: "entity" }>["entity"]>()
  const relations = new Set<string>()
  const warnings: Array<string> = []
  let checkpoints = 0
  for (const r of records) {
    if (r._tag === "entity") entities.set(`${r.entity.sourceType}:${r.entity.sourceId}`, r.entity)
    if (r._tag === "relation") {
      const m = r.relation.metadata?.privilegeName
      relations.add(`${r.relation.parentSourceType}:${r.relation.parentSourceId} -${m}-> ${r.relation.entitySourceType}:${r.relation.entitySourceId}`)
    }
    if (r._tag === "warning") warnings.push(r.warning.code)
    if (r._tag === "checkpoint") checkpoints++
  }
  return { entities, relations, warnings, checkpoints }
}

/** The relations of the standard seed, named by userName/displayName. */
export const standardRelations = (ids: { users: Record<string, string>; groups: Record<string, string> }) =>
  new Set([
    `user:${ids.users.alice} -member-> group:${ids.groups.Engineering}`,
    `user:${ids.users.bob} -member-> group:${ids.groups.Engineering}`,
    `user:${ids.users.carol} -member-> group:${ids.groups.Sales}`,
    `user:${ids.users.dave} -member-> group:${ids.groups.All}`,
    `group:${ids.groups.Engineering} -member-> group:${ids.groups.All}`
  ])

export const runPromise = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
