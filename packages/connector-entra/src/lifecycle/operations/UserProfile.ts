import { IsoDateTime, NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import { GraphClient } from "../../GraphClient.ts"
import { DirectoryLookup } from "../DirectoryLookup.ts"
import { absentRemove, change, type Draft, duplicateAdd, noop, type WriteCall } from "../Draft.ts"
import { compact, invalid, notFound, privilegedTarget, syncedUser } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE, type Requirement } from "../Requirements.ts"
import { pendingUser, UserRef } from "./UserAccount.ts"

type Raw = Record<string, any>

const Text = Schema.NullOr(Schema.String)

/** Profile attributes lifecycle sets; `null` clears one. Dates are ISO 8601 (employee hire and leave dates). */
const profileFields = {
  givenName: Schema.optionalKey(Text),
  surname: Schema.optionalKey(Text),
  jobTitle: Schema.optionalKey(Text),
  department: Schema.optionalKey(Text),
  officeLocation: Schema.optionalKey(Text),
  companyName: Schema.optionalKey(Text),
  employeeId: Schema.optionalKey(Text),
  employeeType: Schema.optionalKey(Text),
  city: Schema.optionalKey(Text),
  country: Schema.optionalKey(Text),
  usageLocation: Schema.optionalKey(Schema.NullOr(Schema.String.check(Schema.isPattern(/^[A-Z]{2}$/u))).annotate({ description: "Two-letter country code (needed before licences are assigned)" })),
  mobilePhone: Schema.optionalKey(Text),
  businessPhones: Schema.optionalKey(Schema.Array(Schema.String)),
  employeeHireDate: Schema.optionalKey(Schema.NullOr(IsoDateTime)),
  employeeLeaveDateTime: Schema.optionalKey(
    Schema.NullOr(IsoDateTime).annotate({ description: "The HRIS termination date; needs User-LifeCycleInfo.ReadWrite.All" })
  )
}
type ProfileKey = keyof typeof profileFields
const PROFILE_KEYS = Object.keys(profileFields) as ReadonlyArray<ProfileKey>
const DATE_KEYS: ReadonlySet<string> = new Set(["employeeHireDate", "employeeLeaveDateTime"])
/** Changing these on a privileged user is a "sensitive action" (see privilegedTarget). */
const SENSITIVE: ReadonlySet<string> = new Set(["mobilePhone", "businessPhones"])
/** What Graph still lets the cloud change on a user synchronised from on-premises. */
const CLOUD_WRITABLE_ON_SYNCED: ReadonlySet<string> = new Set(["employeeLeaveDateTime", "employeeHireDate", "usageLocation"])

const sameValue = (key: string, a: unknown, b: unknown): boolean => {
  if ((a ?? null) === null || (b ?? null) === null) return (a ?? null) === (b ?? null)
  if (DATE_KEYS.has(key)) return Date.parse(String(a)) === Date.parse(String(b))
  return JSON.stringify(a) === JSON.stringify(b)
}

const requirementsFor = (keys: ReadonlyArray<string>, manager: boolean): ReadonlyArray<Requirement> => {
  const out: Array<Requirement> = []
  if (manager || keys.some((k) => k !== "employeeLeaveDateTime")) out.push(REQUIRE.users)
  if (keys.includes("employeeLeaveDateTime")) out.push(REQUIRE.lifecycleInfo)
  return out
}

const managerRef = (graphRoot: string, id: string) => ({ "@odata.id": `${graphRoot}users/${id}` })

/** A mailNickname Graph accepts, from the local part of the UPN. */
const nicknameOf = (upn: string): string => (upn.split("@")[0] ?? upn).replace(/[^A-Za-z0-9._-]/gu, "").slice(0, 64) || "user"

/** A random initial password meeting Entra's complexity rules; never shown or returned. */
const temporaryPassword = (): string => `${randomBytes(18).toString("base64url")}a7!Q`

export const createUser = defineOperation({
  name: "createUser",
  params: Schema.Struct({
    userPrincipalName: NonBlankString.check(Schema.isPattern(/^[^\s@]+@[^\s@]+$/u)).annotate({ description: "name@a-verified-domain" }),
    displayName: NonBlankString,
    mailNickname: Schema.optionalKey(NonBlankString),
    accountEnabled: Schema.optionalKey(Schema.Boolean),
    ...profileFields
  }).annotate({
    description:
      "Create a user (a joiner) with a random initial password that must be changed at first sign-in; the password is never shown: hand over access with a Temporary Access Pass or a password reset. Set the manager with updateUser."
  }),
  phase: PHASE.create,
  plan: Effect.fn("createUser.plan")(function* (params: Raw & { readonly userPrincipalName: string; readonly displayName: string }) {
    const lookup = yield* DirectoryLookup
    const upn = params.userPrincipalName
    const keys = PROFILE_KEYS.filter((k) => params[k] !== undefined && params[k] !== null)
    const requirements = [REQUIRE.users, ...(keys.includes("employeeLeaveDateTime") ? [REQUIRE.lifecycleInfo] : [])]
    const existing = yield* lookup.user(upn)
    if (existing !== undefined) {
      return noop(upn, `${upn} already exists (use updateUser to change its profile)`, { id: existing.id, userPrincipalName: existing.userPrincipalName, displayName: existing.displayName }, requirements)
    }
    const profile: Record<string, unknown> = {}
    for (const k of keys) profile[k] = params[k]
    const password = temporaryPassword()
    const common = {
      accountEnabled: params.accountEnabled ?? true,
      displayName: params.displayName,
      mailNickname: params.mailNickname ?? nicknameOf(upn),
      userPrincipalName: upn,
      ...profile
    }
    const call: WriteCall = {
      method: "POST",
      path: "/users",
      body: { ...common, passwordProfile: { forceChangePasswordNextSignIn: true, password } },
      shownBody: { ...common, passwordProfile: { forceChangePasswordNextSignIn: true, password: "<generated, never shown>" } },
      // Another object with this UPN already exists: our own earlier attempt, or a race; the re-read decides.
      already: duplicateAdd
    }
    return change(upn, `Create ${upn} (${params.displayName})`, [call], requirements, {
      currentState: { exists: false },
      creates: { kind: "user", keys: [upn.toLowerCase()] }
    })
  })
})

const UpdateUserParams = Schema.Struct({
  user: UserRef,
  displayName: Schema.optionalKey(NonBlankString),
  ...profileFields,
  manager: Schema.optionalKey(Schema.NullOr(NonBlankString).annotate({ description: "The manager (object id or UPN); null removes the manager" }))
}).annotate({ description: "Change a user's profile, manager or employee leave date (a mover, or a leaver's termination date)." })
type UpdateUserParams = typeof UpdateUserParams.Type

/** The manager's id, or null; `undefined` when the user is being created by this plan. */
const currentManager = (userId: string) =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const m = yield* graph.get(`/users/${userId}/manager?$select=id`).pipe(Effect.catchIf((e) => e.code === "NotFound", () => Effect.succeed(undefined)))
    return typeof m?.id === "string" ? m.id : null
  })

export const updateUser = defineOperation({
  name: "updateUser",
  params: UpdateUserParams,
  phase: PHASE.update,
  validate: (p) =>
    [...PROFILE_KEYS, "displayName", "manager"].some((k) => (p as Raw)[k] !== undefined)
      ? undefined
      : { field: "params", message: "updateUser needs at least one attribute to set (e.g. jobTitle, department, manager, employeeLeaveDateTime)" },
  plan: Effect.fn("updateUser.plan")(function* (params: UpdateUserParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const wanted: Record<string, unknown> = {}
    for (const k of ["displayName", ...PROFILE_KEYS] as const) if (params[k] !== undefined) wanted[k] = params[k]
    const keys = Object.keys(wanted)
    const setsManager = params.manager !== undefined
    const requirements = requirementsFor(keys, setsManager)

    const u = yield* lookup.user(params.user, keys)
    const pending = u === undefined ? pendingUser(ctx, params.user) : undefined
    if (u === undefined && pending === undefined) return change(params.user, `Update ${params.user}`, [], requirements, { blockers: [notFound("params.user", params.user, "user")] })
    const userId = u === undefined ? placeholder(pending!) : String(u.id)
    const label = u === undefined ? pending! : String(u.userPrincipalName)

    let managerId: string | null | undefined
    const blockers: Array<Draft["blockers"][number] | undefined> = []
    if (params.manager !== undefined && params.manager !== null) {
      const m = yield* lookup.user(params.manager)
      const pendingManager = m === undefined ? pendingUser(ctx, params.manager) : undefined
      if (m === undefined && pendingManager === undefined) blockers.push(notFound("params.manager", params.manager, "user"))
      managerId = m === undefined ? (pendingManager === undefined ? undefined : placeholder(pendingManager)) : String(m.id)
      if (m !== undefined && u !== undefined && m.id === u.id) blockers.push(invalid("params.manager", "a user cannot be their own manager"))
    } else if (params.manager === null) managerId = null

    const before: Raw = u === undefined ? { exists: false } : { id: u.id, userPrincipalName: u.userPrincipalName }
    const patch: Record<string, unknown> = {}
    for (const k of keys) {
      if (u !== undefined) before[k] = u[k] ?? null
      if (u === undefined || !sameValue(k, u[k], wanted[k])) patch[k] = wanted[k]
    }
    const calls: Array<WriteCall> = []
    if (Object.keys(patch).length > 0) calls.push({ method: "PATCH", path: `/users/${userId}`, body: patch })
    if (setsManager) {
      const current = u === undefined ? null : yield* currentManager(String(u.id))
      before.manager = current
      if (managerId === null && current !== null) {
        calls.push({ method: "DELETE", path: `/users/${userId}/manager/$ref`, already: absentRemove })
      } else if (typeof managerId === "string" && managerId.toLowerCase() !== String(current ?? "").toLowerCase()) {
        calls.push({ method: "PUT", path: `/users/${userId}/manager/$ref`, body: managerRef(lookup.graphRoot, managerId) })
      }
    }
    if (calls.length === 0 && blockers.every((b) => b === undefined)) return noop(label, `${label} already has these attributes`, before, requirements)

    const changed = [...Object.keys(patch), ...(calls.some((c) => c.path.endsWith("/manager/$ref")) ? ["manager"] : [])]
    if (u !== undefined) {
      if (u.onPremisesSyncEnabled === true) {
        const mastered = changed.filter((k) => !CLOUD_WRITABLE_ON_SYNCED.has(k))
        if (mastered.length > 0) blockers.push(syncedUser(u, mastered.join(", ")))
      }
      if (changed.some((k) => SENSITIVE.has(k))) blockers.push(yield* privilegedTarget(u, "change the phone numbers of"))
    }
    return change(label, `Update ${label}: ${changed.join(", ")}`, calls, requirements, { currentState: before, blockers: compact(blockers) })
  })
})
