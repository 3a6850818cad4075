import { type GraphContext, type GraphResponse, contextUrl, graphUrl, json } from "./Context.ts"
import { badRequest, unsupportedQuery } from "./GraphError.ts"
import { evaluateFilter, type FilterExpr } from "./ODataFilter.ts"
import {
  decodeToken,
  encodeToken,
  type ExpandItem,
  invalidSkipToken,
  isAdvanced,
  type ODataQuery,
  pageSize,
  parseQuery,
  parseSearch,
  requireNoAdvancedExpand,
  searchMatches,
  validateFilter,
  validateSelect
} from "./Query.ts"
import type { EntitySchema } from "./Schemas.ts"

/** How a collection pages. `strict` collections answer 400 when $top is outside 1..max. */
export interface Paging {
  readonly default: number
  readonly max: number
}

/** A listable collection: a keyed, ordered item source plus how items look in Graph. */
export interface ListSpec<R> {
  /** Schema used to validate $select/$filter/$orderby (directoryObject for mixed collections). */
  readonly schema: EntitySchema
  /** `@odata.context` fragment, e.g. `users` or `directoryObjects`. */
  readonly context: string
  /** Items with key >= from, in ascending key order (keys are stable under mutation). */
  readonly items: (from: number) => Iterable<readonly [number, R]>
  /** The item as Graph JSON with every property (projection picks from it). */
  readonly toGraph: (r: R) => Record<string, unknown>
  /** Schema of one item when the collection mixes types (members, owners). */
  readonly itemSchema?: (r: R) => EntitySchema
  /** Emit `@odata.type` on every item (directoryObject collections do). */
  readonly odataType?: (r: R) => string
  /** undefined = no paging at all (directoryRoles). */
  readonly paging: Paging | undefined
  /** Hard cap on items per page regardless of $top (signInActivity: 120). */
  readonly pageCap?: number
  readonly expand?: Readonly<Record<string, (r: R, item: ExpandItem) => unknown>>
  /** Reject every query option but $select (directoryRoles). */
  readonly selectOnly?: boolean
  /**
   * Keys that can match a filter, when the filter is an index lookup (`id eq`, `id in`,
   * `userPrincipalName eq` ...); lets a 100k-user tenant answer lookups without a scan.
   */
  readonly candidates?: (filter: FilterExpr) => ReadonlyArray<number> | undefined
  readonly itemAt?: (key: number) => R | undefined
  /** Cheap id of an item, so `$select=id` pages do not build whole objects (members of 50k+ groups). */
  readonly idOf?: (r: R) => string
}

interface Cursor {
  /** next key (key mode) */
  readonly k?: number
  /** offset (ordered mode) */
  readonly o?: number
}

/** Picks the requested (or default) properties of a Graph object. */
export const project = (full: Record<string, unknown>, schema: EntitySchema, select: ReadonlyArray<string> | undefined): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (select === undefined || select.includes("*")) {
    for (const p of select === undefined ? schema.defaults : schema.props.filter((x) => !schema.notInCollection.includes(x))) {
      if (!p.includes("@")) out[p] = full[p] ?? null
    }
    return out
  }
  for (const p of select) if (schema.props.includes(p)) out[p] = full[p] ?? null
  return out
}

/** Renders one item: @odata.type (mixed collections), projection, and $expand. */
const render = <R>(spec: ListSpec<R>, r: R, select: ReadonlyArray<string> | undefined, expand: ReadonlyArray<ExpandItem>): Record<string, unknown> => {
  if (spec.idOf !== undefined && expand.length === 0 && select !== undefined && select.length === 1 && select[0] === "id") {
    const id = spec.idOf(r)
    return spec.odataType !== undefined ? { "@odata.type": spec.odataType(r), id } : { id }
  }
  const schema = spec.itemSchema?.(r) ?? spec.schema
  const body = project(spec.toGraph(r), schema, select)
  const out: Record<string, unknown> = spec.odataType !== undefined ? { "@odata.type": spec.odataType(r), ...body } : body
  for (const e of expand) out[e.name] = spec.expand![e.name](r, e)
  return out
}

const nextLinkFor = (ctx: GraphContext, cursor: Cursor): string => {
  const parts: string[] = []
  for (const [k, v] of ctx.req.queryPairs) {
    const low = k.toLowerCase()
    if (low === "$skiptoken") continue
    parts.push(`${k}=${encodeURIComponent(v)}`)
  }
  parts.push(`$skiptoken=${encodeToken(cursor)}`)
  return graphUrl(ctx.req, `${ctx.req.path}?${parts.join("&")}`)
}

/** Validates a request's query options against the collection; returns the parsed query. */
export const validateListQuery = <R>(ctx: GraphContext, spec: ListSpec<R>): ODataQuery => {
  const q = parseQuery(ctx.req)
  if (spec.selectOnly === true) {
    for (const opt of ["$filter", "$top", "$skiptoken", "$orderby", "$search", "$count", "$expand", "$skip"]) {
      if (ctx.req.query.has(opt)) throw unsupportedQuery(`The query parameter '${opt}' is not supported on this resource.`)
    }
  }
  if (ctx.req.query.has("$skip")) throw unsupportedQuery("'$skip' is not supported by the service.")
  const advanced = isAdvanced(ctx, q)
  if (q.select !== undefined) validateSelect(spec.schema, q.select, true)
  if (q.filter !== undefined) validateFilter(spec.schema, q.filter, advanced)
  if (q.search !== undefined && !ctx.eventual) {
    throw unsupportedQuery("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
  }
  if (q.orderby !== undefined) {
    const needsAdvanced = q.filter !== undefined || q.search !== undefined
    for (const o of q.orderby) {
      const basic = spec.schema.orderBy.some((p) => p.toLowerCase() === o.prop.toLowerCase())
      const adv = spec.schema.advancedOrderBy.some((p) => p.toLowerCase() === o.prop.toLowerCase())
      if (!basic && !adv) throw unsupportedQuery(`Order by '${o.prop}' not supported.`)
      if ((!basic || needsAdvanced) && !advanced) {
        throw unsupportedQuery(
          needsAdvanced
            ? "Sorting and filtering together requires advanced query parameters: add $count=true and the ConsistencyLevel:eventual header."
            : `Order by '${o.prop}' is only supported with advanced query parameters ($count=true and ConsistencyLevel:eventual).`
        )
      }
    }
  }
  requireNoAdvancedExpand(ctx, q)
  for (const e of q.expand) {
    if (spec.expand?.[e.name] === undefined) throw badRequest(`Could not find a property named '${e.name}' on type '${spec.schema.type}'.`, "BadRequest")
  }
  return q
}

/** Lists a collection the way Graph does: projection, filter, paging with absolute nextLinks, $count. */
export const listCollection = <R>(ctx: GraphContext, spec: ListSpec<R>, q: ODataQuery = validateListQuery(ctx, spec)): GraphResponse => {
  const select = q.select === undefined ? undefined : validateSelect(spec.schema, q.select, true)
  const advanced = isAdvanced(ctx, q)
  const terms = q.search === undefined ? undefined : parseSearch(spec.schema, q.search)
  const size = spec.paging === undefined ? Number.MAX_SAFE_INTEGER : Math.min(pageSize(q.top, spec.paging.default, spec.paging.max), spec.pageCap ?? Number.MAX_SAFE_INTEGER)
  let cursor: Cursor = {}
  if (q.skiptoken !== undefined) {
    const c = decodeToken<Cursor>(q.skiptoken)
    if (c === undefined || (c.k === undefined && c.o === undefined)) throw invalidSkipToken()
    cursor = c
    // Fault injection: a zero-item page that points at the same position (Graph does send these).
    if (ctx.tenant.faults.emptyPage()) {
      return json(200, { "@odata.context": contextUrl(ctx.req, spec.context), "@odata.nextLink": nextLinkFor(ctx, cursor), value: [] })
    }
  }
  const matches = (r: R): boolean => {
    if (q.filter === undefined && terms === undefined) return true
    const g = spec.toGraph(r)
    if (q.filter !== undefined && !evaluateFilter(q.filter, g)) return false
    return terms === undefined || searchMatches(g, terms)
  }
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx.req, spec.context) }
  const value: Record<string, unknown>[] = []
  const ordered = q.orderby !== undefined || terms !== undefined
  if (ordered) {
    const all: R[] = []
    for (const [, r] of spec.items(0)) if (matches(r)) all.push(r)
    if (q.orderby !== undefined) {
      const keys = q.orderby
      all.sort((a, b) => {
        const ga = spec.toGraph(a)
        const gb = spec.toGraph(b)
        for (const k of keys) {
          const va = String(ga[k.prop] ?? "")
          const vb = String(gb[k.prop] ?? "")
          const c = va.localeCompare(vb, "en", { sensitivity: "base" })
          if (c !== 0) return k.desc ? -c : c
        }
        return 0
      })
    }
    if (advanced && q.count && q.skiptoken === undefined) body["@odata.count"] = all.length
    const start = cursor.o ?? 0
    for (const r of all.slice(start, start + size)) value.push(render(spec, r, select, q.expand))
    if (start + size < all.length) body["@odata.nextLink"] = nextLinkFor(ctx, { o: start + size })
  } else {
    if (advanced && q.count && q.skiptoken === undefined) {
      let n = 0
      for (const [, r] of spec.items(0)) if (matches(r)) n++
      body["@odata.count"] = n
    }
    let next: number | undefined
    const keys = q.filter !== undefined && spec.candidates !== undefined && spec.itemAt !== undefined ? spec.candidates(q.filter) : undefined
    const source: Iterable<readonly [number, R]> =
      keys === undefined
        ? spec.items(cursor.k ?? 0)
        : (function* () {
            for (const k of [...new Set(keys)].sort((a, b) => a - b)) {
              if (k < (cursor.k ?? 0)) continue
              const r = spec.itemAt!(k)
              if (r !== undefined) yield [k, r] as const
            }
          })()
    for (const [k, r] of source) {
      if (value.length >= size) {
        // More items exist (even if none of them match, Graph may hand out a link to an empty page).
        next = k
        break
      }
      if (matches(r)) value.push(render(spec, r, select, q.expand))
    }
    if (next !== undefined) body["@odata.nextLink"] = nextLinkFor(ctx, { k: next })
  }
  body.value = value
  return json(200, body)
}

/** `GET .../$count`: plain-text count, only with ConsistencyLevel: eventual. */
export const countCollection = <R>(ctx: GraphContext, spec: ListSpec<R>): GraphResponse => {
  if (!ctx.eventual) throw badRequest("$count is not currently supported.")
  const q = parseQuery(ctx.req)
  if (q.filter !== undefined) validateFilter(spec.schema, q.filter, true)
  let n = 0
  for (const [, r] of spec.items(0)) if (q.filter === undefined || evaluateFilter(q.filter, spec.toGraph(r))) n++
  return { status: 200, headers: { "content-type": "text/plain;charset=utf-8" }, text: String(n) }
}

/** A single object: projection by $select plus expansions. */
export const singleObject = (
  ctx: GraphContext,
  schema: EntitySchema,
  contextFragment: string,
  full: Record<string, unknown>,
  expand: Readonly<Record<string, (item: ExpandItem) => unknown>> = {},
  odataType?: string
): GraphResponse => {
  const q = parseQuery(ctx.req)
  const select = q.select === undefined ? undefined : validateSelect(schema, q.select, false)
  for (const e of q.expand) if (expand[e.name] === undefined) throw badRequest(`Could not find a property named '${e.name}' on type '${schema.type}'.`, "BadRequest")
  const out: Record<string, unknown> = { "@odata.context": contextUrl(ctx.req, contextFragment) }
  if (odataType !== undefined) out["@odata.type"] = odataType
  Object.assign(out, project(full, schema, select))
  for (const e of q.expand) out[e.name] = expand[e.name](e)
  return json(200, out)
}
