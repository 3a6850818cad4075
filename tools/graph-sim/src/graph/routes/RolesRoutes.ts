import { randomUUID } from "node:crypto"
import { tokenOf } from "../../internal/Random.ts"
import { isoSeconds } from "../../internal/IsoDate.ts"
import { assignmentSchedule } from "../../tenant/GroundTruth.ts"
import { encodeRef, ODATA_TYPE, type RoleAssignmentRecord, type RoleEligibilityScheduleRecord, type ScheduleInfo } from "../../tenant/Records.ts"
import { listCollection, project, singleObject } from "../Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, json, noContent } from "../Context.ts"
import { badRequest, GraphError, notFound } from "../GraphError.ts"
import { PERMS, requireAny, requirePimLicense } from "../Permissions.ts"
import { type ExpandItem, validateSelect } from "../Query.ts"
import { route, type Route } from "../Router.ts"
import {
  DIRECTORY_OBJECT,
  DIRECTORY_ROLE,
  ROLE_ASSIGNMENT,
  ROLE_ASSIGNMENT_SCHEDULE,
  ROLE_DEFINITION,
  ROLE_ELIGIBILITY_REQUEST,
  ROLE_ELIGIBILITY_SCHEDULE,
  SCHEMA_BY_KIND
} from "../Schemas.ts"
import { arrayItems, objectGraph, refsSpec } from "./Shared.ts"

/** `$expand=principal` / `roleDefinition` on role assignments and schedules. */
const principalExpander = (ctx: GraphContext) => (a: { principalId: string }, e: ExpandItem): unknown => {
  const r = ctx.dir.find(a.principalId)
  if (r === undefined) return null
  const ref = encodeRef(r.kind, r.index)
  const schema = SCHEMA_BY_KIND[r.kind]
  const sel = e.select === undefined ? undefined : validateSelect(DIRECTORY_OBJECT, e.select, false)
  return { "@odata.type": ODATA_TYPE[r.kind], ...project(objectGraph(ctx.dir, ref), schema, sel?.filter((p) => schema.props.includes(p))) }
}

const roleDefinitionExpander = (ctx: GraphContext) => (a: { roleDefinitionId: string }, e: ExpandItem): unknown => {
  const d = ctx.dir.roleDefinitions.find((x) => x.id === a.roleDefinitionId || x.templateId === a.roleDefinitionId)
  if (d === undefined) return null
  return project(d as unknown as Record<string, unknown>, ROLE_DEFINITION, e.select === undefined ? undefined : validateSelect(ROLE_DEFINITION, e.select, false))
}

type Assignable = { readonly principalId: string; readonly roleDefinitionId: string }
const expanders = (ctx: GraphContext): Record<"principal" | "roleDefinition", (a: Assignable, e: ExpandItem) => unknown> => ({
  principal: principalExpander(ctx),
  roleDefinition: roleDefinitionExpander(ctx)
})

const listRoleDefinitions = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRoles)
  return listCollection(ctx, {
    schema: ROLE_DEFINITION,
    context: "roleManagement/directory/roleDefinitions",
    items: (from) => arrayItems(ctx.dir.roleDefinitions, from),
    toGraph: (d) => d as unknown as Record<string, unknown>,
    paging: undefined
  })
}

const getRoleDefinition = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRoles)
  const d = ctx.dir.roleDefinitions.find((x) => x.id === ctx.params[0])
  if (d === undefined) throw notFound(ctx.params[0])
  return singleObject(ctx, ROLE_DEFINITION, "roleManagement/directory/roleDefinitions/$entity", d as unknown as Record<string, unknown>)
}

const listRoleAssignments = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRoles)
  const list = ctx.dir.roleAssignments
  return listCollection(ctx, {
    schema: ROLE_ASSIGNMENT,
    context: "roleManagement/directory/roleAssignments",
    items: (from) => arrayItems(list, from),
    toGraph: (a) => a as unknown as Record<string, unknown>,
    paging: { default: 100, max: 999 },
    expand: expanders(ctx)
  })
}

const getRoleAssignment = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRoles)
  const a = ctx.dir.roleAssignments.find((x) => x.id === ctx.params[0])
  if (a === undefined) throw notFound(ctx.params[0])
  const ex = expanders(ctx)
  return singleObject(ctx, ROLE_ASSIGNMENT, "roleManagement/directory/roleAssignments/$entity", a as unknown as Record<string, unknown>, {
    principal: (e) => ex.principal(a, e),
    roleDefinition: (e) => ex.roleDefinition(a, e)
  })
}

const bodyObject = (body: unknown): Record<string, unknown> => {
  if (body === null || body === undefined || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("An unexpected 'EndOfInput' node was found when reading from the JSON reader. A 'StartObject' node was expected.")
  }
  return body as Record<string, unknown>
}

/** Validates role, principal and scope of an assignment-like request. */
const resolveAssignment = (ctx: GraphContext, body: Record<string, unknown>): { roleDefinitionId: string; principalId: string; directoryScopeId: string } => {
  const roleDefinitionId = typeof body.roleDefinitionId === "string" ? body.roleDefinitionId : ""
  const principalId = typeof body.principalId === "string" ? body.principalId.toLowerCase() : ""
  const directoryScopeId = typeof body.directoryScopeId === "string" ? body.directoryScopeId : ""
  if (roleDefinitionId === "") throw badRequest("Invalid value specified for property 'roleDefinitionId' of resource 'UnifiedRoleAssignment'.")
  if (principalId === "") throw badRequest("Invalid value specified for property 'principalId' of resource 'UnifiedRoleAssignment'.")
  if (directoryScopeId === "") throw badRequest("Invalid value specified for property 'directoryScopeId' of resource 'UnifiedRoleAssignment'.")
  const def = ctx.dir.roleDefinitions.find((d) => d.id === roleDefinitionId || d.templateId === roleDefinitionId)
  if (def === undefined) throw notFound(roleDefinitionId)
  const principal = ctx.dir.findLive(principalId)
  if (principal === undefined || !["user", "group", "servicePrincipal"].includes(principal.kind)) throw notFound(principalId)
  if (principal.kind === "group" && ctx.dir.groups.get(principal.index).isAssignableToRole !== true) {
    throw badRequest("Group must be role-assignable (isAssignableToRole) to be assigned a directory role.")
  }
  if (directoryScopeId !== "/") {
    const m = /^\/(?:administrativeUnits\/)?([0-9a-fA-F-]{36})$/.exec(directoryScopeId)
    const scope = m === null ? undefined : ctx.dir.findLive(m[1])
    if (scope === undefined || (directoryScopeId.startsWith("/administrativeUnits/") ? scope.kind !== "administrativeUnit" : scope.kind !== "application")) {
      throw badRequest(`Invalid value specified for property 'directoryScopeId' of resource 'UnifiedRoleAssignment'.`)
    }
  }
  return { roleDefinitionId: def.id, principalId, directoryScopeId }
}

const createRoleAssignment = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeRoles)
  const a = resolveAssignment(ctx, bodyObject(ctx.req.body))
  if (ctx.dir.roleAssignments.some((x) => x.principalId === a.principalId && x.roleDefinitionId === a.roleDefinitionId && x.directoryScopeId === a.directoryScopeId)) {
    throw badRequest("A conflicting object with one or more of the specified property values is present in the directory.")
  }
  const rec: RoleAssignmentRecord = {
    id: `${tokenOf(43, Date.now() & 0xffffffff, Math.floor(Math.random() * 2 ** 31))}-1`,
    ...a,
    appScopeId: null,
    createdDateTime: isoSeconds(ctx.tenant.now())
  }
  ctx.dir.roleAssignments.push(rec)
  ctx.dir.activateRole(a.roleDefinitionId)
  return json(201, { "@odata.context": contextUrl(ctx.req, "roleManagement/directory/roleAssignments/$entity"), ...project(rec as unknown as Record<string, unknown>, ROLE_ASSIGNMENT, undefined) })
}

const deleteRoleAssignment = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeRoles)
  const before = ctx.dir.roleAssignments.length
  ctx.dir.roleAssignments = ctx.dir.roleAssignments.filter((a) => a.id !== ctx.params[0])
  if (ctx.dir.roleAssignments.length === before) throw notFound(ctx.params[0])
  return noContent()
}

const scheduleList = <R extends { principalId: string; roleDefinitionId: string }>(
  ctx: GraphContext,
  schema: typeof ROLE_ELIGIBILITY_SCHEDULE,
  context: string,
  list: ReadonlyArray<R>
): GraphResponse =>
  listCollection(ctx, {
    schema,
    context,
    items: (from) => arrayItems(list, from),
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: { default: 100, max: 999 },
    expand: expanders(ctx)
  })

const listEligibility = (context: string) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readEligibility)
  requirePimLicense(ctx)
  return scheduleList(ctx, ROLE_ELIGIBILITY_SCHEDULE, context, ctx.dir.roleEligibilitySchedules)
}

const listAssignmentSchedules = (context: string) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readAssignmentSchedules)
  requirePimLicense(ctx)
  return scheduleList(ctx, ROLE_ASSIGNMENT_SCHEDULE, context, ctx.dir.roleAssignments.map(assignmentSchedule))
}

interface EligibilityRequestRecord {
  readonly id: string
  readonly status: string
  readonly action: string
  readonly principalId: string
  readonly roleDefinitionId: string
  readonly directoryScopeId: string
  readonly appScopeId: null
  readonly isValidationOnly: boolean
  readonly targetScheduleId: string
  readonly justification: string | null
  readonly createdDateTime: string
  readonly completedDateTime: string
  readonly scheduleInfo: ScheduleInfo
  readonly createdBy: { application: { id: string; displayName: string | null } }
}

/** POST roleEligibilityScheduleRequests: PIM eligible assignment (adminAssign) or removal (adminRemove). */
const createEligibilityRequest = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeEligibility)
  requirePimLicense(ctx)
  const body = bodyObject(ctx.req.body)
  const action = typeof body.action === "string" ? body.action : ""
  if (!["adminAssign", "adminRemove", "adminUpdate", "adminExtend", "adminRenew"].includes(action)) {
    throw badRequest("Invalid value specified for property 'action' of resource 'UnifiedRoleEligibilityScheduleRequest'.")
  }
  const a = resolveAssignment(ctx, body)
  const now = ctx.tenant.now()
  const existing = ctx.dir.roleEligibilitySchedules.find((x) => x.principalId === a.principalId && x.roleDefinitionId === a.roleDefinitionId && x.directoryScopeId === a.directoryScopeId)
  const given = (body.scheduleInfo ?? {}) as { startDateTime?: string; expiration?: { type?: string; endDateTime?: string; duration?: string } }
  const scheduleInfo: ScheduleInfo = {
    startDateTime: given.startDateTime ?? isoSeconds(now),
    expiration: {
      type: given.expiration?.type === "afterDateTime" || given.expiration?.type === "afterDuration" ? given.expiration.type : "noExpiration",
      endDateTime: given.expiration?.endDateTime ?? null,
      duration: given.expiration?.duration ?? null
    }
  }
  let targetScheduleId: string
  if (action === "adminAssign") {
    if (existing !== undefined) throw new GraphError(400, "RoleAssignmentExists", "The Role assignment already exists.")
    const rec: RoleEligibilityScheduleRecord = {
      id: randomUUID(),
      ...a,
      appScopeId: null,
      memberType: "Direct",
      status: "Provisioned",
      createdUsing: randomUUID(),
      createdDateTime: isoSeconds(now),
      modifiedDateTime: null,
      scheduleInfo
    }
    ctx.dir.roleEligibilitySchedules.push(rec)
    targetScheduleId = rec.id
  } else {
    if (existing === undefined) throw new GraphError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
    targetScheduleId = existing.id
    if (action === "adminRemove") ctx.dir.roleEligibilitySchedules = ctx.dir.roleEligibilitySchedules.filter((x) => x !== existing)
    else Object.assign(existing, { scheduleInfo, modifiedDateTime: isoSeconds(now) })
  }
  const req: EligibilityRequestRecord = {
    id: randomUUID(),
    status: action === "adminRemove" ? "Revoked" : "Provisioned",
    action,
    ...a,
    appScopeId: null,
    isValidationOnly: body.isValidationOnly === true,
    targetScheduleId,
    justification: typeof body.justification === "string" ? body.justification : null,
    createdDateTime: isoSeconds(now),
    completedDateTime: isoSeconds(now),
    scheduleInfo,
    createdBy: { application: { id: ctx.caller.appId, displayName: null } }
  }
  ctx.dir.roleEligibilityScheduleRequests.push(req as unknown as Record<string, unknown>)
  return json(201, { "@odata.context": contextUrl(ctx.req, "roleManagement/directory/roleEligibilityScheduleRequests/$entity"), ...req })
}

const listEligibilityRequests = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeEligibility)
  requirePimLicense(ctx)
  const list = ctx.dir.roleEligibilityScheduleRequests
  return listCollection(ctx, {
    schema: ROLE_ELIGIBILITY_REQUEST,
    context: "roleManagement/directory/roleEligibilityScheduleRequests",
    items: (from) => arrayItems(list, from),
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: { default: 100, max: 999 }
  })
}

// ------------------------------------------------------------------ legacy directoryRoles (no paging, no query options)

const listDirectoryRoles = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readDirectoryRoles)
  return listCollection(ctx, {
    schema: DIRECTORY_ROLE,
    context: "directoryRoles",
    items: (from) => arrayItems(ctx.dir.directoryRoles, from),
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: undefined,
    selectOnly: true
  })
}

const directoryRoleOr404 = (ctx: GraphContext) => {
  const key = ctx.params[0].replace(/^roleTemplateId=/i, "")
  const role = ctx.dir.directoryRoles.find((r) => r.id === key || r.roleTemplateId === key)
  if (role === undefined) throw notFound(key)
  return role
}

const getDirectoryRole = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readDirectoryRoles)
  return singleObject(ctx, DIRECTORY_ROLE, "directoryRoles/$entity", directoryRoleOr404(ctx) as unknown as Record<string, unknown>)
}

const directoryRoleMembers = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readDirectoryRoles)
  const role = directoryRoleOr404(ctx)
  const refs: number[] = []
  for (const id of ctx.dir.directoryRoleMembers(role)) {
    const r = ctx.dir.findLive(id)
    if (r !== undefined) refs.push(encodeRef(r.kind, r.index))
  }
  return listCollection(ctx, { ...refsSpec(ctx, Uint32Array.from(refs).sort(), "directoryObjects", undefined, undefined), selectOnly: true })
}

const RM = "/roleManagement/directory"

export const rolesRoutes = (): Route[] => [
  route("GET", `${RM}/roleDefinitions`, listRoleDefinitions),
  route("GET", `${RM}/roleDefinitions/{id}`, getRoleDefinition),
  route("GET", `${RM}/roleAssignments`, listRoleAssignments),
  route("GET", `${RM}/roleAssignments/{id}`, getRoleAssignment),
  route("POST", `${RM}/roleAssignments`, createRoleAssignment),
  route("DELETE", `${RM}/roleAssignments/{id}`, deleteRoleAssignment),
  route("GET", `${RM}/roleEligibilitySchedules`, listEligibility("roleManagement/directory/roleEligibilitySchedules")),
  route("GET", `${RM}/roleEligibilityScheduleInstances`, listEligibility("roleManagement/directory/roleEligibilityScheduleInstances")),
  route("GET", `${RM}/roleAssignmentSchedules`, listAssignmentSchedules("roleManagement/directory/roleAssignmentSchedules")),
  route("GET", `${RM}/roleAssignmentScheduleInstances`, listAssignmentSchedules("roleManagement/directory/roleAssignmentScheduleInstances")),
  route("POST", `${RM}/roleEligibilityScheduleRequests`, createEligibilityRequest),
  route("GET", `${RM}/roleEligibilityScheduleRequests`, listEligibilityRequests),
  route("GET", "/directoryRoles", listDirectoryRoles),
  route("GET", "/directoryRoles/{id}", getDirectoryRole),
  route("GET", "/directoryRoles/{id}/members", directoryRoleMembers)
]
