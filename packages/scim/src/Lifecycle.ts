import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import type { OperationPlan, OperationRequest, OperationResult, Plan, PlanBlocker, PlannedCall } from "@idconnect/schemas/Operation"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./Discovery.ts"
import { asBoolean, asNonBlank, getCi, getPath, isRecord, resourceId, type JsonRecord } from "./Envelope.ts"
import { findByAttribute, getById, isMember, type LookupEnv } from "./Lookup.ts"
import { OPERATION_ORDER, ScimOperations, type ScimOperationName, type UserAttributes } from "./Operations.ts"
import { resourcePath, ScimHttp, type HttpMethod, type ScimResponse } from "./ScimHttp.ts"

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

export type PatchOperation = { readonly op: "add" | "remove" | "replace"; readonly path?: string; readonly value?: unknown }

/** A PatchOp message: lowercase `op`s, real JSON values (booleans stay booleans). */
export const patchBody = (operations: ReadonlyArray<PatchOperation>) => ({ schemas: [PATCH_OP], Operations: operations })

/** A decoded, validated operation request with its position in the request list. */
interface Decoded {
  readonly index: number
  readonly id: string
  readonly operation: ScimOperationName
  readonly raw: OperationRequest
  readonly params: Record<string, any>
}

/** What executing a planned change did. `conflict` asks for one re-plan (ETag mismatch). */
interface Executed {
  readonly status: "applied" | "no-op"
  readonly message: string
  readonly after?: unknown
  readonly conflict?: boolean
}

/** The plan of one operation against current state, and how to carry it out. */
interface Draft {
  readonly outcome: "no-op" | "change" | "blocked"
  readonly summary: string
  readonly target: string
  readonly calls: ReadonlyArray<PlannedCall>
  readonly blockers: ReadonlyArray<PlanBlocker>
  readonly currentState?: unknown
  readonly execute?: (log: CallLog) => Effect.Effect<Executed, ConnectorError, ScimHttp>
}

/** The calls an apply really sent, with the server's request ids: the audit record. */
interface CallLog {
  readonly calls: Array<PlannedCall>
  readonly requestIds: Array<string>
}

/** Everything lifecycle needs about the connection. */
export interface LifecycleEnv extends LookupEnv {}

const usersEndpoint = (env: LifecycleEnv) => env.caps.usersEndpoint
const groupsEndpoint = (env: LifecycleEnv) => env.caps.groupsEndpoint ?? "/Groups"

const blocked = (target: string, code: string, message: string, fix?: string): Draft => ({
  outcome: "blocked",
  summary: message,
  target,
  calls: [],
  blockers: [fix === undefined ? { code, message } : { code, message, fix }]
})

const noop = (target: string, summary: string, currentState?: unknown): Draft => ({
  outcome: "no-op",
  summary,
  target,
  calls: [],
  blockers: [],
  ...(currentState === undefined ? {} : { currentState })
})

/** Sends one planned call, recording it (and its request id) in the audit log. */
const send = (log: CallLog, method: HttpMethod, path: string, body: unknown, extra: { headers?: Record<string, string>; allow?: ReadonlyArray<number> } = {}) =>
  Effect.gen(function* () {
    const http = yield* ScimHttp
    log.calls.push({ method, url: http.urlFor(path), ...(body === undefined ? {} : { body }) })
    const response = yield* http.request({ method, path, body, headers: extra.headers, allow: extra.allow })
    if (response.requestId !== undefined) log.requestIds.push(response.requestId)
    return response
  })

const ifMatch = (env: LifecycleEnv, resource: unknown): Record<string, string> | undefined => {
  const version = asNonBlank(getPath(resource, "meta.version"))
  return env.profile.useEtags && version !== undefined ? { "if-match": version } : undefined
}

/** The resource after a write: the 200 body when the server sent one, else read back (204). */
const afterWrite = (response: ScimResponse, endpoint: string, id: string) =>
  isRecord(response.body) && resourceId(response.body) !== undefined ? Effect.succeed<unknown>(response.body) : getById(endpoint, id)

/** A compact view of a user for plans and results. */
const userView = (u: JsonRecord | undefined) =>
  u === undefined
    ? undefined
    : {
        id: resourceId(u),
        userName: asNonBlank(getCi(u, "userName")),
        active: asBoolean(getCi(u, "active")),
        displayName: asNonBlank(getCi(u, "displayName"))
      }

const userLabel = (p: { userId?: string; userName?: string }) => (p.userId !== undefined ? `user ${p.userId}` : `user '${p.userName}'`)
const groupLabel = (p: { groupId?: string; groupName?: string }) => (p.groupId !== undefined ? `group ${p.groupId}` : `group '${p.groupName}'`)

/**
 * The user named by id or userName. With ETags on, a user found through a filter (list answers
 * often carry no `meta.version`) is read again by id to get its version for `If-Match`.
 */
const resolveUser = (p: { userId?: string; userName?: string }, env: LifecycleEnv) =>
  Effect.gen(function* () {
    if (p.userId !== undefined) return yield* getById(usersEndpoint(env), p.userId)
    const found = yield* findByAttribute(usersEndpoint(env), "userName", p.userName!, env)
    const id = resourceId(found)
    if (!env.profile.useEtags || id === undefined || asNonBlank(getPath(found, "meta.version")) !== undefined) return found
    return yield* getById(usersEndpoint(env), id)
  })

const resolveGroup = (p: { groupId?: string; groupName?: string }, env: LifecycleEnv) =>
  Effect.gen(function* () {
    const byId = (id: string) => getById(groupsEndpoint(env), id, { excludedAttributes: "members" })
    if (p.groupId !== undefined) return yield* byId(p.groupId)
    const found = yield* findByAttribute(groupsEndpoint(env), "displayName", p.groupName!, env)
    const id = resourceId(found)
    if (!env.profile.useEtags || id === undefined || asNonBlank(getPath(found, "meta.version")) !== undefined) return found
    return yield* byId(id)
  })

/** The PATCH path and value of each writable attribute, and how to read the current value. */
const ATTRIBUTE_PATHS: Readonly<Record<keyof UserAttributes | "userName", { path: string; read: (u: JsonRecord) => unknown; value?: (v: any) => unknown }>> = {
  userName: { path: "userName", read: (u) => getCi(u, "userName") },
  displayName: { path: "displayName", read: (u) => getCi(u, "displayName") },
  givenName: { path: "name.givenName", read: (u) => getPath(u, "name.givenName") },
  familyName: { path: "name.familyName", read: (u) => getPath(u, "name.familyName") },
  title: { path: "title", read: (u) => getCi(u, "title") },
  userType: { path: "userType", read: (u) => getCi(u, "userType") },
  externalId: { path: "externalId", read: (u) => getCi(u, "externalId") },
  active: { path: "active", read: (u) => asBoolean(getCi(u, "active")) },
  email: {
    path: "emails",
    read: (u) => {
      const emails = getCi(u, "emails")
      const list = Array.isArray(emails) ? emails : []
      const primary = list.find((e) => asBoolean(getCi(e, "primary")) === true) ?? list[0]
      return getCi(primary, "value")
    },
    value: (v: string) => [{ value: v, type: "work", primary: true }]
  },
  employeeNumber: { path: `${ENTERPRISE_USER_SCHEMA}:employeeNumber`, read: (u) => getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "employeeNumber") },
  department: { path: `${ENTERPRISE_USER_SCHEMA}:department`, read: (u) => getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "department") },
  costCenter: { path: `${ENTERPRISE_USER_SCHEMA}:costCenter`, read: (u) => getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "costCenter") },
  organization: { path: `${ENTERPRISE_USER_SCHEMA}:organization`, read: (u) => getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "organization") },
  division: { path: `${ENTERPRISE_USER_SCHEMA}:division`, read: (u) => getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "division") },
  managerId: {
    path: `${ENTERPRISE_USER_SCHEMA}:manager`,
    read: (u) => {
      const m = getCi(getCi(u, ENTERPRISE_USER_SCHEMA), "manager")
      return isRecord(m) ? getCi(m, "value") : m
    },
    value: (v: string) => ({ value: v })
  }
}

const sameValue = (current: unknown, wanted: unknown) =>
  typeof wanted === "boolean" ? asBoolean(current) === wanted : asNonBlank(current) === wanted

/** The SCIM User body of a create request. */
export const createUserBody = (p: { userName: string } & UserAttributes): Record<string, unknown> => {
  const ext: Record<string, unknown> = {}
  for (const k of ["employeeNumber", "department", "costCenter", "organization", "division"] as const) if (p[k] !== undefined) ext[k] = p[k]
  if (p.managerId !== undefined) ext.manager = { value: p.managerId }
  const name: Record<string, unknown> = {}
  if (p.givenName !== undefined) name.givenName = p.givenName
  if (p.familyName !== undefined) name.familyName = p.familyName
  const body: Record<string, unknown> = {
    schemas: Object.keys(ext).length > 0 ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    userName: p.userName,
    active: p.active ?? true
  }
  if (p.externalId !== undefined) body.externalId = p.externalId
  if (p.displayName !== undefined) body.displayName = p.displayName
  if (Object.keys(name).length > 0) body.name = name
  if (p.email !== undefined) body.emails = [{ value: p.email, type: "work", primary: true }]
  if (p.title !== undefined) body.title = p.title
  if (p.userType !== undefined) body.userType = p.userType
  if (Object.keys(ext).length > 0) body[ENTERPRISE_USER_SCHEMA] = ext
  return body
}

type Planner = (params: Record<string, any>, env: LifecycleEnv, urlFor: (path: string) => string) => Effect.Effect<Draft, ConnectorError, ScimHttp>

/**
 * The change that PATCHes one existing user (updateUser, deactivateUser): `If-Match` when the
 * server uses ETags, where a 412 means someone changed the user meanwhile (reported, not retried).
 */
const patchUser = (
  env: LifecycleEnv,
  urlFor: (path: string) => string,
  user: JsonRecord,
  ops: ReadonlyArray<PatchOperation>,
  summary: string,
  appliedMessage: string
): Draft => {
  const id = resourceId(user)!
  const path = resourcePath(usersEndpoint(env), id)
  const body = patchBody(ops)
  return {
    outcome: "change",
    summary,
    target: `user ${id}`,
    calls: [{ method: "PATCH", url: urlFor(path), body }],
    blockers: [],
    currentState: userView(user),
    execute: (log) =>
      Effect.gen(function* () {
        const response = yield* send(log, "PATCH", path, body, { headers: ifMatch(env, user), allow: [412] })
        if (response.status === 412) return { status: "no-op", message: "changed concurrently", conflict: true } as const
        const after = yield* afterWrite(response, usersEndpoint(env), id)
        return { status: "applied", message: appliedMessage, after: userView(after as JsonRecord | undefined) } as const
      })
  }
}

const planCreateUser: Planner = (p, env, urlFor) =>
  Effect.gen(function* () {
    const target = `user '${p.userName}'`
    const existing = yield* findByAttribute(usersEndpoint(env), "userName", p.userName, env)
    if (existing !== undefined) {
      return noop(target, `User '${p.userName}' already exists (id ${resourceId(existing)}); createUser changes nothing (use updateUser for attributes)`, userView(existing))
    }
    const body = createUserBody(p as { userName: string } & UserAttributes)
    return {
      outcome: "change",
      summary: `Create user '${p.userName}'`,
      target,
      calls: [{ method: "POST", url: urlFor(usersEndpoint(env)), body }],
      blockers: [],
      execute: (log) =>
        Effect.gen(function* () {
          const response = yield* send(log, "POST", usersEndpoint(env), body, { allow: [409] })
          if (response.status === 409) {
            // Someone (or an earlier attempt) created it meanwhile: idempotent success.
            const found = yield* findByAttribute(usersEndpoint(env), "userName", p.userName, env, true)
            if (found === undefined) {
              return yield* ConnectorErrors.invalidInput(
                { field: "userName", message: `The server refused to create '${p.userName}' as a duplicate (409), but no user with that userName can be found` },
                `POST ${usersEndpoint(env)}`
              )
            }
            return { status: "no-op", message: `User '${p.userName}' already existed (409 uniqueness); id ${resourceId(found)}`, after: userView(found) } as const
          }
          const created = isRecord(response.body) ? response.body : yield* findByAttribute(usersEndpoint(env), "userName", p.userName, env, true)
          return { status: "applied", message: `Created user '${p.userName}' (id ${resourceId(created)})`, after: userView(created) } as const
        })
    } satisfies Draft
  })

const planUpdateUser: Planner = (p, env, urlFor) =>
  Effect.gen(function* () {
    const target = userLabel(p)
    const user = yield* resolveUser(p, env)
    if (user === undefined) return blocked(target, "NotFound", `Cannot update ${target}: no such user`, "Check userId / userName, or create the user first")
    const id = resourceId(user)!
    const ops: Array<PatchOperation> = []
    for (const [key, wanted] of Object.entries(p.attributes as Record<string, unknown>)) {
      const spec = ATTRIBUTE_PATHS[key as keyof typeof ATTRIBUTE_PATHS]
      if (spec === undefined || wanted === undefined || sameValue(spec.read(user), wanted)) continue
      ops.push({ op: "replace", path: spec.path, value: spec.value ? spec.value(wanted) : wanted })
    }
    if (ops.length === 0) return noop(`user ${id}`, `User ${id} already has the requested attributes`, userView(user))
    return patchUser(env, urlFor, user, ops, `Update ${ops.map((o) => o.path).join(", ")} of user ${id}`, `Updated user ${id}`)
  })

const planDeactivateUser: Planner = (p, env, urlFor) =>
  Effect.gen(function* () {
    const target = userLabel(p)
    const user = yield* resolveUser(p, env)
    if (user === undefined) return blocked(target, "NotFound", `Cannot deactivate ${target}: no such user`, "Check userId / userName")
    const id = resourceId(user)!
    if (asBoolean(getCi(user, "active")) === false) return noop(`user ${id}`, `User ${id} is already inactive`, userView(user))
    return patchUser(env, urlFor, user, [{ op: "replace", path: "active", value: false }], `Deactivate user ${id} (active=false)`, `Deactivated user ${id}`)
  })

const planDeleteUser: Planner = (p, env, urlFor) =>
  Effect.gen(function* () {
    const target = userLabel(p)
    const user = yield* resolveUser(p, env)
    if (user === undefined) return noop(target, `${target} does not exist; nothing to delete`)
    const id = resourceId(user)!
    const path = resourcePath(usersEndpoint(env), id)
    return {
      outcome: "change",
      summary: `Delete user ${id}`,
      target: `user ${id}`,
      calls: [{ method: "DELETE", url: urlFor(path) }],
      blockers: [],
      currentState: userView(user),
      execute: (log) =>
        Effect.gen(function* () {
          const response = yield* send(log, "DELETE", path, undefined, { headers: ifMatch(env, user), allow: [404, 412] })
          if (response.status === 412) return { status: "no-op", message: "changed concurrently", conflict: true } as const
          if (response.status === 404) return { status: "no-op", message: `User ${id} was already gone` } as const
          return { status: "applied", message: `Deleted user ${id}` } as const
        })
    } satisfies Draft
  })

const planMembership =
  (add: boolean): Planner =>
  (p, env, urlFor) =>
    Effect.gen(function* () {
      const label = `${userLabel(p)} in ${groupLabel(p)}`
      const verb = add ? "add" : "remove"
      if (env.caps.patch === false) {
        return blocked(label, "Unsupported", `The SCIM server does not support PATCH (ServiceProviderConfig.patch.supported=false), so members cannot be ${add ? "added" : "removed"}`)
      }
      const group = yield* resolveGroup(p, env)
      if (group === undefined) return blocked(label, "NotFound", `Cannot ${verb} a member: ${groupLabel(p)} does not exist`, "Check groupId / groupName")
      const groupId = resourceId(group)!
      let userId: string | undefined = p.userId
      if (userId === undefined || add) {
        const user = yield* resolveUser(p, env)
        if (user === undefined) {
          return blocked(label, "NotFound", `Cannot ${verb} ${userLabel(p)} ${add ? "to" : "from"} group ${groupId}: no such user`, "Check userId / userName")
        }
        userId = resourceId(user)!
      }
      const target = `group ${groupId} member ${userId}`
      const member = yield* isMember(groupId, userId, env)
      if (member === add) return noop(target, `User ${userId} is ${add ? "already" : "not"} a member of group ${groupId}`, { groupId, userId, member })
      const path = resourcePath(groupsEndpoint(env), groupId)
      const operation: PatchOperation = add
        ? { op: "add", path: "members", value: [{ value: userId }] }
        : env.profile.patchDialect === "value-array"
          ? { op: "remove", path: "members", value: [{ value: userId }] }
          : { op: "remove", path: `members[value eq ${JSON.stringify(userId)}]` }
      const body = patchBody([operation])
      return {
        outcome: "change",
        summary: `${add ? "Add" : "Remove"} user ${userId} ${add ? "to" : "from"} group ${groupId}`,
        target,
        calls: [{ method: "PATCH", url: urlFor(path), body }],
        blockers: [],
        currentState: { groupId, userId, member: member ?? "unknown" },
        execute: (log) =>
          Effect.gen(function* () {
            const response = yield* send(log, "PATCH", path, body, { headers: ifMatch(env, group), allow: [412] })
            if (response.status === 412) return { status: "no-op", message: "changed concurrently", conflict: true } as const
            // Some servers answer 200 to a filtered removal and do nothing: check before saying "done".
            const now = yield* isMember(groupId, userId, env)
            if (now === !add) {
              return yield* ConnectorErrors.unexpected(
                {
                  message: `The server accepted the PATCH but user ${userId} is ${add ? "still not" : "still"} a member of group ${groupId}`,
                  detail: add ? "add ignored" : "the server may ignore filtered remove paths (members[value eq ...])"
                },
                `PATCH ${path}`
              )
            }
            return { status: "applied", message: `${add ? "Added" : "Removed"} user ${userId} ${add ? "to" : "from"} group ${groupId}`, after: { groupId, userId, member: now ?? add } } as const
          })
      } satisfies Draft
    })

const PLANNERS: Readonly<Record<ScimOperationName, Planner>> = {
  createUser: planCreateUser,
  updateUser: planUpdateUser,
  deactivateUser: planDeactivateUser,
  deleteUser: planDeleteUser,
  addGroupMember: planMembership(true),
  removeGroupMember: planMembership(false)
}

const NEEDS_USER: ReadonlySet<ScimOperationName> = new Set(["updateUser", "deactivateUser", "deleteUser", "addGroupMember", "removeGroupMember"])
const NEEDS_GROUP: ReadonlySet<ScimOperationName> = new Set(["addGroupMember", "removeGroupMember"])

/**
 * Validates every request before anything is sent: an unknown operation or a bad parameter fails
 * the whole call with InvalidInput naming `operations[i]...`, so nothing is partially applied.
 */
export const decodeOperations = (requests: ReadonlyArray<OperationRequest>): Effect.Effect<ReadonlyArray<Decoded>, ConnectorError> =>
  Effect.gen(function* () {
    const decoded: Array<Decoded> = []
    for (const [index, raw] of requests.entries()) {
      const at = `operations[${index}]`
      if (!Object.hasOwn(ScimOperations, raw.operation)) {
        return yield* ConnectorErrors.invalidInput({
          field: `${at}.operation`,
          message: `Unknown operation '${raw.operation}' at ${at}; SCIM mode supports ${Object.keys(ScimOperations).join(", ")}`
        })
      }
      const operation = raw.operation as ScimOperationName
      const result = decodeWithIssues(ScimOperations[operation] as Schema.Codec<Record<string, any>, any, never, never>, raw.params)
      if (!result.ok) {
        const first = result.issues[0]!
        const field = `${at}.params${first.path === "" ? "" : `.${first.path}`}`
        return yield* ConnectorErrors.invalidInput({ field, message: `${operation} at ${at}: ${result.issues.map((i) => `${i.path || "(params)"}: ${i.message}`).join("; ")}` })
      }
      const params = result.value
      const pair = (a: string, b: string) => {
        const n = (params[a] !== undefined ? 1 : 0) + (params[b] !== undefined ? 1 : 0)
        return n === 1 ? undefined : ConnectorErrors.invalidInput({ field: `${at}.params.${a}`, message: `${operation} at ${at} needs exactly one of ${a} or ${b}` })
      }
      const badUser = NEEDS_USER.has(operation) ? pair("userId", "userName") : undefined
      if (badUser !== undefined) return yield* badUser
      const badGroup = NEEDS_GROUP.has(operation) ? pair("groupId", "groupName") : undefined
      if (badGroup !== undefined) return yield* badGroup
      if (operation === "updateUser" && Object.keys(params.attributes ?? {}).length === 0) {
        return yield* ConnectorErrors.invalidInput({ field: `${at}.params.attributes`, message: `updateUser at ${at} sets no attributes` })
      }
      decoded.push({ index, id: raw.id ?? `op-${index + 1}`, operation, raw, params })
    }
    return decoded.sort((a, b) => OPERATION_ORDER[a.operation] - OPERATION_ORDER[b.operation] || a.index - b.index)
  })

const draftFor = (op: Decoded, env: LifecycleEnv) =>
  Effect.gen(function* () {
    const http = yield* ScimHttp
    return yield* PLANNERS[op.operation](op.params, env, (path) => http.urlFor(path))
  })

/** Dry run: reads current state and says, per operation, no-op / change (with the exact calls) / blocked. */
export const planOperations = Effect.fn("Lifecycle.plan")(function* (
  requests: ReadonlyArray<OperationRequest>,
  env: LifecycleEnv
): Effect.fn.Return<Plan, ConnectorError, ScimHttp> {
  const ops = yield* decodeOperations(requests)
  const planned: Array<OperationPlan> = []
  for (const [order, op] of ops.entries()) {
    const draft = yield* draftFor(op, env)
    planned.push({
      id: op.id,
      operation: op.operation,
      params: op.raw.params,
      outcome: draft.outcome,
      summary: draft.summary,
      calls: draft.calls,
      permissions: [],
      blockers: draft.blockers,
      ...(draft.currentState === undefined ? {} : { currentState: draft.currentState }),
      order
    })
  }
  return { operations: planned, blocked: planned.some((p) => p.outcome === "blocked") }
})

/**
 * Applies operations in the safe order, each re-planned against current state first, so applying
 * twice changes the system once (the second apply reports `no-op`). A failed operation stops the
 * run: the ones after it are `skipped`. An ETag conflict (412) re-plans once.
 */
export const applyOperations = Effect.fn("Lifecycle.apply")(function* (
  requests: ReadonlyArray<OperationRequest>,
  env: LifecycleEnv
): Effect.fn.Return<ReadonlyArray<OperationResult>, ConnectorError, ScimHttp> {
  const ops = yield* decodeOperations(requests)
  const results: Array<OperationResult> = []
  let stopped = false
  for (const op of ops) {
    const at = new Date().toISOString()
    const log: CallLog = { calls: [], requestIds: [] }
    const base = { id: op.id, operation: op.operation }
    const audit = (target: string) => ({ at, operation: op.operation, target, calls: log.calls })
    if (stopped) {
      results.push({ ...base, status: "skipped", message: "Not applied: an earlier operation failed", requestIds: [], audit: audit("") })
      continue
    }
    const attempt = Effect.gen(function* () {
      for (let tries = 0; ; tries++) {
        const draft = yield* draftFor(op, env)
        if (draft.outcome !== "change" || draft.execute === undefined) return { draft, executed: undefined }
        const executed = yield* draft.execute(log)
        if (executed.conflict !== true || tries >= 1) return { draft, executed }
      }
    })
    const outcome = yield* Effect.result(attempt)
    if (outcome._tag === "Failure") {
      const e = outcome.failure
      stopped = true
      results.push({
        ...base,
        status: "failed",
        message: e.message,
        requestIds: log.requestIds,
        error: { code: e.code, failureClass: e.failureClass, message: e.message },
        audit: audit(e.context ?? "")
      })
      continue
    }
    const { draft, executed } = outcome.success
    const before = draft.currentState === undefined ? {} : { before: draft.currentState }
    if (draft.outcome === "blocked") {
      stopped = true
      const blocker = draft.blockers[0]
      results.push({
        ...base,
        status: "failed",
        message: draft.summary,
        requestIds: [],
        error: { code: blocker?.code ?? "Blocked", failureClass: "config", message: draft.summary },
        audit: audit(draft.target)
      })
    } else if (executed === undefined) {
      results.push({ ...base, status: "no-op", message: draft.summary, requestIds: [], ...before, audit: audit(draft.target) })
    } else if (executed.conflict === true) {
      stopped = true
      results.push({
        ...base,
        status: "failed",
        message: `${draft.target} changed concurrently twice (412 Precondition Failed)`,
        requestIds: log.requestIds,
        error: { code: "Unavailable", failureClass: "transient", message: "ETag conflict" },
        audit: audit(draft.target)
      })
    } else {
      results.push({
        ...base,
        status: executed.status,
        message: executed.message,
        requestIds: log.requestIds,
        ...before,
        ...(executed.after === undefined ? {} : { after: executed.after }),
        audit: audit(draft.target)
      })
    }
  }
  return results
})
