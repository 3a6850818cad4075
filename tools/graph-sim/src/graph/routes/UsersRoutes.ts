import { encodeRef, type UserRecord } from "../../tenant/Records.ts"
import { newUser } from "../../tenant/ObjectFactory.ts"
import { countCollection, type ListSpec, listCollection, project, singleObject, validateListQuery } from "../Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, json, noContent } from "../Context.ts"
import { badRequest, denied, GraphError, notFound, unsupportedQuery } from "../GraphError.ts"
import { filterClauses, lookupValues } from "../ODataFilter.ts"
import { PERMS, requireAny, requireAuditLog, requirePremium } from "../Permissions.ts"
import { type ExpandItem, type ODataQuery, parseQuery, validateSelect } from "../Query.ts"
import { route, type Route } from "../Router.ts"
import { USER } from "../Schemas.ts"
import { castKind, listAssignments, liveUser, objectGraph, refsSpec, tableItems } from "./Shared.ts"

const SIGN_IN_ACTIVITY_PAGE_CAP = 120

const mentions = (q: ODataQuery, prop: string): { selected: boolean; filtered: boolean } => {
  const low = prop.toLowerCase()
  const selected = (q.select ?? []).some((s) => s.toLowerCase() === low)
  const filtered = q.filter !== undefined && filterClauses(q.filter).some((c) => c.path.toLowerCase().split("/")[0] === low)
  return { selected, filtered }
}

/** Licence and permission gates for properties that need more than User.Read.All. */
const gateUserProperties = (ctx: GraphContext, q: ODataQuery): { signInActivity: boolean } => {
  const sia = mentions(q, "signInActivity")
  if (sia.selected || sia.filtered) {
    requirePremium(ctx)
    requireAuditLog(ctx)
    if (sia.filtered && q.filter !== undefined && filterClauses(q.filter).some((c) => c.path.toLowerCase().split("/")[0] !== "signinactivity")) {
      throw unsupportedQuery("Unsupported or invalid query filter clause specified for property 'signInActivity' of resource 'User'.")
    }
  }
  const leave = mentions(q, "employeeLeaveDateTime")
  if (leave.selected || leave.filtered) requireAny(ctx, PERMS.readLifecycleInfo)
  return { signInActivity: sia.selected || sia.filtered }
}

const managerExpander = (ctx: GraphContext) => (u: UserRecord, e: ExpandItem): unknown => {
  if (u._managerId === null) return undefined
  const m = ctx.dir.users.indexOf(u._managerId)
  if (m < 0 || !ctx.dir.users.isLive(m)) return undefined
  const sel = e.select === undefined ? undefined : validateSelect(USER, e.select, false)
  return { "@odata.type": "#microsoft.graph.user", ...project(objectGraph(ctx.dir, encodeRef("user", m)), USER, sel) }
}

export const usersSpec = (ctx: GraphContext): ListSpec<UserRecord> => ({
  schema: USER,
  context: "users",
  items: (from) => tableItems<UserRecord>(ctx.dir, "user", from),
  toGraph: (u) => u as unknown as Record<string, unknown>,
  paging: { default: 100, max: 999 },
  expand: { manager: managerExpander(ctx) },
  candidates: (f) =>
    lookupValues(f, USER_KEYS)?.map(({ prop, value }) => (prop === "id" ? ctx.dir.users.indexOf(value) : ctx.dir.userByUpn(value))).filter((i) => i >= 0),
  itemAt: (i) => (ctx.dir.users.isLive(i) ? ctx.dir.users.get(i) : undefined)
})

const USER_KEYS: ReadonlySet<string> = new Set(["id", "userprincipalname"])

const listUsers = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUsers)
  const spec = usersSpec(ctx)
  const q = validateListQuery(ctx, spec)
  const gates = gateUserProperties(ctx, q)
  return listCollection(ctx, gates.signInActivity ? { ...spec, pageCap: SIGN_IN_ACTIVITY_PAGE_CAP } : spec, q)
}

const getUser = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUsers)
  const key = ctx.params[0]
  const q = parseQuery(ctx.req)
  const gates = gateUserProperties(ctx, q)
  if (gates.signInActivity && key.includes("@")) {
    throw unsupportedQuery("Get By Key only supports UserId and the key has to be a valid Guid")
  }
  const i = liveUser(ctx, key)
  const u = ctx.dir.users.get(i)
  return singleObject(ctx, USER, "users/$entity", u as unknown as Record<string, unknown>, { manager: (e) => managerExpander(ctx)(u, e) ?? null })
}

const getManager = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUsers)
  const u = ctx.dir.users.get(liveUser(ctx, ctx.params[0]))
  const m = u._managerId === null ? -1 : ctx.dir.users.indexOf(u._managerId)
  if (m < 0 || !ctx.dir.users.isLive(m)) throw notFound("manager")
  return singleObject(ctx, USER, "directoryObjects/$entity", objectGraph(ctx.dir, encodeRef("user", m)), {}, "#microsoft.graph.user")
}

const directReports = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUsers)
  const id = ctx.dir.users.id(liveUser(ctx, ctx.params[0]))
  const refs: number[] = []
  for (let i = 0; i < ctx.dir.users.size; i++) if (ctx.dir.users.isLive(i) && ctx.dir.users.get(i)._managerId === id) refs.push(encodeRef("user", i))
  return listCollection(ctx, refsSpec(ctx, refs, "directoryObjects"))
}

const memberOf = (transitive: boolean, count = false) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUserMemberships)
  const ref = encodeRef("user", liveUser(ctx, ctx.params[0]))
  const groups = transitive ? ctx.dir.transitiveMemberOf(ref) : ctx.dir.memberOf(ref)
  const refs = groups.map((g) => encodeRef("group", g))
  if (!transitive) {
    for (let a = 0; a < ctx.dir.auMembers.length; a++) if (ctx.dir.administrativeUnits.isLive(a) && ctx.dir.owners(ctx.dir.auMembers, a).includes(ref)) refs.push(encodeRef("administrativeUnit", a))
  }
  const spec = refsSpec(ctx, Uint32Array.from(refs).sort(), "directoryObjects", castKind(ctx.cast))
  return count ? countCollection(ctx, spec) : listCollection(ctx, spec)
}

const userAppRoleAssignments = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, [...PERMS.readUsers, ...PERMS.readApps])
  const id = ctx.dir.users.id(liveUser(ctx, ctx.params[0]))
  return listAssignments(ctx, ctx.dir.appRoleAssignments.filter((a) => a.principalId === id), `users('${id}')/appRoleAssignments`)
}

// ------------------------------------------------------------------ writes

const REQUIRED_ON_CREATE = ["accountEnabled", "displayName", "mailNickname", "passwordProfile", "userPrincipalName"] as const
const READ_ONLY = new Set(["id", "createdDateTime", "deletedDateTime", "signInActivity", "securityIdentifier", "onPremisesSyncEnabled", "onPremisesImmutableIdReadOnly", "onPremisesLastSyncDateTime", "onPremisesSecurityIdentifier", "onPremisesDistinguishedName", "onPremisesDomainName", "onPremisesSamAccountName", "onPremisesUserPrincipalName", "creationType", "externalUserState", "externalUserStateChangeDateTime", "lastPasswordChangeDateTime", "signInSessionsValidFromDateTime", "proxyAddresses", "identities", "assignedLicenses"])
const WRITE_ONLY = new Set(["passwordProfile", "passwordPolicies"])
/** Properties whose change is a "sensitive action" on privileged users. */
const SENSITIVE = new Set(["accountEnabled", "businessPhones", "mobilePhone", "otherMails", "passwordProfile", "userPrincipalName", "onPremisesImmutableId"])
/** What cloud writes may still change on a directory-synced user. */
const CLOUD_WRITABLE_ON_SYNCED = new Set(["employeeLeaveDateTime", "usageLocation", "preferredLanguage", "passwordProfile", "otherMails", "employeeHireDate"])

const bodyObject = (body: unknown): Record<string, unknown> => {
  if (body === null || body === undefined || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("An unexpected 'EndOfInput' node was found when reading from the JSON reader. A 'StartObject' node was expected.")
  }
  return body as Record<string, unknown>
}

const validateUserProps = (body: Record<string, unknown>, create: boolean): void => {
  for (const k of Object.keys(body)) {
    if (k.startsWith("@") || k.includes("@odata")) continue
    if (!USER.props.includes(k) && !WRITE_ONLY.has(k)) {
      throw new GraphError(400, "BadRequest", `The property '${k}' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.`)
    }
    if (READ_ONLY.has(k) && !(create && k === "identities")) throw badRequest(`Property '${k}' is read-only and cannot be set.`)
  }
}

/** App-only callers may do sensitive actions on privileged users only with a privileged role on their SP. */
const guardPrivilegedTarget = (ctx: GraphContext, userIndex: number): void => {
  if (ctx.dir.isPrivilegedTarget(userIndex) && !ctx.dir.canActOnPrivileged(ctx.caller.servicePrincipalId)) throw denied()
}

const createUser = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeUsers)
  const body = bodyObject(ctx.req.body)
  for (const p of REQUIRED_ON_CREATE) {
    if (body[p] === undefined || body[p] === null || body[p] === "") throw badRequest(`Invalid value specified for property '${p}' of resource 'User'.`)
  }
  validateUserProps(body, true)
  const upn = String(body.userPrincipalName)
  const domain = upn.split("@")[1]?.toLowerCase()
  if (domain === undefined || !ctx.dir.organization.verifiedDomains.some((d) => d.name.toLowerCase() === domain)) {
    throw badRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.")
  }
  if (ctx.dir.userByUpn(upn) >= 0) throw badRequest("Another object with the same value for property userPrincipalName already exists.")
  if (body.employeeLeaveDateTime !== undefined) requireAny(ctx, PERMS.writeLifecycleInfo)
  const { passwordProfile: _pp, passwordPolicies: _pol, ...props } = body
  const rec = newUser({ ...(props as Partial<UserRecord>), displayName: String(body.displayName), userPrincipalName: upn }, ctx.tenant.now())
  const i = ctx.dir.createUser(rec)
  return json(201, { "@odata.context": contextUrl(ctx.req, "users/$entity"), ...project(ctx.dir.users.get(i) as unknown as Record<string, unknown>, USER, undefined) }, {
    location: `${ctx.req.origin}/v1.0/directoryObjects/${rec.id}/Microsoft.DirectoryServices.User`
  })
}

const updateUser = (ctx: GraphContext): GraphResponse => {
  const i = liveUser(ctx, ctx.params[0])
  const body = bodyObject(ctx.req.body)
  const keys = Object.keys(body).filter((k) => !k.startsWith("@"))
  const onlyEnable = keys.length > 0 && keys.every((k) => k === "accountEnabled")
  const onlyLifecycle = keys.length > 0 && keys.every((k) => k === "employeeLeaveDateTime")
  if (onlyEnable) requireAny(ctx, PERMS.enableDisableUsers)
  else if (onlyLifecycle) {
    requireAny(ctx, PERMS.readUsers)
    requireAny(ctx, PERMS.writeLifecycleInfo)
  } else requireAny(ctx, PERMS.writeUsers)
  if (keys.includes("employeeLeaveDateTime")) requireAny(ctx, PERMS.writeLifecycleInfo)
  validateUserProps(body, false)
  const u = ctx.dir.users.get(i)
  if (u.onPremisesSyncEnabled === true && keys.some((k) => !CLOUD_WRITABLE_ON_SYNCED.has(k))) {
    throw badRequest("Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.")
  }
  if (keys.some((k) => SENSITIVE.has(k))) guardPrivilegedTarget(ctx, i)
  if (typeof body.userPrincipalName === "string" && body.userPrincipalName.toLowerCase() !== u.userPrincipalName.toLowerCase() && ctx.dir.userByUpn(body.userPrincipalName) >= 0) {
    throw badRequest("Another object with the same value for property userPrincipalName already exists.")
  }
  const patch: Record<string, unknown> = {}
  for (const k of keys) if (!WRITE_ONLY.has(k)) patch[k] = body[k]
  if ("passwordProfile" in body) patch.lastPasswordChangeDateTime = new Date(ctx.tenant.now()).toISOString().replace(/\.\d{3}Z$/, "Z")
  ctx.dir.updateUser(i, patch as Partial<UserRecord>)
  return noContent()
}

const deleteUser = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeUsers)
  const i = liveUser(ctx, ctx.params[0])
  guardPrivilegedTarget(ctx, i)
  ctx.dir.softDeleteUser(i)
  return noContent()
}

const revokeSessions = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.revokeSessions)
  const i = liveUser(ctx, ctx.params[0])
  guardPrivilegedTarget(ctx, i)
  ctx.dir.updateUser(i, { signInSessionsValidFromDateTime: new Date(ctx.tenant.now()).toISOString().replace(/\.\d{3}Z$/, "Z") })
  return json(200, { "@odata.context": contextUrl(ctx.req, "Edm.Boolean"), value: true })
}

const setManager = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeUsers)
  const i = liveUser(ctx, ctx.params[0])
  const body = bodyObject(ctx.req.body)
  const raw = String(body["@odata.id"] ?? "")
  const managerId = raw.split("/").pop() ?? ""
  const m = ctx.dir.users.indexOf(managerId)
  if (m < 0 || !ctx.dir.users.isLive(m)) throw notFound(managerId)
  ctx.dir.updateUser(i, { _managerId: ctx.dir.users.id(m) })
  return noContent()
}

const removeManager = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeUsers)
  const i = liveUser(ctx, ctx.params[0])
  if (ctx.dir.users.get(i)._managerId === null) throw notFound("manager")
  ctx.dir.updateUser(i, { _managerId: null })
  return noContent()
}

const countUsers = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readUsers)
  return countCollection(ctx, usersSpec(ctx))
}

export const usersRoutes = (delta: (ctx: GraphContext) => GraphResponse): Route[] => [
  route("GET", "/users", listUsers, { ru: 2 }),
  route("GET", "/users/$count", countUsers, { ru: 2 }),
  route("GET", "/users/delta", delta, { ru: 1 }),
  route("GET", "/users/{id}", getUser),
  route("GET", "/users/{id}/manager", getManager),
  route("GET", "/users/{id}/directReports", directReports),
  route("GET", "/users/{id}/memberOf", memberOf(false), { ru: 2 }),
  route("GET", "/users/{id}/memberOf/{cast}", memberOf(false), { ru: 2 }),
  route("GET", "/users/{id}/memberOf/$count", memberOf(false, true), { ru: 2 }),
  route("GET", "/users/{id}/transitiveMemberOf", memberOf(true), { ru: 2 }),
  route("GET", "/users/{id}/transitiveMemberOf/{cast}", memberOf(true), { ru: 2 }),
  route("GET", "/users/{id}/transitiveMemberOf/$count", memberOf(true, true), { ru: 2 }),
  route("GET", "/users/{id}/appRoleAssignments", userAppRoleAssignments, { ru: 2 }),
  route("POST", "/users", createUser),
  route("PATCH", "/users/{id}", updateUser),
  route("DELETE", "/users/{id}", deleteUser),
  route("POST", "/users/{id}/revokeSignInSessions", revokeSessions),
  route("PUT", "/users/{id}/manager/$ref", setManager),
  route("DELETE", "/users/{id}/manager/$ref", removeManager)
]

