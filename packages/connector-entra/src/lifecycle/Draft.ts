import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { PlanBlocker } from "@idconnect/schemas/Operation"
import type { GraphResponse, HttpMethod } from "../GraphClient.ts"
import { graphErrorOf } from "../GraphErrors.ts"
import type { Requirement } from "./Requirements.ts"

/**
 * One write a change needs. `path` is relative to the Graph version root (`/groups/{id}/members/$ref`);
 * `shownBody` replaces `body` wherever the call is displayed (plans, audit) when the body holds a
 * secret. `already` recognises Graph's answers that mean "it is already so" (a duplicate add, a
 * remove of something absent): those are success, which makes apply idempotent under races and
 * retries.
 */
export interface WriteCall {
  readonly method: Exclude<HttpMethod, "GET">
  readonly path: string
  readonly body?: unknown
  readonly shownBody?: unknown
  readonly already?: (response: GraphResponse) => boolean
}

/** A reason the operation cannot run now, with the platform error apply reports for it. */
export interface Blocker extends PlanBlocker {
  readonly error: ConnectorError
}

/**
 * An operation planned against the directory's current state: nothing to do (`no-op`), the exact
 * writes (`change`), or why it cannot be done (`blocked`). `target` names what it acts on, for the
 * audit record. `creates` lets later operations of the same plan refer to an object this one
 * creates (a joiner's group memberships).
 */
export interface Draft {
  readonly outcome: "no-op" | "change" | "blocked"
  readonly summary: string
  readonly target: string
  readonly calls: ReadonlyArray<WriteCall>
  readonly blockers: ReadonlyArray<Blocker>
  readonly requirements: ReadonlyArray<Requirement>
  readonly currentState?: unknown
  readonly creates?: { readonly kind: "user" | "group"; readonly keys: ReadonlyArray<string> }
  /** An owner this operation adds or removes, so later owner removals of the plan know who is left. */
  readonly ownerChange?: { readonly groupId: string; readonly ownerId: string; readonly add: boolean }
}

export const noop = (target: string, summary: string, currentState?: unknown, requirements: ReadonlyArray<Requirement> = []): Draft => ({
  outcome: "no-op",
  summary,
  target,
  calls: [],
  blockers: [],
  requirements,
  ...(currentState === undefined ? {} : { currentState })
})

export const change = (
  target: string,
  summary: string,
  calls: ReadonlyArray<WriteCall>,
  requirements: ReadonlyArray<Requirement>,
  extra: { readonly currentState?: unknown; readonly blockers?: ReadonlyArray<Blocker>; readonly creates?: Draft["creates"]; readonly ownerChange?: Draft["ownerChange"] } = {}
): Draft => {
  const blockers = extra.blockers ?? []
  return {
    outcome: blockers.length > 0 ? "blocked" : "change",
    summary,
    target,
    calls,
    blockers,
    requirements,
    ...(extra.currentState === undefined ? {} : { currentState: extra.currentState }),
    ...(extra.creates === undefined ? {} : { creates: extra.creates }),
    ...(extra.ownerChange === undefined ? {} : { ownerChange: extra.ownerChange })
  }
}

export const blocker = (code: string, error: ConnectorError, fix?: string): Blocker => {
  const f = fix ?? ("fix" in error.reason && typeof error.reason.fix === "string" ? error.reason.fix : undefined)
  return { code, message: error.message, error, ...(f === undefined ? {} : { fix: f }) }
}

/** Graph's answers to an add that is already in place (member, owner, role, app role, PIM eligibility). */
export const duplicateAdd = (response: GraphResponse): boolean => {
  if (response.status !== 400 && response.status !== 409) return false
  const { code, message } = graphErrorOf(response.body)
  return (
    code === "RoleAssignmentExists" ||
    /added object references already exist|conflicting object with one or more of the specified property values|Permission being assigned already exists|already exists/iu.test(message)
  )
}

/** Graph's answers to a remove of something that is not there (404, or PIM's RoleAssignmentDoesNotExist). */
export const absentRemove = (response: GraphResponse): boolean =>
  response.status === 404 || (response.status === 400 && graphErrorOf(response.body).code === "RoleAssignmentDoesNotExist")
