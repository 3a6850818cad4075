import type { Directory } from "../tenant/Directory.ts"
import { ODATA_TYPE, refKind } from "../tenant/Records.ts"
import { LIVE, PURGED } from "../tenant/Table.ts"
import { project } from "./Collection.ts"
import { contextUrl, type GraphContext, type GraphResponse, graphUrl, json } from "./Context.ts"
import { badRequest, GraphError, unsupportedQuery } from "./GraphError.ts"
import { idOnlyFilter } from "./ODataFilter.ts"
import { PERMS, requireAny } from "./Permissions.ts"
import { decodeToken, encodeToken, parseQuery, validateSelect } from "./Query.ts"
import { GROUP, USER } from "./Schemas.ts"

type Resource = "users" | "groups"

/** State carried by a deltaLink: where the next round starts. */
interface DeltaToken {
  readonly r: Resource
  /** Directory version the next round's changes start after. */
  readonly v: number
  /** $select of the first request (null = default properties). */
  readonly s: ReadonlyArray<string> | null
  /** id filter of the first request. */
  readonly f: ReadonlyArray<string> | null
  /** Issue time on the tenant clock (ms). */
  readonly t: number
  /** Tenant delta epoch the token belongs to. */
  readonly e: number
}

/** State carried by a nextLink inside a round. */
interface RoundToken extends DeltaToken {
  /** "i" = initial enumeration, "c" = changes since `from`. */
  readonly p: "i" | "c"
  /** Base version of a change round. */
  readonly from: number
  /** Initial: next object index; changes: position in the changed-object list. */
  readonly c: number
  /** Offset into the current group's members@delta list (large groups span pages). */
  readonly m: number
}

const DELTA_TOKEN_LIFETIME_MS = 7 * 86_400_000
const DEFAULT_PAGE = 100
const MEMBERS_PER_OBJECT_SLOT = 10
const MAX_FILTER_IDS = 50

const syncStateNotFound = (): GraphError =>
  new GraphError(400, "syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.")

const maxPageSize = (ctx: GraphContext): number => {
  const prefer = ctx.req.headers.get("prefer") ?? ""
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer)
  return m === null ? DEFAULT_PAGE : Math.max(1, Math.min(999, Number(m[1])))
}

const preferMinimal = (ctx: GraphContext): boolean => /return\s*=\s*minimal/i.test(ctx.req.headers.get("prefer") ?? "")

const tracksMembers = (t: DeltaToken): boolean => t.r === "groups" && (t.s ?? []).some((s) => s.toLowerCase() === "members")
const tracksManager = (t: DeltaToken): boolean => t.r === "users" && (t.s ?? []).some((s) => s.toLowerCase() === "manager")

/** Properties a round reports (navigation properties are handled separately). */
const reportedProps = (t: DeltaToken): string[] => {
  const schema = t.r === "users" ? USER : GROUP
  if (t.s === null) return [...schema.defaults]
  const props = t.s.filter((s) => s.toLowerCase() !== "members" && s.toLowerCase() !== "manager")
  return props.includes("id") ? props : ["id", ...props]
}

interface ChangedObject {
  readonly index: number
  readonly whole: boolean
  readonly props: ReadonlySet<string>
  readonly members: ReadonlyArray<number>
  readonly manager: boolean
}

/** Objects changed in (from, to], aggregated per object, filtered to what the token tracks. */
const changedObjects = (dir: Directory, t: DeltaToken, from: number, to: number): ChangedObject[] => {
  const kind = t.r === "users" ? "user" : "group"
  const agg = new Map<number, { whole: boolean; props: Set<string>; members: Set<number>; manager: boolean }>()
  for (const c of dir.changesBetween(from, to)) {
    if (c.kind !== kind) continue
    let a = agg.get(c.index)
    if (a === undefined) {
      a = { whole: false, props: new Set(), members: new Set(), manager: false }
      agg.set(c.index, a)
    }
    if (c.props === null) a.whole = true
    else for (const p of c.props) (p === "manager" ? (a.manager = true) : a.props.add(p))
    if (c.memberRef !== undefined) a.members.add(c.memberRef)
  }
  const tracked = new Set(reportedProps(t))
  const ids = t.f === null ? undefined : new Set(t.f.map((x) => x.toLowerCase()))
  const table = kind === "user" ? dir.users : dir.groups
  const out: ChangedObject[] = []
  for (const [index, a] of [...agg.entries()].sort((x, y) => x[0] - y[0])) {
    if (ids !== undefined && !ids.has(table.id(index))) continue
    const propHit = [...a.props].some((p) => tracked.has(p))
    const memberHit = a.members.size > 0 && tracksMembers(t)
    const managerHit = a.manager && tracksManager(t)
    if (!a.whole && !propHit && !memberHit && !managerHit) continue
    out.push({ index, whole: a.whole, props: a.props, members: [...a.members].sort((x, y) => x - y), manager: managerHit })
  }
  return out
}

const memberEntry = (dir: Directory, ref: number, removed: boolean): Record<string, unknown> => {
  const e: Record<string, unknown> = { "@odata.type": ODATA_TYPE[refKind(ref)], id: dir.idOfRef(ref) }
  if (removed) e["@removed"] = { reason: "deleted" }
  return e
}

/** Renders one object of a round (or its @removed tombstone). */
const renderObject = (
  ctx: GraphContext,
  t: DeltaToken,
  index: number,
  props: ReadonlyArray<string>,
  memberSlice: ReadonlyArray<Record<string, unknown>> | undefined,
  manager: boolean
): Record<string, unknown> => {
  const dir = ctx.dir
  const table = t.r === "users" ? dir.users : dir.groups
  const state = table.state(index)
  if (state !== LIVE) return { id: table.id(index), "@removed": { reason: state === PURGED ? "deleted" : "changed" } }
  const full = table.get(index) as unknown as Record<string, unknown>
  const out = project(full, t.r === "users" ? USER : GROUP, props)
  if (memberSlice !== undefined) out["members@delta"] = memberSlice
  if (manager) {
    const mid = full._managerId as string | null
    out["manager@delta"] = mid === null ? [] : [{ "@odata.type": "#microsoft.graph.user", id: mid }]
  }
  return out
}

const deltaPath = (r: Resource) => `/${r}/delta`

const linkWith = (ctx: GraphContext, r: Resource, param: "$skiptoken" | "$deltatoken", token: unknown): string =>
  graphUrl(ctx.req, `${deltaPath(r)}?${param}=${encodeToken(token)}`)

/** The URL of a fresh initial round with the same query, for 410 Gone (Location) responses. */
const restartUrl = (ctx: GraphContext, t: DeltaToken): string => {
  const parts: string[] = []
  if (t.s !== null) parts.push(`$select=${encodeURIComponent(t.s.join(","))}`)
  if (t.f !== null) parts.push(`$filter=${encodeURIComponent(t.f.map((id) => `id eq '${id}'`).join(" or "))}`)
  parts.push("$deltatoken=")
  return graphUrl(ctx.req, `${deltaPath(t.r)}?${parts.join("&")}`)
}

const checkTokenAge = (ctx: GraphContext, t: DeltaToken): void => {
  if (t.e !== ctx.tenant.deltaEpoch) {
    throw new GraphError(410, "resyncRequired", "The delta token is no longer valid, and the app must reset the sync state.", { location: restartUrl(ctx, t) })
  }
  if (t.t < ctx.tenant.deltaTokensValidFrom || ctx.tenant.now() - t.t > DELTA_TOKEN_LIFETIME_MS) throw syncStateNotFound()
}

/** Produces one page of a round starting at the given round position. */
const roundPage = (ctx: GraphContext, round: RoundToken): GraphResponse => {
  const dir = ctx.dir
  const t = round
  const minimal = preferMinimal(ctx) && round.p === "c"
  const maxObjects = maxPageSize(ctx)
  const memberBudget = maxObjects * MEMBERS_PER_OBJECT_SLOT
  const props = reportedProps(t)
  const value: Record<string, unknown>[] = []
  const members = tracksMembers(t)
  let cursor = round.c
  let memberOffset = round.m
  let membersUsed = 0
  const table = t.r === "users" ? dir.users : dir.groups
  const ids = t.f === null ? undefined : t.f.map((id) => table.indexOf(id)).filter((i) => i >= 0).sort((a, b) => a - b)
  const changes = round.p === "c" ? changedObjects(dir, t, round.from, round.v) : undefined
  const length = changes !== undefined ? changes.length : ids !== undefined ? ids.length : table.size

  while (cursor < length && value.length < maxObjects && membersUsed < memberBudget) {
    const change = changes?.[cursor]
    const index = change !== undefined ? change.index : ids !== undefined ? ids[cursor] : cursor
    if (changes === undefined && !table.isLive(index)) {
      cursor++
      continue
    }
    const objProps = change !== undefined && minimal && !change.whole ? ["id", ...props.filter((p) => p !== "id" && change.props.has(p))] : props
    const managerFlag = tracksManager(t) && (change === undefined || change.whole || change.manager)
    if (!members || !table.isLive(index)) {
      value.push(renderObject(ctx, t, index, objProps, undefined, managerFlag))
      cursor++
      continue
    }
    // Groups tracking members: the initial round lists every member; change rounds only changed ones.
    const entries: Array<{ ref: number; removed: boolean }> =
      change === undefined || change.whole
        ? dir.members(index).map((ref) => ({ ref, removed: false }))
        : change.members.map((ref) => ({ ref, removed: !dir.isMember(index, ref) }))
    const slice = entries.slice(memberOffset, memberOffset + (memberBudget - membersUsed))
    value.push(renderObject(ctx, t, index, objProps, slice.map((e) => memberEntry(dir, e.ref, e.removed)), false))
    membersUsed += slice.length
    memberOffset += slice.length
    if (memberOffset >= entries.length) {
      cursor++
      memberOffset = 0
    }
  }
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx.req, t.r) }
  if (cursor < length) {
    body["@odata.nextLink"] = linkWith(ctx, t.r, "$skiptoken", { ...round, c: cursor, m: memberOffset } satisfies RoundToken)
  } else {
    const next: DeltaToken = { r: t.r, v: round.v, s: t.s, f: t.f, t: ctx.tenant.now(), e: ctx.tenant.deltaEpoch }
    body["@odata.deltaLink"] = linkWith(ctx, t.r, "$deltatoken", next)
  }
  body.value = value
  return json(200, body)
}

/** GET /users/delta and /groups/delta. */
export const deltaHandler = (r: Resource) => (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, r === "users" ? PERMS.readUsers : PERMS.readGroups)
  if (r === "groups" && (ctx.req.query.get("$select") ?? "").toLowerCase().split(",").map((s) => s.trim()).includes("members")) {
    requireAny(ctx, PERMS.readMembers)
  }
  const q = ctx.req.query
  const skip = q.get("$skiptoken")
  const deltaToken = q.get("$deltatoken")
  if (skip !== undefined) {
    const round = decodeToken<RoundToken>(skip)
    if (round === undefined || round.r !== r || (round.p !== "i" && round.p !== "c")) throw badRequest("Invalid $skiptoken.")
    checkTokenAge(ctx, round)
    if (ctx.tenant.faults.emptyPage()) {
      return json(200, { "@odata.context": contextUrl(ctx.req, r), "@odata.nextLink": linkWith(ctx, r, "$skiptoken", round), value: [] })
    }
    return roundPage(ctx, round)
  }
  if (deltaToken !== undefined && deltaToken !== "" && deltaToken.toLowerCase() !== "latest") {
    const t = decodeToken<DeltaToken>(deltaToken)
    if (t === undefined || t.r !== r || typeof t.v !== "number") throw syncStateNotFound()
    checkTokenAge(ctx, t)
    return roundPage(ctx, { ...t, p: "c", from: t.v, v: ctx.dir.version, c: 0, m: 0 })
  }
  // First request of a sync: query options are read here only and carried in the tokens.
  for (const opt of ["$expand", "$top", "$orderby", "$search", "$count"]) {
    if (q.has(opt)) throw unsupportedQuery(`The query parameter '${opt}' is not supported with change tracking over the '${r}' resource.`)
  }
  const parsed = parseQuery(ctx.req)
  let select: string[] | null = null
  if (parsed.select !== undefined) {
    const nav = parsed.select.filter((s) => s.toLowerCase() === (r === "groups" ? "members" : "manager"))
    const plain = parsed.select.filter((s) => !nav.includes(s))
    select = [...validateSelect(r === "users" ? USER : GROUP, plain, true), ...nav.map(() => (r === "groups" ? "members" : "manager"))]
  }
  let ids: string[] | null = null
  if (parsed.filter !== undefined) {
    const f = idOnlyFilter(parsed.filter)
    if (f === undefined) throw unsupportedQuery("Change tracking supports only $filter on 'id' with 'eq' joined by 'or'.")
    if (f.length > MAX_FILTER_IDS) throw unsupportedQuery(`The number of ids in the filter exceeds the maximum of ${MAX_FILTER_IDS}.`)
    ids = f.map((x) => x.toLowerCase())
  }
  const base: DeltaToken = { r, v: ctx.dir.version, s: select, f: ids, t: ctx.tenant.now(), e: ctx.tenant.deltaEpoch }
  if (deltaToken !== undefined && deltaToken.toLowerCase() === "latest") {
    return json(200, { "@odata.context": contextUrl(ctx.req, r), "@odata.deltaLink": linkWith(ctx, r, "$deltatoken", base), value: [] })
  }
  return roundPage(ctx, { ...base, p: "i", from: 0, c: 0, m: 0 })
}

