import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { OperationPlan, OperationRequest, PlannedCall } from "@idconnect/schemas/Operation"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { GraphClient } from "../GraphClient.ts"
import { DirectoryLookup } from "./DirectoryLookup.ts"
import { type Blocker, blocker, type Draft, type WriteCall } from "./Draft.ts"
import { emptyContext, type OperationSpec, type PlanContext } from "./OperationSpec.ts"
import { operationByName, OPERATIONS } from "./Operations.ts"
import { grantFix, isGranted } from "./Requirements.ts"

/** A validated request: its operation, decoded params, and where it was in the request list. */
export interface Decoded {
  readonly index: number
  readonly id: string
  readonly spec: OperationSpec
  readonly request: OperationRequest
  readonly params: any
}

/**
 * Validates every request before anything is read or written: an unknown operation or a bad
 * parameter is an `InvalidInput` naming `[i].operation` or `[i].params.<field>`.
 */
export const decodeRequests = (requests: ReadonlyArray<OperationRequest>): Effect.Effect<ReadonlyArray<Decoded>, ConnectorError> =>
  Effect.forEach(requests, (request, index) => {
    const spec = operationByName.get(request.operation)
    if (spec === undefined) {
      return Effect.fail(
        ConnectorErrors.invalidInput({
          field: `[${index}].operation`,
          message: `[${index}].operation: unknown operation '${request.operation}'; the Entra plugin knows ${OPERATIONS.map((o) => o.name).join(", ")}`
        })
      )
    }
    const decoded = decodeWithIssues(spec.params, request.params)
    if (!decoded.ok) {
      const first = decoded.issues[0]
      return Effect.fail(
        ConnectorErrors.invalidInput({
          field: `[${index}].params${first?.path === "" || first === undefined ? "" : `.${first.path}`}`,
          message: `${request.operation}: ${decoded.issues.map((i) => `[${index}].params${i.path === "" ? "" : `.${i.path}`}: ${i.message}`).join("; ")}`
        })
      )
    }
    const extra = spec.validate?.(decoded.value)
    if (extra !== undefined) {
      const field = extra.field === "params" ? `[${index}].params` : `[${index}].params.${extra.field}`
      return Effect.fail(ConnectorErrors.invalidInput({ field, message: `${request.operation}: ${field}: ${extra.message}` }))
    }
    return Effect.succeed({ index, id: request.id ?? `op-${index + 1}`, spec, request, params: decoded.value })
  })

/** The safe apply order: by phase (create, contain, update, grant, revoke, remove), then as requested. */
export const safeOrder = (ops: ReadonlyArray<Decoded>): ReadonlyArray<Decoded> =>
  [...ops].sort((a, b) => a.spec.phase - b.spec.phase || a.index - b.index)

const BLOCKER_CODES: Readonly<Partial<Record<ConnectorError["code"], string>>> = {
  PermissionMissing: "permission-missing",
  LicenseMissing: "license-missing",
  NotFound: "not-found",
  InvalidInput: "invalid",
  Unsupported: "unsupported"
}

/**
 * Plans one operation against the directory as it is now. A reference that resolves to nothing, a
 * read the app may not make, a feature the tenant is not licensed for: these block the operation
 * (with the reason), they do not fail the plan. Missing write permissions block a change; a no-op
 * needs none.
 */
export const planOperation = (op: Decoded, ctx: PlanContext): Effect.Effect<Draft, ConnectorError, DirectoryLookup | GraphClient> =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    const draft = yield* op.spec.plan(op.params, ctx).pipe(
      Effect.catchIf(
        (e: ConnectorError) => BLOCKER_CODES[e.code] !== undefined,
        (e) => Effect.succeed<Draft>({ outcome: "blocked", summary: e.message, target: describeTarget(op), calls: [], blockers: [blocker(BLOCKER_CODES[e.code]!, e)], requirements: [] })
      )
    )
    if (draft.outcome === "no-op") return draft
    const missing: Array<Blocker> = []
    for (const r of draft.requirements) {
      if (!(yield* lookup.granted(r))) {
        missing.push(
          blocker(
            "permission-missing",
            ConnectorErrors.permissionMissing({
              permission: r.permission,
              message: `${op.spec.name} needs the Microsoft Graph application permission ${r.permission}${r.anyOf.length > 1 ? ` (or ${r.anyOf.slice(1).join(", ")})` : ""}, which the app does not hold`,
              fix: grantFix(r.permission)
            })
          )
        )
      }
    }
    return missing.length === 0 ? draft : { ...draft, outcome: "blocked", blockers: [...missing, ...draft.blockers] }
  })

const describeTarget = (op: Decoded): string =>
  Object.values(op.params as Record<string, unknown>)
    .filter((v): v is string => typeof v === "string")
    .slice(0, 3)
    .join(" -> ")

/** Records what a planned change will have done, for the operations after it in the same plan. */
const remember = (ctx: PlanContext, draft: Draft): void => {
  if (draft.outcome !== "change") return
  if (draft.creates !== undefined) {
    const pending = draft.creates.kind === "user" ? ctx.pendingUsers : ctx.pendingGroups
    for (const key of draft.creates.keys) pending.set(key, `${draft.creates.kind} ${draft.target}`)
  }
  if (draft.ownerChange !== undefined) {
    const key = `${draft.ownerChange.groupId}|${draft.ownerChange.ownerId}`
    if (draft.ownerChange.add) ctx.ownersAdded.add(key)
    else ctx.ownersRemoved.add(key)
  }
}

/** Plans every operation in the safe order; each sees what the ones before it will have done. */
export const planAll = (ops: ReadonlyArray<Decoded>): Effect.Effect<ReadonlyMap<Decoded, Draft>, ConnectorError, DirectoryLookup | GraphClient> =>
  Effect.gen(function* () {
    const ctx = emptyContext(yield* Clock.currentTimeMillis)
    const drafts = new Map<Decoded, Draft>()
    for (const op of safeOrder(ops)) {
      const draft = yield* planOperation(op, ctx)
      remember(ctx, draft)
      drafts.set(op, draft)
    }
    return drafts
  })

/** A write as shown in plans and audit records: absolute URL, secrets replaced. */
export const shownCall = (graphRoot: string, call: WriteCall): PlannedCall => {
  const body = call.shownBody ?? call.body
  return { method: call.method, url: `${graphRoot}${call.path.replace(/^\/+/u, "")}`, ...(body === undefined ? {} : { body }) }
}

/** The plan of one operation in the shared shape. */
export const toOperationPlan = (op: Decoded, draft: Draft, order: number, roles: ReadonlySet<string>, graphRoot: string): OperationPlan => ({
  id: op.id,
  operation: op.spec.name,
  params: op.request.params,
  outcome: draft.outcome,
  summary: draft.summary,
  calls: draft.calls.map((c) => shownCall(graphRoot, c)),
  permissions: draft.requirements.map((r) => ({ permission: r.permission, granted: isGranted(roles, r) })),
  blockers: draft.blockers.map(({ code, message, fix }) => (fix === undefined ? { code, message } : { code, message, fix })),
  ...(draft.currentState === undefined ? {} : { currentState: draft.currentState }),
  order
})
