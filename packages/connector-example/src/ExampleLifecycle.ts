import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import type { LifecycleCapability } from "@idconnect/core/ConnectorPlugin"
import { NonBlankString } from "@idconnect/schemas/Common"
import type { OperationPlan, OperationRequest, OperationResult, Plan, PlannedCall } from "@idconnect/schemas/Operation"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ExampleClient } from "./ExampleClient.ts"
import type { ExampleDirectConfig } from "./ExampleConfig.ts"

/** Both operations take a group and a member (user or group) id. */
const MembershipParams = Schema.Struct({ groupId: NonBlankString, memberId: NonBlankString })
type MembershipParams = typeof MembershipParams.Type

/** The typed operations of the lifecycle capability set; the API and CLI validate requests with them. */
export const operations = {
  addGroupMember: MembershipParams.annotate({ description: "Make a user or group a member of a group" }),
  removeGroupMember: MembershipParams.annotate({ description: "Remove a user or group from a group" })
} as const
type OperationName = keyof typeof operations

interface Decoded {
  readonly id: string
  readonly operation: OperationName
  readonly params: MembershipParams
}

/** Validates every request before anything is planned or applied: bad input changes nothing. */
const decodeRequests = (requests: ReadonlyArray<OperationRequest>): Effect.Effect<ReadonlyArray<Decoded>, ConnectorError> =>
  Effect.forEach(requests, (request, i) => {
    if (!Object.hasOwn(operations, request.operation)) {
      return Effect.fail(
        ConnectorErrors.invalidInput({
          field: `[${i}].operation`,
          message: `[${i}].operation: unknown operation '${request.operation}'; known: ${Object.keys(operations).join(", ")}`
        })
      )
    }
    const operation = request.operation as OperationName
    const decoded = decodeWithIssues(operations[operation], request.params)
    if (!decoded.ok) {
      const first = decoded.issues[0]
      return Effect.fail(
        ConnectorErrors.invalidInput({
          field: `[${i}].params.${first?.path ?? ""}`,
          message: decoded.issues.map((issue) => `[${i}].params.${issue.path}: ${issue.message}`).join("; ")
        })
      )
    }
    return Effect.succeed({ id: request.id ?? `op-${i + 1}`, operation, params: decoded.value })
  })

const memberPath = (p: MembershipParams) => `/api/v1/groups/${encodeURIComponent(p.groupId)}/members/${encodeURIComponent(p.memberId)}`
const membersPath = (p: MembershipParams) => `/api/v1/groups/${encodeURIComponent(p.groupId)}/members`

/** Plans one operation against the directory's current state: no-op, change, or blocked (and why). */
const planOne = Effect.fn("ExampleLifecycle.planOne")(function* (
  op: Decoded,
  order: number,
  canWrite: boolean
): Effect.fn.Return<OperationPlan, ConnectorError, ExampleClient> {
  const client = yield* ExampleClient
  const current = yield* client.send("GET", memberPath(op.params), { accept: [404] })
  const groupMissing = current.status === 404 && (current.body as { error?: { code?: string } })?.error?.code === "GroupNotFound"
  const isMember = current.status === 200
  const wanted = op.operation === "addGroupMember"
  const call: PlannedCall = wanted
    ? { method: "POST", url: `${client.baseUrl}${membersPath(op.params)}`, body: { memberId: op.params.memberId } }
    : { method: "DELETE", url: `${client.baseUrl}${memberPath(op.params)}` }
  const base = {
    id: op.id,
    operation: op.operation,
    params: op.params,
    permissions: [{ permission: "directory.write", granted: canWrite }],
    currentState: { member: isMember },
    order
  }
  if (groupMissing) {
    return { ...base, outcome: "blocked", summary: `Group ${op.params.groupId} does not exist`, calls: [], blockers: [{ code: "NotFound", message: `No group ${op.params.groupId}` }] }
  }
  if (isMember === wanted) {
    return { ...base, outcome: "no-op", summary: `${op.params.memberId} is ${wanted ? "already" : "not"} a member of ${op.params.groupId}`, calls: [], blockers: [] }
  }
  const blockers = canWrite ? [] : [{ code: "PermissionMissing", message: "The token lacks directory.write", fix: "Grant directory.write to the token" }]
  return {
    ...base,
    outcome: blockers.length > 0 ? "blocked" : "change",
    summary: `${wanted ? "Add" : "Remove"} ${op.params.memberId} ${wanted ? "to" : "from"} ${op.params.groupId}`,
    calls: [call],
    blockers
  }
})

const planAll = (config: ExampleDirectConfig, requests: ReadonlyArray<OperationRequest>) =>
  Effect.gen(function* () {
    const decoded = yield* decodeRequests(requests)
    const client = yield* ExampleClient
    const { scopes } = yield* client.token
    const plans = yield* Effect.forEach(decoded, (op, i) => planOne(op, i, scopes.includes("directory.write")))
    return { decoded, plans }
  }).pipe(Effect.provide(ExampleClient.layer(config)))

/** Dry run: what each operation would do now, with the exact calls. Changes nothing. */
export const plan = (config: ExampleDirectConfig, requests: ReadonlyArray<OperationRequest>): Effect.Effect<Plan, ConnectorError> =>
  planAll(config, requests).pipe(
    Effect.map(({ plans }) => ({ operations: plans, blocked: plans.some((p) => p.outcome === "blocked") }))
  )

/**
 * Applies operations in order, re-planning each against current state, so applying twice changes
 * the directory once. A duplicate add (409) or a remove of a non-member (404) means someone else
 * already made the change: that is success (`no-op`), as with real directories. The first failure
 * stops the batch; the rest are `skipped`.
 */
export const apply = (config: ExampleDirectConfig, requests: ReadonlyArray<OperationRequest>): Effect.Effect<ReadonlyArray<OperationResult>, ConnectorError> =>
  Effect.gen(function* () {
    const { plans } = yield* planAll(config, requests)
    const client = yield* ExampleClient
    const results: Array<OperationResult> = []
    let stopped = false
    for (const p of plans) {
      const at = new Date().toISOString()
      const audit = { at, operation: p.operation, target: `${String(p.params.memberId)} -> ${String(p.params.groupId)}`, calls: p.calls }
      const result = (status: OperationResult["status"], message: string, requestIds: ReadonlyArray<string> = [], extra: Partial<OperationResult> = {}) =>
        results.push({ id: p.id, operation: p.operation, status, message, requestIds: [...requestIds], audit, before: p.currentState, ...extra })
      if (stopped) {
        result("skipped", "Not applied: an earlier operation failed")
        continue
      }
      if (p.outcome === "no-op") {
        result("no-op", p.summary, [], { after: p.currentState })
        continue
      }
      if (p.outcome === "blocked") {
        stopped = true
        const blocker = p.blockers[0]
        result("failed", p.summary, [], { error: { code: blocker?.code ?? "Blocked", failureClass: "config", message: blocker?.message ?? p.summary } })
        continue
      }
      const call = p.calls[0]!
      const member = p.operation === "addGroupMember"
      // The only "already done" answers: 409 to an add, 404 to a remove. Anything else is a failure.
      const sent = yield* Effect.result(
        client.send(member ? "POST" : "DELETE", new URL(call.url).pathname, { body: call.body, accept: [member ? 409 : 404] })
      )
      if (sent._tag === "Failure") {
        stopped = true
        const e = sent.failure
        result("failed", e.message, [], { error: { code: e.code, failureClass: e.failureClass, message: e.message } })
        continue
      }
      const { status, requestId } = sent.success
      const ids = requestId === undefined ? [] : [requestId]
      if (status === 409 || status === 404) result("no-op", `Already done: ${p.summary}`, ids, { after: { member } })
      else result("applied", p.summary, ids, { after: { member } })
    }
    return results
  }).pipe(Effect.provide(ExampleClient.layer(config)))

/** The lifecycle capability set as the plugin exposes it. */
export const exampleLifecycle: LifecycleCapability<ExampleDirectConfig> = { operations, plan, apply }
