import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { IntegrationView } from "@idconnect/schemas/Integration"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue } from "@idconnect/store/JobQueue"
import * as Effect from "effect/Effect"
import type { integrationEndpoints } from "../contract/endpoints/IntegrationEndpoints.ts"
import { ApiErrors } from "../http/ApiError.ts"
import type { Handlers } from "../http/Handler.ts"
import { actorOf, tenantOf } from "./CallerScope.ts"
import { mergeConfig, withStoredSecrets } from "./ConfigMerge.ts"
import { runCheck } from "./ConnectionCheck.ts"
import { checkConfig, resolveMode } from "./PluginModes.ts"

/** The status an integration shows after a connection test. */
const statusAfterCheck = (current: IntegrationView, ok: boolean, message: string) => {
  if (current.status === "Disabled" || current.status === "Syncing") return undefined
  if (!ok) return { status: "Error" as const, message }
  if (current.status === "Connected") return undefined
  return { status: "Connected" as const, message: current.lastRunId === null ? "Connection verified; waiting for the first sync" : "Connection verified" }
}

/** Which secret fields a config patch sets: they are rotated, and the audit trail says so (never the values). */
const secretsIn = (patch: Record<string, unknown>, secretFields: ReadonlyArray<string>) =>
  secretFields.filter((path) => {
    let cursor: unknown = patch
    for (const part of path.split(".")) {
      if (typeof cursor !== "object" || cursor === null) return false
      cursor = (cursor as Record<string, unknown>)[part]
    }
    return cursor !== undefined && cursor !== null
  })

const audit = (tenantId: string, actor: string, action: string, integrationId: string, details: Record<string, unknown> = {}) =>
  AuditLog.use((log) => log.append({ tenantId, actor, action, targetType: "integration", targetId: integrationId, integrationId, details }))

export const integrationHandlers: Handlers<typeof integrationEndpoints, Integrations | PluginRegistry | AuditLog | JobQueue> = {
  listIntegrations: ({ caller }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integrations = yield* Integrations
      const items: Array<IntegrationView> = []
      let cursor: string | undefined
      do {
        const page = yield* integrations.list(tenantId, { limit: 1000, cursor })
        items.push(...page.items)
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
      return { items }
    }),

  createIntegration: ({ caller, body }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const { definition } = yield* resolveMode(body.app, body.mode)
      yield* checkConfig(definition, body.config)
      const created = yield* (yield* Integrations).create(tenantId, body, definition.secretFields)
      if (created.schedule !== null) yield* (yield* JobQueue).setSchedule(tenantId, created.id, created.schedule)
      yield* audit(tenantId, actorOf(caller), "integration.created", created.id, { name: created.name, app: created.app, mode: created.mode })
      return created
    }),

  getIntegration: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      return yield* (yield* Integrations).get(tenantId, params.id)
    }),

  updateIntegration: ({ caller, params, body }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integrations = yield* Integrations
      const current = yield* integrations.get(tenantId, params.id)
      const { enabled, config: configPatch, ...fields } = body
      let config: Record<string, unknown> | undefined
      let rotated: ReadonlyArray<string> = []
      if (configPatch !== undefined) {
        const { definition } = yield* resolveMode(current.app, current.mode)
        config = mergeConfig(current.config, configPatch)
        yield* checkConfig(definition, withStoredSecrets(config, current.secrets))
        rotated = secretsIn(configPatch, definition.secretFields)
      }
      let updated = yield* integrations.update(tenantId, params.id, config === undefined ? fields : { ...fields, config })
      if (fields.schedule !== undefined && fields.schedule !== current.schedule) {
        yield* (yield* JobQueue).setSchedule(tenantId, current.id, fields.schedule)
      }
      if (enabled === false && updated.status !== "Disabled") {
        yield* integrations.setStatus(updated.id, "Disabled", "Disabled: no scheduled syncs")
        updated = yield* integrations.get(tenantId, params.id)
      } else if (enabled === true && updated.status === "Disabled") {
        yield* integrations.setStatus(updated.id, "Pending", "Enabled; waiting for the next sync")
        updated = yield* integrations.get(tenantId, params.id)
      }
      const actor = actorOf(caller)
      for (const path of rotated) yield* audit(tenantId, actor, "secret.rotated", current.id, { field: path })
      const changed = Object.keys(body).filter((k) => k !== "config" || Object.keys(configPatch ?? {}).some((c) => !rotated.includes(c)))
      if (changed.length > 0) yield* audit(tenantId, actor, "integration.updated", current.id, { fields: changed })
      return updated
    }),

  deleteIntegration: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const current = yield* (yield* Integrations).get(tenantId, params.id)
      if (current.schedule !== null) yield* (yield* JobQueue).setSchedule(tenantId, current.id, null)
      yield* (yield* Integrations).remove(tenantId, params.id)
      yield* audit(tenantId, actorOf(caller), "integration.deleted", current.id, { name: current.name })
    }),

  testConnection: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integrations = yield* Integrations
      // The tenant-scoped read first: loadForRun is the worker's unscoped path.
      const current = yield* integrations.get(tenantId, params.id)
      const { definition } = yield* resolveMode(current.app, current.mode)
      const loaded = yield* integrations.loadForRun(current.id)
      const report = yield* runCheck(definition, loaded.config, current.mode)
      const next = statusAfterCheck(current, report.status === "Connected", report.message)
      if (next !== undefined) yield* integrations.setStatus(current.id, next.status, next.message)
      yield* audit(tenantId, actorOf(caller), "connection.tested", current.id, { status: report.status, message: report.message })
      return report
    }),

  discoverIntegration: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integrations = yield* Integrations
      const current = yield* integrations.get(tenantId, params.id)
      const { definition } = yield* resolveMode(current.app, current.mode)
      const read = definition.read
      if (read === undefined) return yield* ApiErrors.unsupported(`Mode '${current.mode}' has no catalog: the data is pushed by upload`)
      const loaded = yield* integrations.loadForRun(current.id)
      const config = yield* decodeConfig(definition.config, loaded.config)
      return yield* read.discover(config)
    })
}
