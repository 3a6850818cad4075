import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { OperationResult, PlannedCall } from "@idconnect/schemas/Operation"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { classifyGraphError, retryAfterSeconds } from "../GraphErrors.ts"
import { DirectoryLookup } from "./DirectoryLookup.ts"
import type { Draft, WriteCall } from "./Draft.ts"
import { type Decoded, planAll, planOperation, safeOrder, shownCall } from "./LifecyclePlanner.ts"
import { emptyContext } from "./OperationSpec.ts"

/** Knobs for tests; the defaults suit Microsoft Graph. */
export interface ApplyTuning {
  /** First wait before re-sending a write whose outcome was unknown (no Retry-After given); doubles each time. Default 1000 ms. */
  readonly uncertainRetryDelayMs?: number
  /** How many unknown outcomes one operation tolerates before it fails as transient. Default 4. */
  readonly maxUncertainAttempts?: number
}

/** What sending one write established. `uncertain`: Graph may or may not have applied it (5xx, lost connection). */
type Sent =
  | { readonly kind: "done" | "already"; readonly requestId?: string }
  | { readonly kind: "uncertain"; readonly requestId?: string; readonly retryAfterSeconds?: number; readonly detail: string }
  | { readonly kind: "failed"; readonly requestId?: string; readonly error: ConnectorError }

/**
 * `DELETE /groups/{id}/members/{memberId}` without `/$ref` deletes the member object itself (the
 * user!) when the app may delete users. Lifecycle never sends it, whatever a plan says.
 */
export const isRefLessMemberDelete = (method: string, path: string): boolean =>
  method.toUpperCase() === "DELETE" && /^\/?(groups|directory\/administrativeUnits|administrativeUnits)\/[^/]+\/(members|owners)\/[^/?]+\/?(\?.*)?$/iu.test(path)

/** Sends one write once (no blind retry of 5xx: the caller re-reads the state) and classifies the answer. */
export const sendWrite = (call: WriteCall): Effect.Effect<Sent, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    if (isRefLessMemberDelete(call.method, call.path)) {
      return yield* ConnectorErrors.unexpected({ message: `Refusing ${call.method} ${call.path}: without /$ref it deletes the member object itself` })
    }
    const graph = yield* GraphClient
    const outcome = yield* Effect.result(graph.send(call.method, call.path, { ...(call.body === undefined ? {} : { body: call.body }), retryAmbiguous: false }))
    if (outcome._tag === "Failure") {
      const error = outcome.failure
      return error.code === "Unavailable" ? { kind: "uncertain", detail: error.message, ...retryAfter(error.retryAfterSeconds) } : { kind: "failed", error }
    }
    const response = outcome.success
    const id = response.headers["request-id"] === undefined ? {} : { requestId: response.headers["request-id"] }
    if (response.status >= 200 && response.status < 300) return { kind: "done", ...id }
    if (call.already?.(response) === true) return { kind: "already", ...id }
    if (response.status >= 500) return { kind: "uncertain", detail: `HTTP ${response.status}`, ...id, ...retryAfter(retryAfterSeconds(response.headers)) }
    return { kind: "failed", error: classifyGraphError(call.method, call.path, response), ...id }
  })

const retryAfter = (seconds: number | undefined) => (seconds === undefined ? {} : { retryAfterSeconds: seconds })

const errorOf = (e: ConnectorError) => ({ code: e.code, failureClass: e.failureClass, message: e.message })

const blockedMessage = (draft: Draft) => `Blocked: ${draft.blockers.map((b) => b.message).join("; ")}`

/**
 * Applies one operation: plan it against current state, send its writes, and when Graph's answer
 * is lost (504/503/connection reset after the write may have happened) plan it again, which says
 * whether the write took effect (no-op now) or what is still missing, and only then send again.
 * Duplicate adds and removes of absent things are success. The result carries Graph's request
 * ids, the state before and after, and the calls sent.
 */
export const applyOne = (op: Decoded, tuning: ApplyTuning = {}): Effect.Effect<OperationResult, ConnectorError, GraphClient | DirectoryLookup> =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    const maxUncertain = tuning.maxUncertainAttempts ?? 4
    const baseDelay = tuning.uncertainRetryDelayMs ?? 1000
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    const sent: Array<PlannedCall> = []
    const requestIds: Array<string> = []
    let first: Draft | undefined
    let wrote = false
    let uncertain = 0
    let delayMs = 0

    const result = (status: OperationResult["status"], message: string, extra: Partial<OperationResult> = {}): OperationResult => ({
      id: op.id,
      operation: op.spec.name,
      status,
      message,
      requestIds: [...requestIds],
      ...(first?.currentState === undefined ? {} : { before: first.currentState }),
      audit: { at, operation: op.spec.name, target: first?.target ?? op.spec.name, calls: [...sent] },
      ...extra
    })

    for (;;) {
      const draft = yield* planOperation(op, emptyContext(yield* Clock.currentTimeMillis))
      first ??= draft
      if (draft.outcome === "no-op") {
        return wrote
          ? result("applied", `${first.summary} (confirmed by reading the state after an uncertain answer)`, { after: draft.currentState })
          : result("no-op", draft.summary, { after: draft.currentState })
      }
      if (draft.outcome === "blocked") return result("failed", blockedMessage(draft), { error: errorOf(draft.blockers[0]!.error) })
      if (delayMs > 0) yield* Effect.sleep(delayMs)

      let again = false
      for (const call of draft.calls) {
        const answer = yield* sendWrite(call)
        sent.push(shownCall(lookup.graphRoot, call))
        if (answer.requestId !== undefined) requestIds.push(answer.requestId)
        if (answer.kind === "failed") return result("failed", `${draft.summary}: ${answer.error.message}`, { error: errorOf(answer.error) })
        wrote = true
        if (answer.kind === "uncertain") {
          uncertain++
          if (uncertain > maxUncertain) {
            const error = ConnectorErrors.unavailable({ message: `${draft.summary}: Microsoft Graph answered ${answer.detail} ${uncertain} times; the change may be partly done, apply again to finish it` })
            return result("failed", error.message, { error: errorOf(error) })
          }
          delayMs = answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1000 : baseDelay * 2 ** (uncertain - 1)
          again = true
          break
        }
      }
      if (again) continue
      const after = yield* planOperation(op, emptyContext(yield* Clock.currentTimeMillis)).pipe(
        Effect.map((d) => d.currentState),
        Effect.catch(() => Effect.succeed(undefined))
      )
      return result("applied", first.summary, after === undefined ? {} : { after })
    }
  })

/**
 * Applies a batch: plans every operation first and, when any is blocked, changes nothing (the
 * blocked ones fail with their reason, the rest are skipped). Otherwise applies them in the safe
 * order, each re-planned right before its writes; the first failure stops the batch (the rest are
 * skipped) and a later apply of the same batch picks up where it stopped. Results come back in the
 * order of the requests.
 */
export const applyAll = (ops: ReadonlyArray<Decoded>, tuning: ApplyTuning = {}): Effect.Effect<ReadonlyArray<OperationResult>, ConnectorError, GraphClient | DirectoryLookup> =>
  Effect.gen(function* () {
    const drafts = yield* planAll(ops)
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    const results = new Map<Decoded, OperationResult>()
    const unapplied = (op: Decoded, status: "failed" | "skipped", message: string, extra: Partial<OperationResult> = {}): OperationResult => {
      const draft = drafts.get(op)!
      return {
        id: op.id,
        operation: op.spec.name,
        status,
        message,
        requestIds: [],
        ...(draft.currentState === undefined ? {} : { before: draft.currentState }),
        audit: { at, operation: op.spec.name, target: draft.target, calls: [] },
        ...extra
      }
    }

    const blocked = ops.filter((op) => drafts.get(op)!.outcome === "blocked")
    if (blocked.length > 0) {
      const which = blocked.map((op) => `${op.id} ${op.spec.name}`).join(", ")
      for (const op of ops) {
        const draft = drafts.get(op)!
        results.set(
          op,
          draft.outcome === "blocked"
            ? unapplied(op, "failed", blockedMessage(draft), { error: errorOf(draft.blockers[0]!.error) })
            : unapplied(op, "skipped", `Not applied: the plan has blocked operations (${which}); nothing was changed`)
        )
      }
      return ops.map((op) => results.get(op)!)
    }

    let failed: Decoded | undefined
    for (const op of safeOrder(ops)) {
      if (failed !== undefined) {
        results.set(op, unapplied(op, "skipped", `Not applied: ${failed.id} ${failed.spec.name} failed before it`))
        continue
      }
      // A read that keeps failing (network, throttling beyond the retries) ends the batch with a result, not a lost report.
      const r = yield* applyOne(op, tuning).pipe(Effect.catch((e: ConnectorError) => Effect.succeed(unapplied(op, "failed", e.message, { error: errorOf(e) }))))
      results.set(op, r)
      if (r.status === "failed") failed = op
    }
    return ops.map((op) => results.get(op)!)
  })
