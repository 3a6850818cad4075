import { tokenOf } from "../../internal/Random.ts"
import { isoSeconds } from "../../internal/IsoDate.ts"
import type { AppRoleAssignmentRecord, OAuth2PermissionGrantRecord } from "../../tenant/Records.ts"
import { listCollection, project, singleObject } from "../Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, json, noContent } from "../Context.ts"
import { badRequest, notFound } from "../GraphError.ts"
import { PERMS, requireAny } from "../Permissions.ts"
import { route, type Route } from "../Router.ts"
import { APP_ROLE_ASSIGNMENT, APPLICATION, OAUTH2_GRANT, SERVICE_PRINCIPAL } from "../Schemas.ts"
import { arrayItems, assignmentGraph, castKind, listAssignments, liveIndex, refsSpec, tableRoutes } from "./Shared.ts"

const ZERO_GUID = "00000000-0000-0000-0000-000000000000"

const applications = tableRoutes("application", APPLICATION, "applications", PERMS.readApps)
const servicePrincipals = tableRoutes("servicePrincipal", SERVICE_PRINCIPAL, "servicePrincipals", PERMS.readApps)

const applicationOwners = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readApps)
  const i = liveIndex(ctx, "application", ctx.params[0])
  return listCollection(ctx, refsSpec(ctx, ctx.dir.applicationOwners[i] ?? new Uint32Array(), "directoryObjects", castKind(ctx.cast)))
}

const servicePrincipalOwners = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readApps)
  const i = liveIndex(ctx, "servicePrincipal", ctx.params[0])
  return listCollection(ctx, refsSpec(ctx, ctx.dir.servicePrincipalOwners[i] ?? new Uint32Array(), "directoryObjects", castKind(ctx.cast)))
}

const appRoleAssignedTo = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readApps)
  const id = ctx.dir.servicePrincipals.id(liveIndex(ctx, "servicePrincipal", ctx.params[0]))
  return listAssignments(ctx, ctx.dir.appRoleAssignments.filter((a) => a.resourceId === id), `servicePrincipals('${id}')/appRoleAssignedTo`)
}

const spAppRoleAssignments = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readApps)
  const id = ctx.dir.servicePrincipals.id(liveIndex(ctx, "servicePrincipal", ctx.params[0]))
  return listAssignments(ctx, ctx.dir.appRoleAssignments.filter((a) => a.principalId === id), `servicePrincipals('${id}')/appRoleAssignments`)
}

const grantsSpec = (list: ReadonlyArray<OAuth2PermissionGrantRecord>, context: string) => ({
  schema: OAUTH2_GRANT,
  context,
  items: (from: number) => arrayItems(list, from),
  toGraph: (g: OAuth2PermissionGrantRecord) => g as unknown as Record<string, unknown>,
  paging: { default: 100, max: 999 }
})

const listGrants = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGrants)
  return listCollection(ctx, grantsSpec(ctx.dir.oauth2PermissionGrants, "oauth2PermissionGrants"))
}

const getGrant = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGrants)
  const g = ctx.dir.oauth2PermissionGrants.find((x) => x.id === ctx.params[0])
  if (g === undefined) throw notFound(ctx.params[0])
  return singleObject(ctx, OAUTH2_GRANT, "oauth2PermissionGrants/$entity", g as unknown as Record<string, unknown>)
}

const spGrants = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGrants)
  const id = ctx.dir.servicePrincipals.id(liveIndex(ctx, "servicePrincipal", ctx.params[0]))
  return listCollection(ctx, grantsSpec(ctx.dir.oauth2PermissionGrants.filter((g) => g.clientId === id), "oauth2PermissionGrants"))
}

// ------------------------------------------------------------------ app role assignment writes

/** Permissions Graph requires to grant or revoke app roles (both AppRoleAssignment.ReadWrite.All and an app read). */
const requireAssignmentWrite = (ctx: GraphContext): void => {
  requireAny(ctx, PERMS.writeAppRoleAssignments)
  requireAny(ctx, PERMS.readApps)
}

const createAssignment = (ctx: GraphContext, fixed: { resourceId?: string; principalId?: string }): GraphResponse => {
  requireAssignmentWrite(ctx)
  const body = (ctx.req.body ?? {}) as Record<string, unknown>
  const principalId = String(fixed.principalId ?? body.principalId ?? "").toLowerCase()
  const resourceId = String(body.resourceId ?? fixed.resourceId ?? "").toLowerCase()
  const appRoleId = String(body.appRoleId ?? "").toLowerCase()
  if (fixed.resourceId !== undefined && resourceId !== fixed.resourceId.toLowerCase()) {
    throw badRequest("The resourceId in the request body must match the service principal in the request URL.")
  }
  if (fixed.principalId !== undefined && typeof body.principalId === "string" && body.principalId.toLowerCase() !== principalId) {
    throw badRequest("The principalId in the request body must match the principal in the request URL.")
  }
  const rIndex = ctx.dir.servicePrincipals.indexOf(resourceId)
  if (rIndex < 0 || !ctx.dir.servicePrincipals.isLive(rIndex)) throw notFound(resourceId)
  const principal = ctx.dir.findLive(principalId)
  if (principal === undefined || !["user", "group", "servicePrincipal"].includes(principal.kind)) throw notFound(principalId)
  const resource = ctx.dir.servicePrincipals.get(rIndex)
  const role = resource.appRoles.find((r) => r.id.toLowerCase() === appRoleId)
  const memberType = principal.kind === "servicePrincipal" ? "Application" : "User"
  if (appRoleId !== ZERO_GUID && (role === undefined || !role.allowedMemberTypes.includes(memberType))) {
    throw badRequest(`Permission being assigned was not found on application '${resource.appId}'.`)
  }
  if (ctx.dir.appRoleAssignments.some((a) => a.principalId === principalId && a.resourceId === resource.id && a.appRoleId.toLowerCase() === appRoleId)) {
    throw badRequest("Permission being assigned already exists on the object.")
  }
  const rec: AppRoleAssignmentRecord = {
    id: tokenOf(43, Date.now() & 0xffffffff, Math.floor(Math.random() * 2 ** 31)),
    appRoleId,
    principalId,
    principalType: principal.kind === "user" ? "User" : principal.kind === "group" ? "Group" : "ServicePrincipal",
    resourceId: resource.id,
    createdDateTime: isoSeconds(ctx.tenant.now()),
    deletedDateTime: null
  }
  ctx.dir.appRoleAssignments.push(rec)
  return json(201, { "@odata.context": contextUrl(ctx.req, "appRoleAssignments/$entity"), ...project(assignmentGraph(ctx, rec), APP_ROLE_ASSIGNMENT, undefined) })
}

const deleteAssignment = (ctx: GraphContext, match: (a: AppRoleAssignmentRecord) => boolean): GraphResponse => {
  requireAssignmentWrite(ctx)
  const id = ctx.params[1]
  const before = ctx.dir.appRoleAssignments.length
  ctx.dir.appRoleAssignments = ctx.dir.appRoleAssignments.filter((a) => !(a.id === id && match(a)))
  if (ctx.dir.appRoleAssignments.length === before) throw notFound(id)
  return noContent()
}

const spId = (ctx: GraphContext) => ctx.dir.servicePrincipals.id(liveIndex(ctx, "servicePrincipal", ctx.params[0]))
const principalIdOf = (ctx: GraphContext, kind: "user" | "group") => ctx.dir.table(kind).id(liveIndex(ctx, kind, ctx.params[0]))

export const appsRoutes = (): Route[] => [
  route("GET", "/applications", applications.list, { ru: 2 }),
  route("GET", "/applications/{id}", applications.get),
  route("GET", "/applications/{id}/owners", applicationOwners),
  route("GET", "/servicePrincipals", servicePrincipals.list),
  route("GET", "/servicePrincipals/{id}", servicePrincipals.get),
  route("GET", "/servicePrincipals/{id}/owners", servicePrincipalOwners),
  route("GET", "/servicePrincipals/{id}/appRoleAssignedTo", appRoleAssignedTo),
  route("GET", "/servicePrincipals/{id}/appRoleAssignments", spAppRoleAssignments, { ru: 2 }),
  route("GET", "/servicePrincipals/{id}/oauth2PermissionGrants", spGrants, { ru: 2 }),
  route("GET", "/oauth2PermissionGrants", listGrants, { ru: 2 }),
  route("GET", "/oauth2PermissionGrants/{id}", getGrant, { ru: 2 }),
  route("POST", "/servicePrincipals/{id}/appRoleAssignedTo", (ctx) => createAssignment(ctx, { resourceId: spId(ctx) })),
  route("DELETE", "/servicePrincipals/{id}/appRoleAssignedTo/{id}", (ctx) => deleteAssignment(ctx, (a) => a.resourceId === spId(ctx))),
  route("POST", "/servicePrincipals/{id}/appRoleAssignments", (ctx) => createAssignment(ctx, { principalId: spId(ctx) })),
  route("DELETE", "/servicePrincipals/{id}/appRoleAssignments/{id}", (ctx) => deleteAssignment(ctx, (a) => a.principalId === spId(ctx))),
  route("POST", "/users/{id}/appRoleAssignments", (ctx) => createAssignment(ctx, { principalId: principalIdOf(ctx, "user") })),
  route("DELETE", "/users/{id}/appRoleAssignments/{id}", (ctx) => deleteAssignment(ctx, (a) => a.principalId === principalIdOf(ctx, "user"))),
  route("POST", "/groups/{id}/appRoleAssignments", (ctx) => createAssignment(ctx, { principalId: principalIdOf(ctx, "group") })),
  route("DELETE", "/groups/{id}/appRoleAssignments/{id}", (ctx) => deleteAssignment(ctx, (a) => a.principalId === principalIdOf(ctx, "group")))
]
