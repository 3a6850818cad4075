import { lowerBound } from "../../internal/SortedRefs.ts"
import type { Directory } from "../../tenant/Directory.ts"
import { type AppRoleAssignmentRecord, type DirectoryKind, encodeRef, ODATA_TYPE, refIndex, refKind } from "../../tenant/Records.ts"
import { type ListSpec, listCollection, singleObject } from "../Collection.ts"
import type { GraphContext, GraphResponse } from "../Context.ts"
import { badRequest, GraphError, notFound } from "../GraphError.ts"
import { requireAny } from "../Permissions.ts"
import { APP_ROLE_ASSIGNMENT, DIRECTORY_OBJECT, type EntitySchema, SCHEMA_BY_KIND } from "../Schemas.ts"

/** Graph JSON of any directory object (internal `_` fields are dropped by projection). */
export const objectGraph = (dir: Directory, ref: number): Record<string, unknown> =>
  dir.objectOfRef(ref) as unknown as Record<string, unknown>

export const schemaOfRef = (ref: number): EntitySchema => SCHEMA_BY_KIND[refKind(ref)]

const CAST_KINDS: Record<string, DirectoryKind> = {
  "microsoft.graph.user": "user",
  "microsoft.graph.group": "group",
  "microsoft.graph.serviceprincipal": "servicePrincipal",
  "microsoft.graph.device": "device",
  "microsoft.graph.orgcontact": "orgContact",
  "microsoft.graph.application": "application"
}

/** Directory kind selected by an OData cast segment; 400 for casts Graph does not know. */
export const castKind = (cast: string | undefined): DirectoryKind | undefined => {
  if (cast === undefined) return undefined
  const k = CAST_KINDS[cast.toLowerCase()]
  if (k === undefined) throw new GraphError(400, "BadRequest", `Resource not found for the segment '${cast}'.`)
  return k
}

/** A directoryObject collection (members, owners, memberOf...) over sorted encoded refs. */
export const refsSpec = (
  ctx: GraphContext,
  refs: ArrayLike<number>,
  context: string,
  cast?: DirectoryKind,
  paging: ListSpec<number>["paging"] = { default: 100, max: 999 }
): ListSpec<number> => {
  const dir = ctx.dir
  return {
    schema: cast === undefined ? DIRECTORY_OBJECT : SCHEMA_BY_KIND[cast],
    context: cast === undefined ? context : `${context}/${ODATA_TYPE[cast].slice(1)}`,
    items: function* (from) {
      const arr = refs instanceof Uint32Array ? refs : Uint32Array.from(refs as ArrayLike<number>)
      for (let i = lowerBound(arr, from); i < arr.length; i++) {
        const ref = arr[i]
        if (!dir.isLiveRef(ref)) continue
        if (cast !== undefined && refKind(ref) !== cast) continue
        yield [ref, ref] as const
      }
    },
    toGraph: (ref) => objectGraph(dir, ref),
    idOf: (ref) => dir.idOfRef(ref),
    itemSchema: schemaOfRef,
    odataType: (ref) => ODATA_TYPE[refKind(ref)],
    paging
  }
}

/** Index of a live user addressed by id or userPrincipalName, else 404. */
export const liveUser = (ctx: GraphContext, idOrUpn: string): number => {
  let i = ctx.dir.users.indexOf(idOrUpn)
  if (i < 0 && idOrUpn.includes("@")) i = ctx.dir.userByUpn(idOrUpn)
  if (i < 0 || !ctx.dir.users.isLive(i)) throw notFound(idOrUpn)
  return i
}

export const liveGroup = (ctx: GraphContext, id: string): number => {
  const i = ctx.dir.groups.indexOf(id)
  if (i < 0 || !ctx.dir.groups.isLive(i)) throw notFound(id)
  return i
}

/** Index of a live object of `kind` by id, or by alternate key `appId=...` (applications, servicePrincipals); else 404. */
export const liveIndex = (ctx: GraphContext, kind: DirectoryKind, id: string): number => {
  const t = ctx.dir.table(kind)
  let i = t.indexOf(id)
  const alt = /^appId=(.+)$/i.exec(id)
  if (i < 0 && alt !== null && (kind === "servicePrincipal" || kind === "application")) {
    const appId = alt[1].toLowerCase()
    for (let x = 0; x < t.size && i < 0; x++) if (t.isLive(x) && (t.get(x) as unknown as { appId: string }).appId === appId) i = x
  }
  if (i < 0 || !t.isLive(i)) throw notFound(alt === null ? id : alt[1])
  return i
}

/** Object id referenced by an `@odata.id` body (`https://graph.microsoft.com/v1.0/directoryObjects/{id}`). */
export const odataIdTarget = (body: unknown): string => {
  if (body === null || typeof body !== "object") {
    throw badRequest("An unexpected 'EndOfInput' node was found when reading from the JSON reader. A 'StartObject' node was expected.")
  }
  const raw = (body as Record<string, unknown>)["@odata.id"]
  if (typeof raw !== "string" || raw.trim() === "") throw badRequest("The request body must contain an '@odata.id' property.", "Request_BadRequest")
  const m = /\/([^/()'?]+)(?:'\))?\/?(?:\?.*)?$/.exec(raw.replace(/\('([^']+)'\)$/, "/$1"))
  if (m === null) throw badRequest(`Invalid object identifier '${raw}'.`)
  return decodeURIComponent(m[1])
}

/** Table-backed collection items in index order. */
export function* tableItems<R extends { id: string }>(dir: Directory, kind: DirectoryKind, from: number): Generator<readonly [number, R]> {
  const t = dir.table(kind)
  for (let i = Math.max(0, from); i < t.size; i++) if (t.isLive(i)) yield [i, t.get(i) as R] as const
}

/**
 * The list and get-by-id handlers of a directory table Graph serves as stored (applications,
 * servicePrincipals, devices, contacts): both need one of `perms`; lists page 100 by default, 999 at most.
 */
export const tableRoutes = (kind: DirectoryKind, schema: EntitySchema, context: string, perms: ReadonlyArray<string>) => ({
  list: (ctx: GraphContext): GraphResponse => {
    requireAny(ctx, perms)
    return listCollection(ctx, {
      schema,
      context,
      items: (from) => tableItems<{ id: string }>(ctx.dir, kind, from),
      toGraph: (r) => r as unknown as Record<string, unknown>,
      paging: { default: 100, max: 999 }
    })
  },
  get: (ctx: GraphContext): GraphResponse => {
    requireAny(ctx, perms)
    const i = liveIndex(ctx, kind, ctx.params[0])
    return singleObject(ctx, schema, `${context}/$entity`, ctx.dir.table(kind).get(i) as unknown as Record<string, unknown>)
  }
})

/** Array-backed collection items (key = position). */
export function* arrayItems<R>(arr: ReadonlyArray<R>, from: number): Generator<readonly [number, R]> {
  for (let i = Math.max(0, from); i < arr.length; i++) yield [i, arr[i]] as const
}

export const refOf = (ctx: GraphContext, id: string): number | undefined => {
  const r = ctx.dir.findLive(id)
  return r === undefined ? undefined : encodeRef(r.kind, r.index)
}

/** appRoleAssignment as Graph returns it (display names are computed from the current objects). */
export const assignmentGraph = (ctx: GraphContext, a: AppRoleAssignmentRecord): Record<string, unknown> => ({
  ...a,
  principalDisplayName: ctx.dir.displayNameOf(a.principalId),
  resourceDisplayName: ctx.dir.displayNameOf(a.resourceId)
})

/** An appRoleAssignment collection (appRoleAssignedTo / appRoleAssignments). */
export const listAssignments = (ctx: GraphContext, list: ReadonlyArray<AppRoleAssignmentRecord>, context: string): GraphResponse =>
  listCollection(ctx, {
    schema: APP_ROLE_ASSIGNMENT,
    context,
    items: (from) => arrayItems(list, from),
    toGraph: (a) => assignmentGraph(ctx, a),
    paging: { default: 100, max: 999 }
  })

export { refIndex, refKind }
