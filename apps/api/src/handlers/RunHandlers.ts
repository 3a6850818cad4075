import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import * as Effect from "effect/Effect"
import type { runEndpoints } from "../contract/endpoints/RunEndpoints.ts"
import { ApiErrors } from "../http/ApiError.ts"
import { reply, type Handlers } from "../http/Handler.ts"
import { actorOf, tenantOf } from "./CallerScope.ts"
import { AuditLog } from "@idconnect/store/AuditLog"

/** A run of this integration, or not found (a run id from another integration looks missing too). */
const runOf = (tenantId: string, integrationId: string, runId: string) =>
  Effect.gen(function* () {
    const run = yield* (yield* Runs).get(tenantId, runId)
    if (run.integrationId !== integrationId) return yield* ApiErrors.notFound("Run", runId)
    return run
  })

export const runHandlers: Handlers<typeof runEndpoints, Runs | Integrations | JobQueue | AuditLog> = {
  triggerSync: ({ caller, params, body }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integration = yield* (yield* Integrations).get(tenantId, params.id)
      if (integration.mode !== "direct" && integration.mode !== "scim") {
        return yield* ApiErrors.unsupported(
          `Integration '${integration.id}' is in ${integration.mode} mode: its data arrives by upload (POST .../entities/upload-url), not by sync`
        )
      }
      if (integration.status === "Disabled") {
        return yield* ApiErrors.conflict(`Integration '${integration.id}' is disabled; enable it (PATCH { "enabled": true }) first`)
      }
      // One sync at a time per integration: asking again while one is queued or running answers
      // with that run instead of stacking another.
      const { run, started } = yield* (yield* JobQueue).startRun({
        tenantId,
        integrationId: integration.id,
        kind: "extract",
        trigger: "api",
        payload: { full: body.full ?? false },
        ifIdle: true
      })
      if (started) {
        yield* (yield* AuditLog).append({
          tenantId,
          actor: actorOf(caller),
          action: "sync.requested",
          targetType: "run",
          targetId: run.id,
          integrationId: integration.id,
          runId: run.id,
          details: { full: body.full ?? false }
        })
      }
      return reply(run, { status: 202, headers: { location: `/v1/integrations/${integration.id}/runs/${run.id}` } })
    }),

  listRuns: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      yield* (yield* Integrations).get(tenantId, params.id)
      return yield* (yield* Runs).list(tenantId, params.id, query)
    }),

  getRun: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const run = yield* runOf(tenantId, params.id, params.runId)
      // While the run is active, tell pollers when to look again (the async-request convention).
      return run.status === "queued" || run.status === "running" ? reply(run, { headers: { "retry-after": "1" } }) : run
    }),

  cancelRun: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const run = yield* runOf(tenantId, params.id, params.runId)
      if (run.status !== "queued" && run.status !== "running") {
        return yield* ApiErrors.conflict(`Run '${run.id}' already ended (${run.status})`)
      }
      return yield* (yield* Runs).cancel(tenantId, run.id)
    })
}
