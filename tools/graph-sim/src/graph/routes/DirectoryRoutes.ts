import { scopedRoleMemberships } from "../../tenant/GroundTruth.ts"
import { skuIds } from "../../tenant/Generator.ts"
import { type AdministrativeUnitRecord, type DirectoryKind, encodeRef, ODATA_TYPE, refKind } from "../../tenant/Records.ts"
import { LIVE, SOFT_DELETED } from "../../tenant/Table.ts"
import { countCollection, listCollection, singleObject } from "../Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, json, noContent } from "../Context.ts"
import { badRequest, notFound } from "../GraphError.ts"
import { PERMS, requireAny } from "../Permissions.ts"
import { route, type Route } from "../Router.ts"
import { ADMINISTRATIVE_UNIT, DEVICE, ORG_CONTACT, ORGANIZATION, SCHEMA_BY_KIND, SCOPED_ROLE_MEMBERSHIP, SUBSCRIBED_SKU } from "../Schemas.ts"
import { arrayItems, castKind, liveIndex, objectGraph, odataIdTarget, refOf, refsSpec, tableItems, tableRoutes } from "./Shared.ts"

// ------------------------------------------------------------------ administrative units

const aus = tableRoutes("administrativeUnit", ADMINISTRATIVE_UNIT, "directory/administrativeUnits", PERMS.readAdministrativeUnits)

const auMembers = (count: boolean) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readAdministrativeUnits)
  const a = liveIndex(ctx, "administrativeUnit", ctx.params[0])
  const spec = refsSpec(ctx, ctx.dir.auMembers[a] ?? new Uint32Array(), "directoryObjects", castKind(ctx.cast))
  return count ? countCollection(ctx, spec) : listCollection(ctx, spec)
}

const addAuMember = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeAdministrativeUnits)
  const a = liveIndex(ctx, "administrativeUnit", ctx.params[0])
  const id = odataIdTarget(ctx.req.body)
  const ref = refOf(ctx, id)
  if (ref === undefined) throw notFound(id)
  if (!["user", "group", "device"].includes(refKind(ref))) throw badRequest("Only users, groups and devices can be members of an administrative unit.")
  if (!ctx.dir.addOwner(ctx.dir.auMembers, a, ref)) {
    throw badRequest("One or more added object references already exist for the following modified properties: 'members'.")
  }
  return noContent()
}

const removeAuMember = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.writeAdministrativeUnits)
  const a = liveIndex(ctx, "administrativeUnit", ctx.params[0])
  const ref = refOf(ctx, ctx.params[1])
  if (ref === undefined || !ctx.dir.removeOwner(ctx.dir.auMembers, a, ref)) throw notFound(ctx.params[1])
  return noContent()
}

const scopedRoleMembers = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRoles)
  const a = liveIndex(ctx, "administrativeUnit", ctx.params[0])
  const list = scopedRoleMemberships(ctx.dir, ctx.dir.administrativeUnits.id(a))
  return listCollection(ctx, {
    schema: SCOPED_ROLE_MEMBERSHIP,
    context: `directory/administrativeUnits('${ctx.params[0]}')/scopedRoleMembers`,
    items: (from) => arrayItems(list, from),
    toGraph: (s) => s as unknown as Record<string, unknown>,
    paging: { default: 100, max: 999 }
  })
}

// ------------------------------------------------------------------ deleted items

const DELETED_KINDS: ReadonlyArray<DirectoryKind> = ["user", "group"]

const deletedList = (ctx: GraphContext): GraphResponse => {
  const kind = castKind(ctx.cast)
  if (kind === undefined || !DELETED_KINDS.includes(kind)) throw badRequest(`Resource not found for the segment '${ctx.cast ?? ""}'.`, "BadRequest")
  requireAny(ctx, kind === "user" ? PERMS.readUsers : PERMS.readGroups)
  const table = ctx.dir.table(kind)
  return listCollection(ctx, {
    schema: SCHEMA_BY_KIND[kind],
    context: `directory/deletedItems/${ODATA_TYPE[kind].slice(1)}`,
    items: function* (from) {
      for (let i = Math.max(0, from); i < table.size; i++) if (table.state(i) === SOFT_DELETED) yield [i, table.get(i)] as const
    },
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: { default: 100, max: 999 }
  })
}

const deletedRef = (ctx: GraphContext): { kind: DirectoryKind; index: number } => {
  const r = ctx.dir.find(ctx.params[0])
  if (r === undefined || !DELETED_KINDS.includes(r.kind) || ctx.dir.table(r.kind).state(r.index) !== SOFT_DELETED) throw notFound(ctx.params[0])
  return r
}

const getDeleted = (ctx: GraphContext): GraphResponse => {
  const r = deletedRef(ctx)
  requireAny(ctx, r.kind === "user" ? PERMS.readUsers : PERMS.readGroups)
  return singleObject(ctx, SCHEMA_BY_KIND[r.kind], "directoryObjects/$entity", objectGraph(ctx.dir, encodeRef(r.kind, r.index)), {}, ODATA_TYPE[r.kind])
}

const restoreDeleted = (ctx: GraphContext): GraphResponse => {
  const r = deletedRef(ctx)
  if (r.kind === "user") {
    requireAny(ctx, PERMS.writeUsers)
    const u = ctx.dir.users.get(r.index)
    const clash = ctx.dir.userByUpn(u.userPrincipalName)
    if (clash >= 0 && clash !== r.index && ctx.dir.users.state(clash) === LIVE) {
      throw badRequest("Another object with the same value for property userPrincipalName already exists.")
    }
    ctx.dir.restoreUser(r.index)
  } else {
    requireAny(ctx, PERMS.writeGroups)
    ctx.dir.restoreGroup(r.index)
  }
  return json(200, { "@odata.context": contextUrl(ctx.req, "directoryObjects/$entity"), "@odata.type": ODATA_TYPE[r.kind], ...objectGraphProjected(ctx, r.kind, r.index) })
}

const objectGraphProjected = (ctx: GraphContext, kind: DirectoryKind, index: number): Record<string, unknown> => {
  const schema = SCHEMA_BY_KIND[kind]
  const full = objectGraph(ctx.dir, encodeRef(kind, index))
  const out: Record<string, unknown> = {}
  for (const p of schema.defaults) out[p] = full[p] ?? null
  return out
}

const purgeDeleted = (ctx: GraphContext): GraphResponse => {
  const r = deletedRef(ctx)
  requireAny(ctx, r.kind === "user" ? PERMS.writeUsers : PERMS.writeGroups)
  ctx.dir.purge(r.kind, r.index)
  return noContent()
}

// ------------------------------------------------------------------ organization, SKUs, devices, contacts, directoryObjects

const listOrganization = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readOrganization)
  return listCollection(ctx, {
    schema: ORGANIZATION,
    context: "organization",
    items: (from) => arrayItems([ctx.dir.organization], from),
    toGraph: (o) => o as unknown as Record<string, unknown>,
    paging: undefined
  })
}

const getOrganization = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readOrganization)
  if (ctx.params[0].toLowerCase() !== ctx.dir.organization.id) throw notFound(ctx.params[0])
  return singleObject(ctx, ORGANIZATION, "organization/$entity", ctx.dir.organization as unknown as Record<string, unknown>)
}

const subscribedSkus = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readOrganization)
  const users = ctx.dir.users.live
  const sku = (skuId: string, part: string, units: number) => ({
    accountName: ctx.tenant.displayName,
    accountId: ctx.tenant.tenantId,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    consumedUnits: Math.min(units, users),
    id: `${ctx.tenant.tenantId}_${skuId}`,
    skuId,
    skuPartNumber: part,
    subscriptionIds: [],
    prepaidUnits: { enabled: units, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: []
  })
  const list = [sku(skuIds.SKU_ENTERPRISEPACK, "ENTERPRISEPACK", users)]
  if (ctx.tenant.license === "P1") list.push(sku(skuIds.SKU_AAD_PREMIUM, "AAD_PREMIUM", users))
  if (ctx.tenant.license === "P2") list.push(sku(skuIds.SKU_AAD_PREMIUM_P2, "AAD_PREMIUM_P2", users))
  return listCollection(ctx, {
    schema: SUBSCRIBED_SKU,
    context: "subscribedSkus",
    items: (from) => arrayItems(list, from),
    toGraph: (s) => s,
    paging: undefined
  })
}

const devices = tableRoutes("device", DEVICE, "devices", PERMS.readDevices)
const contacts = tableRoutes("orgContact", ORG_CONTACT, "contacts", PERMS.readContacts)

const getDirectoryObject = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, ["Directory.Read.All", "Directory.ReadWrite.All", ...PERMS.readUsers])
  const r = ctx.dir.findLive(ctx.params[0])
  if (r === undefined) throw notFound(ctx.params[0])
  return singleObject(ctx, SCHEMA_BY_KIND[r.kind], "directoryObjects/$entity", objectGraph(ctx.dir, encodeRef(r.kind, r.index)), {}, ODATA_TYPE[r.kind])
}

const getByIds = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, ["Directory.Read.All", "Directory.ReadWrite.All", ...PERMS.readUsers])
  const body = (ctx.req.body ?? {}) as { ids?: unknown; types?: unknown }
  if (!Array.isArray(body.ids)) throw badRequest("Invalid value specified for property 'ids' of resource 'DirectoryObject'.")
  if (body.ids.length > 1000) throw badRequest("The number of ids exceeds the limit of 1000.")
  const types = Array.isArray(body.types) ? new Set((body.types as string[]).map((t) => t.toLowerCase())) : undefined
  const refs: number[] = []
  for (const id of body.ids as string[]) {
    const r = ctx.dir.findLive(String(id))
    if (r === undefined || (types !== undefined && !types.has(r.kind.toLowerCase()))) continue
    refs.push(encodeRef(r.kind, r.index))
  }
  return json(200, {
    "@odata.context": contextUrl(ctx.req, "directoryObjects"),
    value: refs.map((ref) => {
      const schema = SCHEMA_BY_KIND[refKind(ref)]
      const full = objectGraph(ctx.dir, ref)
      const out: Record<string, unknown> = { "@odata.type": ODATA_TYPE[refKind(ref)] }
      for (const p of schema.defaults) out[p] = full[p] ?? null
      return out
    })
  })
}

const AU = "/directory/administrativeUnits"
const AU2 = "/administrativeUnits"

export const directoryRoutes = (): Route[] => [
  ...[AU, AU2].flatMap((base) => [
    route("GET", base, aus.list),
    route("GET", `${base}/{id}`, aus.get),
    route("GET", `${base}/{id}/members`, auMembers(false)),
    route("GET", `${base}/{id}/members/{cast}`, auMembers(false)),
    route("GET", `${base}/{id}/members/$count`, auMembers(true)),
    route("POST", `${base}/{id}/members/$ref`, addAuMember),
    route("DELETE", `${base}/{id}/members/{id}/$ref`, removeAuMember),
    route("GET", `${base}/{id}/scopedRoleMembers`, scopedRoleMembers)
  ]),
  route("GET", "/directory/deletedItems/{cast}", deletedList),
  route("GET", "/directory/deletedItems/{id}", getDeleted),
  route("POST", "/directory/deletedItems/{id}/restore", restoreDeleted),
  route("DELETE", "/directory/deletedItems/{id}", purgeDeleted),
  route("GET", "/organization", listOrganization),
  route("GET", "/organization/{id}", getOrganization),
  route("GET", "/subscribedSkus", subscribedSkus, { ru: 3 }),
  route("GET", "/devices", devices.list),
  route("GET", "/devices/{id}", devices.get),
  route("GET", "/contacts", contacts.list),
  route("GET", "/contacts/{id}", contacts.get),
  route("GET", "/directoryObjects/{id}", getDirectoryObject),
  route("POST", "/directoryObjects/getByIds", getByIds, { ru: 3, limit: "read" })
]

