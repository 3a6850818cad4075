import { badRequest, GraphError, unsupportedQuery } from "./GraphError.ts"
import type { GraphContext, GraphRequest } from "./Context.ts"
import { type FilterExpr, filterClauses, parseFilter } from "./ODataFilter.ts"
import { canonicalProp, type EntitySchema } from "./Schemas.ts"

export interface ExpandItem {
  readonly name: string
  readonly select: ReadonlyArray<string> | undefined
}

/** The OData query options of a request, parsed (not yet validated against an entity). */
export interface ODataQuery {
  readonly select: ReadonlyArray<string> | undefined
  readonly filterText: string | undefined
  readonly filter: FilterExpr | undefined
  readonly top: string | undefined
  readonly skiptoken: string | undefined
  readonly count: boolean
  readonly orderby: ReadonlyArray<{ readonly prop: string; readonly desc: boolean }> | undefined
  readonly search: string | undefined
  readonly expand: ReadonlyArray<ExpandItem>
}

const splitTopLevel = (s: string, sep: string): string[] => {
  const out: string[] = []
  let depth = 0
  let cur = ""
  for (const c of s) {
    if (c === "(") depth++
    if (c === ")") depth--
    if (c === sep && depth === 0) {
      out.push(cur)
      cur = ""
    } else cur += c
  }
  if (cur !== "") out.push(cur)
  return out.map((x) => x.trim()).filter((x) => x !== "")
}

const parseExpand = (s: string): ExpandItem[] =>
  splitTopLevel(s, ",").map((item) => {
    const m = /^([^(]+)\((.*)\)$/.exec(item)
    if (m === null) return { name: item.trim(), select: undefined }
    const opts = splitTopLevel(m[2], ";")
    const sel = opts.find((o) => o.toLowerCase().startsWith("$select="))
    return { name: m[1].trim(), select: sel === undefined ? undefined : sel.slice(8).split(",").map((x) => x.trim()).filter((x) => x !== "") }
  })

export const parseQuery = (req: GraphRequest): ODataQuery => {
  const q = req.query
  const filterText = q.get("$filter")
  const orderText = q.get("$orderby")
  return {
    select: q.has("$select") ? q.get("$select")!.split(",").map((x) => x.trim()).filter((x) => x !== "") : undefined,
    filterText,
    filter: filterText === undefined || filterText.trim() === "" ? undefined : parseFilter(filterText),
    top: q.get("$top"),
    skiptoken: q.get("$skiptoken"),
    count: (q.get("$count") ?? "").toLowerCase() === "true",
    orderby: orderText === undefined ? undefined : orderText.split(",").map((x) => {
      const [prop, dir] = x.trim().split(/\s+/)
      return { prop, desc: (dir ?? "").toLowerCase() === "desc" }
    }),
    search: q.get("$search"),
    expand: q.has("$expand") ? parseExpand(q.get("$expand")!) : []
  }
}

/** Advanced query mode: ConsistencyLevel: eventual header plus $count=true (what Graph requires for ne/not/endsWith/...). */
export const isAdvanced = (ctx: GraphContext, q: ODataQuery): boolean => ctx.eventual && q.count

/** ConsistencyLevel: eventual header present. */
export const hasEventualHeader = (req: GraphRequest): boolean => (req.headers.get("consistencylevel") ?? "").toLowerCase() === "eventual"

const advancedHint = (op: string) =>
  `Operator '${op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`

const OP_NAMES: Record<string, string> = { endswith: "endsWith", startswith: "startsWith", ne: "ne", not: "not", count: "$count", in: "in", any: "any" }

/** Validates $filter clauses against the entity's filterable properties and advanced-query rules. */
export const validateFilter = (schema: EntitySchema, filter: FilterExpr, advanced: boolean): void => {
  for (const c of filterClauses(filter)) {
    const path = c.path.toLowerCase()
    const rule = schema.filters.get(path)
    const propName = c.path.split("/")[0]
    if (rule === undefined) {
      throw unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${propName}' of resource '${schema.name}'.`)
    }
    if (rule.basic.has(c.op)) continue
    if (rule.advanced.has(c.op)) {
      if (!advanced) throw unsupportedQuery(advancedHint(OP_NAMES[c.op] ?? c.op))
      continue
    }
    throw unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${propName}' of resource '${schema.name}'.`)
  }
}

/** Validates $select names; returns their canonical spelling. */
export const validateSelect = (schema: EntitySchema, select: ReadonlyArray<string>, collection: boolean): string[] =>
  select.map((name) => {
    if (name === "*") return "*"
    const canon = canonicalProp(schema, name)
    if (canon === undefined) throw new GraphError(400, "BadRequest", `Could not find a property named '${name}' on type '${schema.type}'.`)
    if (collection && schema.notInCollection.includes(canon)) {
      throw new GraphError(501, "NotImplemented", `The '${canon}' property is not supported on a collection of '${schema.type}'. Retrieve it for a single object instead.`)
    }
    return canon
  })

/** Parses $top against a collection's limits (Graph's directory answers 400 outside 1..max). */
export const pageSize = (top: string | undefined, dflt: number, max: number): number => {
  if (top === undefined) return dflt
  const n = Number(top)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw unsupportedQuery(`Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`)
  }
  return n
}

export const requireNoAdvancedExpand = (ctx: GraphContext, q: ODataQuery): void => {
  if (q.expand.length > 0 && ctx.eventual) throw unsupportedQuery("$expand is not supported with advanced queries (ConsistencyLevel: eventual).")
}

export const invalidSkipToken = (): GraphError => badRequest("Invalid $skiptoken.", "Request_BadRequest")

/** Opaque continuation tokens: base64url JSON, so clients cannot usefully parse them (and must not). */
export const encodeToken = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")

export const decodeToken = <T>(token: string): T | undefined => {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as T
  } catch {
    return undefined
  }
}

/** Parses `$search="displayName:foo" OR "mail:bar"` into (property, term) pairs (OR semantics, AND ignored). */
export const parseSearch = (schema: EntitySchema, search: string): Array<{ prop: string; term: string }> => {
  const out: Array<{ prop: string; term: string }> = []
  const re = /"([^":]+):([^"]*)"/g
  let m: RegExpExecArray | null
  while ((m = re.exec(search)) !== null) {
    const prop = canonicalProp(schema, m[1])
    if (prop === undefined || !schema.search.includes(prop)) throw badRequest(`Invalid search property '${m[1]}'.`, "Request_UnsupportedQuery")
    out.push({ prop, term: m[2].toLowerCase() })
  }
  if (out.length === 0) throw new GraphError(400, "BadRequest", `Syntax error: character '${search[0] ?? ""}' is not valid at position 0 in '${search}'.`)
  return out
}

/** Tokenized prefix match, as the directory's $search does. */
export const searchMatches = (obj: Record<string, unknown>, terms: ReadonlyArray<{ prop: string; term: string }>): boolean =>
  terms.some(({ prop, term }) => {
    const v = obj[prop]
    if (typeof v !== "string") return false
    const low = v.toLowerCase()
    return low.startsWith(term) || low.split(/[\s.@_-]+/).some((w) => w.startsWith(term))
  })
