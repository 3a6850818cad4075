import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { RunWarning } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { readListPage, resourceId, type JsonRecord } from "./Envelope.ts"
import { ScimHttp } from "./ScimHttp.ts"

const Ids = Schema.Array(Schema.String)
const Counters = {
  /** Pages fetched so far in this listing. */
  pages: Schema.Int,
  /** Resources handed out so far (for the reconciliation against totalResults). */
  emitted: Schema.Int,
  /** The last totalResults the server reported, if any. */
  reportedTotal: Schema.optionalKey(Schema.Int),
  /** The last ids of the previous page: an overlap (rows shifted by inserts) is dropped. */
  prevTail: Ids
}

/**
 * Where a listing stands, small enough to live in a checkpoint. Index paging keeps the leading ids
 * of the first and the previous page to recognise a server that serves a page again (SCIMMY
 * returns the first page past the end; servers that ignore `startIndex` return it every time).
 */
export const PageState = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("index"), startIndex: Schema.Int, firstLead: Ids, prevLead: Ids, ...Counters }),
  Schema.Struct({ kind: Schema.Literal("cursor"), cursor: Schema.String, ...Counters })
])
export type PageState = typeof PageState.Type

export const firstPage = (kind: "index" | "cursor"): PageState =>
  kind === "index"
    ? { kind, startIndex: 1, firstLead: [], prevLead: [], pages: 0, emitted: 0, prevTail: [] }
    : { kind, cursor: "", pages: 0, emitted: 0, prevTail: [] }

export interface PageOptions {
  readonly pageSize: number
  /** Hard stop for one listing, whatever the server says. */
  readonly maxPages?: number
  /** Names the listing in warnings (`users`, `groups`, ...). */
  readonly stream: string
  /**
   * Also stop when a page is shorter than asked AND the server's totalResults says it was the last.
   * Saves the confirming request per listing, at the price of trusting two hints that agree; used
   * for the many small filtered lookups (one per user), never for the main listings.
   */
  readonly trustShortLastPage?: boolean
}

export interface PageResult {
  readonly resources: ReadonlyArray<JsonRecord>
  /** Undefined when the listing is finished. */
  readonly next: PageState | undefined
  readonly warnings: ReadonlyArray<RunWarning>
  /** The server's totalResults hint, for progress. */
  readonly reportedTotal: number | undefined
}

const LEAD = 10
const sameLead = (ids: ReadonlyArray<string>, lead: ReadonlyArray<string>): boolean => {
  const n = Math.min(ids.length, lead.length, LEAD)
  if (n === 0) return false
  for (let i = 0; i < n; i++) if (ids[i] !== lead[i]) return false
  return true
}

/**
 * Fetches one page of a listing and says where the next one is. Index paging follows
 * scim-client.md §1.4: ask for `count`, move `startIndex` by the number of resources that really
 * came back, stop on an empty page, on a page that repeats the first or previous page, or at the
 * page cap; `totalResults` and `itemsPerPage` are hints only (a short page is not the last one,
 * a total that drifts does not end the listing early). Cursor paging (RFC 9865) sends `cursor`
 * (empty first) and follows `nextCursor` until it is absent; a server that answers an index
 * request with a `nextCursor` is followed the same way. When a listing ends, its count is
 * reconciled with the last `totalResults` and a difference becomes a warning.
 */
export const fetchPage = Effect.fn("Pagination.fetchPage")(function* (
  endpoint: string,
  query: Readonly<Record<string, string | number | undefined>>,
  state: PageState,
  options: PageOptions
): Effect.fn.Return<PageResult, ConnectorError, ScimHttp> {
  const http = yield* ScimHttp
  const maxPages = options.maxPages ?? 100_000
  const paging = state.kind === "index" ? { startIndex: state.startIndex, count: options.pageSize } : { cursor: state.cursor, count: options.pageSize }
  const response = yield* http.request({ method: "GET", path: endpoint, query: { ...query, ...paging } })
  const page = readListPage(response.body)
  const ids = page.resources.map((r) => resourceId(r) ?? "")
  const reportedTotal = page.totalResults ?? state.reportedTotal
  const warnings: Array<RunWarning> = []
  const withoutId = ids.filter((id) => id === "").length
  if (withoutId > 0) warnings.push({ code: "scim.resourceWithoutId", message: `${withoutId} ${options.stream} came without an id and were skipped`, stream: options.stream })

  const repeated =
    state.kind === "index" && state.pages > 0 && page.resources.length > 0 && (sameLead(ids, state.firstLead) || sameLead(ids, state.prevLead))
  const tail = new Set(state.prevTail)
  const fresh = repeated ? [] : page.resources.filter((_, i) => ids[i] !== "" && !tail.has(ids[i]!))
  const emitted = state.emitted + fresh.length
  const pages = state.pages + 1
  const common = { pages, emitted, prevTail: ids.slice(-LEAD), ...(reportedTotal === undefined ? {} : { reportedTotal }) }

  let next: PageState | undefined
  if (page.nextCursor !== undefined && page.resources.length > 0 && !repeated) {
    next = page.nextCursor === (state.kind === "cursor" ? state.cursor : undefined) ? undefined : { kind: "cursor", cursor: page.nextCursor, ...common }
  } else if (
    state.kind === "index" &&
    options.trustShortLastPage === true &&
    page.totalResults !== undefined &&
    page.resources.length < options.pageSize &&
    state.startIndex + page.resources.length > page.totalResults
  ) {
    next = undefined
  } else if (state.kind === "index" && page.resources.length > 0 && !repeated) {
    next = {
      kind: "index",
      startIndex: state.startIndex + page.resources.length,
      firstLead: state.pages === 0 ? ids.slice(0, LEAD) : state.firstLead,
      prevLead: ids.slice(0, LEAD),
      ...common
    }
  } else if (state.kind === "cursor" && page.nextCursor !== undefined && page.nextCursor !== state.cursor) {
    next = { kind: "cursor", cursor: page.nextCursor, ...common }
  }
  if (next !== undefined && pages >= maxPages) {
    warnings.push({ code: "scim.pageCap", message: `Stopped listing ${options.stream} after ${pages} pages (the page cap); the server kept returning data`, stream: options.stream })
    next = undefined
  }
  if (next === undefined && reportedTotal !== undefined && reportedTotal !== emitted && query.filter === undefined) {
    warnings.push({
      code: repeated && reportedTotal > emitted ? "scim.pageRepeated" : "scim.totalMismatch",
      message: repeated && reportedTotal > emitted
        ? `The server served an earlier page again at startIndex ${state.kind === "index" ? state.startIndex : "?"} after ${emitted} of the ${reportedTotal} ${options.stream} it reported; if it only supports cursors, set quirks.pagination to "cursor"`
        : `Read ${emitted} ${options.stream} but the server reported totalResults ${reportedTotal} (totals are treated as hints)`,
      stream: options.stream
    })
  }
  return { resources: fresh, next, warnings, reportedTotal }
})
