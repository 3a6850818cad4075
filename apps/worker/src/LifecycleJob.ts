import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { OperationResult } from "@idconnect/schemas/Operation"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Operations, toRequest } from "@idconnect/store/Operations"
import type { StoreError } from "@idconnect/store/StoreError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { modeOf, type RunContext } from "./RunContext.ts"

const LifecyclePayload = Schema.Struct({ planId: Schema.String })

/**
 * A lifecycle job: apply a recorded plan through the plugin's `apply` (idempotent, so a retried job
 * changes the system once), record each operation's result and an audit entry per operation.
 * Returns the results; operations that failed are reported, and the first failure's class decides
 * what happens to the run (a transient failure retries the whole plan).
 */
export const runLifecycleJob = (
  ctx: RunContext
): Effect.Effect<ReadonlyArray<OperationResult>, ConnectorError | StoreError, Operations | AuditLog> =>
  Effect.gen(function* () {
    const def = yield* modeOf(ctx)
    if (def.lifecycle === undefined) {
      return yield* ConnectorErrors.unsupported({
        feature: "lifecycle",
        message: `${ctx.plugin.metadata.displayName} has no lifecycle operations in ${ctx.job.mode} mode`
      })
    }
    if (!ctx.integration.integration.lifecycleEnabled) {
      return yield* ConnectorErrors.configInvalid({
        field: "lifecycleEnabled",
        message: "Lifecycle operations are turned off for this integration; enable them before applying a plan"
      })
    }
    const { planId } = yield* Schema.decodeUnknownEffect(LifecyclePayload)(ctx.run.payload).pipe(
      Effect.mapError(() => ConnectorErrors.invalidInput({ field: "payload", message: "The run does not name a plan to apply" }))
    )
    const config = yield* decodeConfig(def.config, ctx.integration.config)
    const operations = yield* Operations
    const audit = yield* AuditLog
    const records = yield* operations.plan(ctx.integration.tenantId, planId)
    const results = yield* def.lifecycle.apply(config, records.map(toRequest), { runId: ctx.run.id })
    yield* operations.recordResults(planId, results)
    for (const result of results) {
      yield* audit.append({
        tenantId: ctx.integration.tenantId,
        actor: `worker:${ctx.workerId}`,
        action: `operation.${result.status}`,
        targetType: "operation",
        targetId: result.id,
        integrationId: ctx.integration.integration.id,
        runId: ctx.run.id,
        details: { operation: result.operation, message: result.message, target: result.audit.target, calls: result.audit.calls }
      })
    }
    return results
  }).pipe(Effect.withSpan("Worker.lifecycle", { attributes: { runId: ctx.run.id } }))
