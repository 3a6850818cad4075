import { newGroup } from "../../tenant/ObjectFactory.ts"
import { encodeRef, type GroupRecord, ODATA_TYPE, refKind } from "../../tenant/Records.ts"
import { countCollection, type ListSpec, listCollection, project, singleObject } from "../Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, json, noContent } from "../Context.ts"
import { badRequest, denied, GraphError, notFound } from "../GraphError.ts"
import { lookupValues } from "../ODataFilter.ts"
import { PERMS, requireAny } from "../Permissions.ts"
import { type ExpandItem, validateSelect } from "../Query.ts"
import { route, type Route } from "../Router.ts"
import { DIRECTORY_OBJECT, GROUP } from "../Schemas.ts"
import { castKind, listAssignments, liveGroup, objectGraph, odataIdTarget, refOf, refsSpec, schemaOfRef, tableItems } from "./Shared.ts"

const ON_PREM_MASTERED = "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
const EXPAND_LIMIT = 20

const refsExpander = (ctx: GraphContext, list: Uint32Array[]) => (g: GroupRecord, e: ExpandItem): unknown => {
  const index = ctx.dir.groups.indexOf(g.id)
  const sel = e.select === undefined ? undefined : validateSelect(DIRECTORY_OBJECT, e.select, true)
  return ctx.dir
    .owners(list, index)
    .slice(0, EXPAND_LIMIT)
    .map((r) => ({ "@odata.type": ODATA_TYPE[refKind(r)], ...project(objectGraph(ctx.dir, r), schemaOfRef(r), sel) }))
}

export const groupsSpec = (ctx: GraphContext): ListSpec<GroupRecord> => ({
  schema: GROUP,
  context: "groups",
  items: (from) => tableItems<GroupRecord>(ctx.dir, "group", from),
  toGraph: (g) => g as unknown as Record<string, unknown>,
  paging: { default: 100, max: 999 },
  expand: { members: refsExpander(ctx, ctx.dir.groupMembers), owners: refsExpander(ctx, ctx.dir.groupOwners) },
  candidates: (f) => lookupValues(f, GROUP_KEYS)?.map(({ value }) => ctx.dir.groups.indexOf(value)).filter((i) => i >= 0),
  itemAt: (i) => (ctx.dir.groups.isLive(i) ? ctx.dir.groups.get(i) : undefined)
})

const GROUP_KEYS: ReadonlySet<string> = new Set(["id"])

const listGroups = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGroups)
  return listCollection(ctx, groupsSpec(ctx))
}

const countGroups = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGroups)
  return countCollection(ctx, groupsSpec(ctx))
}

const getGroup = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGroups)
  const g = ctx.dir.groups.get(liveGroup(ctx, ctx.params[0]))
  const spec = groupsSpec(ctx)
  return singleObject(ctx, GROUP, "groups/$entity", g as unknown as Record<string, unknown>, {
    members: (e) => spec.expand!.members(g, e),
    owners: (e) => spec.expand!.owners(g, e)
  })
}

const members = (transitive: boolean, count = false) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readMembers)
  const g = liveGroup(ctx, ctx.params[0])
  const refs = transitive ? ctx.dir.transitiveMembers(g) : (ctx.dir.groupMembers[g] ?? new Uint32Array())
  const spec = refsSpec(ctx, refs, "directoryObjects", castKind(ctx.cast))
  return count ? countCollection(ctx, spec) : listCollection(ctx, spec)
}

const owners = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, [...PERMS.readGroups, ...PERMS.readMembers])
  const g = liveGroup(ctx, ctx.params[0])
  return listCollection(ctx, refsSpec(ctx, ctx.dir.groupOwners[g] ?? new Uint32Array(), "directoryObjects", castKind(ctx.cast)))
}

const groupMemberOf = (transitive: boolean) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readGroups)
  const ref = encodeRef("group", liveGroup(ctx, ctx.params[0]))
  const groups = transitive ? ctx.dir.transitiveMemberOf(ref) : ctx.dir.memberOf(ref)
  return listCollection(ctx, refsSpec(ctx, Uint32Array.from(groups.map((g) => encodeRef("group", g))).sort(), "directoryObjects", castKind(ctx.cast)))
}

const groupAppRoleAssignments = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, [...PERMS.readGroups, ...PERMS.readApps])
  const id = ctx.dir.groups.id(liveGroup(ctx, ctx.params[0]))
  return listAssignments(ctx, ctx.dir.appRoleAssignments.filter((a) => a.principalId === id), `groups('${id}')/appRoleAssignments`)
}

// ------------------------------------------------------------------ writes

const bodyObject = (body: unknown): Record<string, unknown> => {
  if (body === null || body === undefined || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("An unexpected 'EndOfInput' node was found when reading from the JSON reader. A 'StartObject' node was expected.")
  }
  return body as Record<string, unknown>
}

const isDynamic = (g: GroupRecord) => g.groupTypes.includes("DynamicMembership")
const isUnified = (g: GroupRecord) => g.groupTypes.includes("Unified")

/** Membership-change preconditions shared by add and remove. */
const guardMembershipChange = (ctx: GraphContext, g: GroupRecord): void => {
  requireAny(ctx, PERMS.writeMembers)
  if (g.isAssignableToRole === true) requireAny(ctx, PERMS.writeRoles)
  if (isDynamic(g)) throw denied()
  if (g.onPremisesSyncEnabled === true) throw badRequest(ON_PREM_MASTERED)
}

/** Checks that `ref` may become a member of group `g` (type rules of Entra groups). */
const checkMemberType = (ctx: GraphContext, gIndex: number, g: GroupRecord, ref: number): void => {
  const kind = refKind(ref)
  if (kind === "application" || kind === "administrativeUnit") throw badRequest(`Resource '${ctx.dir.idOfRef(ref)}' cannot be added as a group member.`)
  if (isUnified(g) && kind !== "user") throw badRequest("Only users can be added as members of a Microsoft 365 group.")
  if (g.isAssignableToRole === true && kind === "group") throw badRequest("Nesting is currently not supported for groups that can be assigned to a role.")
  if (kind === "group" && ref === encodeRef("group", gIndex)) throw badRequest("A group cannot be a member of itself.")
}

const addMember = (ctx: GraphContext): GraphResponse => {
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  guardMembershipChange(ctx, g)
  const targetId = odataIdTarget(ctx.req.body)
  const ref = refOf(ctx, targetId)
  if (ref === undefined) throw notFound(targetId)
  checkMemberType(ctx, gIndex, g, ref)
  if (!ctx.dir.addMember(gIndex, ref)) {
    throw badRequest("One or more added object references already exist for the following modified properties: 'members'.")
  }
  return noContent()
}

const removeMemberRef = (ctx: GraphContext): GraphResponse => {
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  guardMembershipChange(ctx, g)
  const memberId = ctx.params[1]
  const ref = refOf(ctx, memberId)
  if (ref === undefined || !ctx.dir.isMember(gIndex, ref)) throw notFound(memberId)
  ctx.dir.removeMember(gIndex, ref)
  return noContent()
}

/**
 * DELETE /groups/{id}/members/{memberId} without /$ref deletes the member object itself (Graph's
 * documented trap): allowed only when the app may delete that kind of object, else 403.
 */
const deleteMemberObject = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeMembers)
  const gIndex = liveGroup(ctx, ctx.params[0])
  const memberId = ctx.params[1]
  const ref = refOf(ctx, memberId)
  if (ref === undefined || !ctx.dir.isMember(gIndex, ref)) throw notFound(memberId)
  const found = ctx.dir.findLive(memberId)!
  switch (found.kind) {
    case "user":
      requireAny(ctx, PERMS.writeUsers)
      if (ctx.dir.isPrivilegedTarget(found.index) && !ctx.dir.canActOnPrivileged(ctx.caller.servicePrincipalId)) throw denied()
      ctx.dir.softDeleteUser(found.index)
      break
    case "group": {
      requireAny(ctx, PERMS.writeGroups)
      const child = ctx.dir.groups.get(found.index)
      if (child.isAssignableToRole === true) requireAny(ctx, PERMS.writeRoles)
      if (isUnified(child)) ctx.dir.softDeleteGroup(found.index)
      else ctx.dir.purge("group", found.index)
      break
    }
    case "servicePrincipal":
      requireAny(ctx, PERMS.writeApps)
      ctx.dir.purge("servicePrincipal", found.index)
      break
    case "device":
      requireAny(ctx, PERMS.writeDevices)
      ctx.dir.purge("device", found.index)
      break
    default:
      requireAny(ctx, ["Directory.ReadWrite.All"])
      ctx.dir.purge(found.kind, found.index)
  }
  return noContent()
}

const MAX_OWNERS = 100

const addOwner = (ctx: GraphContext): GraphResponse => {
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  requireAny(ctx, PERMS.writeMembers)
  if (g.isAssignableToRole === true) requireAny(ctx, PERMS.writeRoles)
  const targetId = odataIdTarget(ctx.req.body)
  const ref = refOf(ctx, targetId)
  if (ref === undefined) throw notFound(targetId)
  const kind = refKind(ref)
  if (kind !== "user" && kind !== "servicePrincipal") throw badRequest("Only users and service principals can be owners of a group.")
  if (ctx.dir.owners(ctx.dir.groupOwners, gIndex).length >= MAX_OWNERS) throw badRequest("The maximum number of owners (100) for this group has been reached.")
  if (!ctx.dir.addOwner(ctx.dir.groupOwners, gIndex, ref)) {
    throw badRequest("One or more added object references already exist for the following modified properties: 'owners'.")
  }
  return noContent()
}

const removeOwner = (ctx: GraphContext): GraphResponse => {
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  requireAny(ctx, PERMS.writeMembers)
  if (g.isAssignableToRole === true) requireAny(ctx, PERMS.writeRoles)
  const ref = refOf(ctx, ctx.params[1])
  if (ref === undefined || !ctx.dir.removeOwner(ctx.dir.groupOwners, gIndex, ref)) throw notFound(ctx.params[1])
  return noContent()
}

const bindList = (ctx: GraphContext, value: unknown, prop: string): number[] => {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw badRequest(`Invalid value specified for property '${prop}' of resource 'Group'.`)
  return value.map((v) => {
    const id = odataIdTarget({ "@odata.id": v })
    const ref = refOf(ctx, id)
    if (ref === undefined) throw notFound(id)
    return ref
  })
}

const GROUP_WRITABLE = new Set(["displayName", "description", "mailEnabled", "mailNickname", "securityEnabled", "groupTypes", "membershipRule", "membershipRuleProcessingState", "isAssignableToRole", "visibility", "classification", "preferredDataLocation", "preferredLanguage", "theme", "resourceBehaviorOptions", "resourceProvisioningOptions"])

const createGroup = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.createGroups)
  const body = bodyObject(ctx.req.body)
  for (const p of ["displayName", "mailEnabled", "mailNickname", "securityEnabled"]) {
    if (body[p] === undefined || body[p] === null || body[p] === "") throw badRequest(`Invalid value specified for property '${p}' of resource 'Group'.`)
  }
  for (const k of Object.keys(body)) {
    if (k === "owners@odata.bind" || k === "members@odata.bind" || k.startsWith("@")) continue
    if (!GROUP_WRITABLE.has(k)) throw new GraphError(400, "BadRequest", `The property '${k}' does not exist on type 'microsoft.graph.group'. Make sure to only use property names that are defined by the type or mark the type as open type.`)
  }
  const groupTypes = Array.isArray(body.groupTypes) ? (body.groupTypes as string[]) : []
  const dynamic = groupTypes.includes("DynamicMembership")
  if (dynamic && (typeof body.membershipRule !== "string" || body.membershipRule === "")) throw badRequest("Invalid value specified for property 'membershipRule' of resource 'Group'.")
  if (body.isAssignableToRole === true) {
    requireAny(ctx, PERMS.writeRoles)
    if (body.securityEnabled !== true || dynamic) throw badRequest("Role-assignable groups must be security enabled and cannot have dynamic membership.")
  }
  const ownersRefs = bindList(ctx, body["owners@odata.bind"], "owners@odata.bind")
  const memberRefs = bindList(ctx, body["members@odata.bind"], "members@odata.bind")
  if (ownersRefs.length + memberRefs.length > 20) throw badRequest("A maximum of 20 owners and members combined can be added when creating a group.")
  if (dynamic && memberRefs.length > 0) throw badRequest("Members cannot be added to a group with dynamic membership.")
  if (new Set(memberRefs).size !== memberRefs.length) throw badRequest("Object references can only be present once as an add/remove change.")
  const props: Record<string, unknown> = {}
  for (const k of Object.keys(body)) if (GROUP_WRITABLE.has(k)) props[k] = body[k]
  const unified = groupTypes.includes("Unified")
  const rec = newGroup(
    {
      ...(props as Partial<GroupRecord>),
      displayName: String(body.displayName),
      mail: body.mailEnabled === true ? `${String(body.mailNickname)}@${ctx.tenant.domain}` : null,
      visibility: body.isAssignableToRole === true ? "Private" : ((props.visibility as string | undefined) ?? (unified ? "Public" : null)),
      membershipRuleProcessingState: dynamic ? ((props.membershipRuleProcessingState as string | undefined) ?? "On") : null,
      isAssignableToRole: body.isAssignableToRole === true ? true : null
    },
    ctx.tenant.now()
  )
  const g = ctx.dir.createGroup(rec)
  for (const r of ownersRefs) ctx.dir.addOwner(ctx.dir.groupOwners, g, r)
  for (const r of memberRefs) ctx.dir.addMember(g, r)
  return json(201, { "@odata.context": contextUrl(ctx.req, "groups/$entity"), ...project(ctx.dir.groups.get(g) as unknown as Record<string, unknown>, GROUP, undefined) })
}

const updateGroup = (ctx: GraphContext): GraphResponse => {
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  const body = bodyObject(ctx.req.body)
  const memberRefs = bindList(ctx, body["members@odata.bind"], "members@odata.bind")
  const ownerRefs = bindList(ctx, body["owners@odata.bind"], "owners@odata.bind")
  const props = Object.keys(body).filter((k) => k !== "members@odata.bind" && k !== "owners@odata.bind" && !k.startsWith("@"))
  if (props.length > 0 || ownerRefs.length > 0) requireAny(ctx, PERMS.writeGroups)
  if (memberRefs.length > 0) guardMembershipChange(ctx, g)
  if (memberRefs.length > 20) throw badRequest("A maximum of 20 members can be added in a single request.")
  if (new Set(memberRefs).size !== memberRefs.length) throw badRequest("Object references can only be present once as an add/remove change.")
  for (const k of props) {
    if (k === "isAssignableToRole") throw badRequest("Property 'isAssignableToRole' is read-only and cannot be set.")
    if (!GROUP_WRITABLE.has(k)) throw new GraphError(400, "BadRequest", `The property '${k}' does not exist on type 'microsoft.graph.group'. Make sure to only use property names that are defined by the type or mark the type as open type.`)
  }
  if (g.onPremisesSyncEnabled === true && props.length > 0) throw badRequest(ON_PREM_MASTERED)
  // All-or-nothing, as Graph does for members@odata.bind.
  for (const r of memberRefs) {
    checkMemberType(ctx, gIndex, g, r)
    if (ctx.dir.isMember(gIndex, r)) throw badRequest("One or more added object references already exist for the following modified properties: 'members'.")
  }
  if (props.length > 0) {
    const patch: Record<string, unknown> = {}
    for (const k of props) patch[k] = body[k]
    ctx.dir.updateGroup(gIndex, patch as Partial<GroupRecord>)
  }
  for (const r of memberRefs) ctx.dir.addMember(gIndex, r)
  for (const r of ownerRefs) ctx.dir.addOwner(ctx.dir.groupOwners, gIndex, r)
  return noContent()
}

const deleteGroup = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeGroups)
  const gIndex = liveGroup(ctx, ctx.params[0])
  const g = ctx.dir.groups.get(gIndex)
  if (g.isAssignableToRole === true) requireAny(ctx, PERMS.writeRoles)
  // Microsoft 365 groups are soft-deleted for 30 days; security and distribution groups are gone at once.
  if (isUnified(g)) ctx.dir.softDeleteGroup(gIndex)
  else ctx.dir.purge("group", gIndex)
  return noContent()
}

export const groupsRoutes = (delta: (ctx: GraphContext) => GraphResponse): Route[] => [
  route("GET", "/groups", listGroups),
  route("GET", "/groups/$count", countGroups),
  route("GET", "/groups/delta", delta),
  route("GET", "/groups/{id}", getGroup),
  route("GET", "/groups/{id}/members", members(false), { ru: 3 }),
  route("GET", "/groups/{id}/members/{cast}", members(false), { ru: 3 }),
  route("GET", "/groups/{id}/members/$count", members(false, true), { ru: 3 }),
  route("GET", "/groups/{id}/members/{cast}/$count", members(false, true), { ru: 3 }),
  route("GET", "/groups/{id}/transitiveMembers", members(true), { ru: 5 }),
  route("GET", "/groups/{id}/transitiveMembers/{cast}", members(true), { ru: 5 }),
  route("GET", "/groups/{id}/transitiveMembers/$count", members(true, true), { ru: 5 }),
  route("GET", "/groups/{id}/transitiveMembers/{cast}/$count", members(true, true), { ru: 5 }),
  route("GET", "/groups/{id}/owners", owners),
  route("GET", "/groups/{id}/owners/{cast}", owners),
  route("GET", "/groups/{id}/memberOf", groupMemberOf(false), { ru: 2 }),
  route("GET", "/groups/{id}/transitiveMemberOf", groupMemberOf(true), { ru: 2 }),
  route("GET", "/groups/{id}/appRoleAssignments", groupAppRoleAssignments, { ru: 2 }),
  route("POST", "/groups", createGroup),
  route("PATCH", "/groups/{id}", updateGroup),
  route("DELETE", "/groups/{id}", deleteGroup),
  route("POST", "/groups/{id}/members/$ref", addMember),
  route("DELETE", "/groups/{id}/members/{id}/$ref", removeMemberRef),
  route("DELETE", "/groups/{id}/members/{id}", deleteMemberObject),
  route("POST", "/groups/{id}/owners/$ref", addOwner),
  route("DELETE", "/groups/{id}/owners/{id}/$ref", removeOwner)
]

