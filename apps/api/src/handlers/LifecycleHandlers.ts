import { randomUUID } from "node:crypto"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { OperationPlan, OperationRequest, OperationResult } from "@idconnect/schemas/Operation"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue } from "@idconnect/store/JobQueue"
import { Operations, type OperationRecord } from "@idconnect/store/Operations"
import * as Effect from "effect/Effect"
import type { lifecycleEndpoints } from "../contract/endpoints/LifecycleEndpoints.ts"
import type { FieldError } from "../contract/Problem.ts"
import { ApiErrors } from "../http/ApiError.ts"
import { reply, type Handlers } from "../http/Handler.ts"
import { requestValidator } from "../http/RequestValidator.ts"
import { actorOf, tenantOf } from "./CallerScope.ts"
import { resolveMode } from "./PluginModes.ts"

type PlanStatus = "planned" | "applying" | "applied" | "failed"

/** A plan's state, read off its operations' records. */
const planStatus = (records: ReadonlyArray<OperationRecord>): PlanStatus => {
  if (records.every((r) => r.status === "planned")) return "planned"
  if (records.some((r) => r.status === "queued")) return "applying"
  return records.some((r) => r.status === "failed") ? "failed" : "applied"
}

const planView = (integrationId: string, planId: string, records: ReadonlyArray<OperationRecord>, createdAt: string) => {
  const operations = records.map((r) => r.plan).filter((p): p is OperationPlan => p !== null)
  return {
    id: planId,
    integrationId,
    status: planStatus(records),
    plan: { operations, blocked: operations.some((o) => o.outcome === "blocked") },
    results: records.map((r) => r.result).filter((x): x is OperationResult => x !== null),
    runId: records[0]?.runId ?? null,
    createdAt
  }
}

const recordsOf = (tenantId: string, integrationId: string, planId: string) =>
  Effect.gen(function* () {
    const records = yield* (yield* Operations).plan(tenantId, planId)
    if (records[0]?.integrationId !== integrationId) return yield* ApiErrors.notFound("Plan", planId)
    return records
  })

/** The integration, if lifecycle is on for it; otherwise a 403 that says how to turn it on. */
const lifecycleIntegration = (tenantId: string, integrationId: string) =>
  Effect.gen(function* () {
    const integration = yield* (yield* Integrations).get(tenantId, integrationId)
    if (!integration.lifecycleEnabled) {
      return yield* ApiErrors.forbidden(
        `Lifecycle operations are disabled for integration '${integrationId}'; enable them with PATCH { "lifecycleEnabled": true }`
      )
    }
    return integration
  })

export const lifecycleHandlers: Handlers<typeof lifecycleEndpoints, Integrations | Operations | JobQueue | AuditLog | PluginRegistry> = {
  createPlan: ({ caller, params, body }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integration = yield* lifecycleIntegration(tenantId, params.id)
      const { definition } = yield* resolveMode(integration.app, integration.mode)
      const lifecycle = definition.lifecycle
      if (lifecycle === undefined) {
        return yield* ApiErrors.unsupported(`Plugin '${integration.app}' has no lifecycle operations in ${integration.mode} mode`)
      }
      // Every operation must be known and its params valid before the plugin sees any of them.
      const errors: Array<FieldError> = []
      const requests: Array<OperationRequest> = body.operations.map((op, i) => {
        const schema = lifecycle.operations[op.operation]
        if (schema === undefined) {
          errors.push({ field: `operations.${i}.operation`, message: `Unknown operation; this integration supports: ${Object.keys(lifecycle.operations).join(", ")}` })
        } else {
          const checked = requestValidator.validate(schema, op.params, `operations.${i}.params`)
          if (!checked.ok) errors.push(...checked.errors)
        }
        return { ...op, id: op.id ?? randomUUID() }
      })
      if (errors.length > 0) return yield* ApiErrors.validation(errors)
      const loaded = yield* (yield* Integrations).loadForRun(integration.id)
      const config = yield* decodeConfig(definition.config, loaded.config)
      const plan = yield* lifecycle.plan(config, requests)
      const byId = new Map(plan.operations.map((o) => [o.id, o]))
      const recorded = yield* (yield* Operations).recordPlan(tenantId, integration.id, {
        requestedBy: actorOf(caller),
        operations: requests.map((request) => {
          const planned = byId.get(request.id!)
          return planned === undefined ? { request } : { request, plan: planned }
        })
      })
      yield* (yield* AuditLog).append({
        tenantId,
        actor: actorOf(caller),
        action: "lifecycle.planned",
        targetType: "plan",
        targetId: recorded.planId,
        integrationId: integration.id,
        details: { operations: requests.map((r) => r.operation), blocked: plan.blocked }
      })
      return planView(integration.id, recorded.planId, recorded.operations, recorded.operations[0]?.createdAt ?? new Date().toISOString())
    }),

  getPlan: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const records = yield* recordsOf(tenantId, params.id, params.planId)
      return planView(params.id, params.planId, records, records[0]!.createdAt)
    }),

  applyPlan: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      yield* lifecycleIntegration(tenantId, params.id)
      const records = yield* recordsOf(tenantId, params.id, params.planId)
      const view = planView(params.id, params.planId, records, records[0]!.createdAt)
      if (view.status !== "planned") return yield* ApiErrors.conflict(`Plan '${params.planId}' was already applied (${view.status})`)
      if (view.plan.blocked) {
        const blockers = view.plan.operations.flatMap((o) => o.blockers.map((b) => `${o.operation}: ${b.message}`))
        return yield* ApiErrors.conflict(`Plan '${params.planId}' has blocked operations and cannot be applied: ${blockers.join("; ")}`)
      }
      const { run } = yield* (yield* JobQueue).startRun({
        tenantId,
        integrationId: params.id,
        kind: "lifecycle",
        trigger: "api",
        payload: { planId: params.planId }
      })
      yield* (yield* Operations).attachRun(params.planId, run.id)
      yield* (yield* AuditLog).append({
        tenantId,
        actor: actorOf(caller),
        action: "lifecycle.apply-requested",
        targetType: "plan",
        targetId: params.planId,
        integrationId: params.id,
        runId: run.id,
        details: { operations: records.map((r) => r.operation) }
      })
      const after = yield* (yield* Operations).plan(tenantId, params.planId)
      return reply(planView(params.id, params.planId, after, records[0]!.createdAt), {
        status: 202,
        headers: { location: `/v1/integrations/${params.id}/lifecycle/plans/${params.planId}` }
      })
    }),

  listAudit: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      yield* (yield* Integrations).get(tenantId, params.id)
      const page = yield* (yield* AuditLog).list(tenantId, { integrationId: params.id, ...query })
      return {
        items: page.items.map((e) => ({
          id: e.id,
          at: e.at,
          actor: e.actor,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId,
          integrationId: e.integrationId ?? null,
          runId: e.runId ?? null,
          details: e.details
        })),
        nextCursor: page.nextCursor
      }
    })
}
