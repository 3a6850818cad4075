import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import type { ServerCapabilities } from "./Discovery.ts"
import { asArray, asNonBlank, eqFilter, getCi, isRecord, readListPage, resourceId, type JsonRecord } from "./Envelope.ts"
import { fetchPage, firstPage, type PageResult, type PageState } from "./Pagination.ts"
import type { QuirkProfile } from "./QuirkProfile.ts"
import { resourcePath, ScimHttp } from "./ScimHttp.ts"

/** What lookups need to know about the connection. */
export interface LookupEnv {
  readonly caps: ServerCapabilities
  readonly profile: QuirkProfile
}

const groupsEndpoint = (env: LookupEnv) => env.caps.groupsEndpoint ?? "/Groups"

/** GET one resource by id; undefined on 404. */
export const getById = Effect.fn("Lookup.getById")(function* (
  endpoint: string,
  id: string,
  query: Readonly<Record<string, string>> = {}
): Effect.fn.Return<JsonRecord | undefined, ConnectorError, ScimHttp> {
  const http = yield* ScimHttp
  const response = yield* http.request({ method: "GET", path: resourcePath(endpoint, id), query, allow: [404] })
  if (response.status === 404) return undefined
  const body = response.body
  // Some servers answer a GET by id with a one-element ListResponse.
  if (isRecord(body) && resourceId(body) === undefined) return readListPage(body).resources[0]
  return isRecord(body) ? body : undefined
})

/** Every page of a listing, scanned for the first resource matching `match` (fallback when filters fail). */
const scan = (endpoint: string, query: Readonly<Record<string, string>>, env: LookupEnv, match: (r: JsonRecord) => boolean) =>
  Effect.gen(function* () {
    let state: PageState | undefined = firstPage(env.profile.pagination)
    while (state !== undefined) {
      const page: PageResult = yield* fetchPage(endpoint, query, state, { pageSize: env.profile.pageSize, stream: "lookup" })
      const hit = page.resources.find(match)
      if (hit !== undefined) return hit
      state = page.next
    }
    return undefined
  })

/**
 * Finds a resource by a unique attribute with `filter=<attr> eq "<value>"`, comparing
 * case-insensitively on our side (servers differ on `caseExact`). When the server refuses the
 * filter, or `exhaustive` is set (after a 409 the filter did not explain), the listing is scanned.
 */
export const findByAttribute = Effect.fn("Lookup.findByAttribute")(function* (
  endpoint: string,
  attribute: "userName" | "displayName",
  value: string,
  env: LookupEnv,
  exhaustive = false
): Effect.fn.Return<JsonRecord | undefined, ConnectorError, ScimHttp> {
  const http = yield* ScimHttp
  const matches = (r: JsonRecord) => asNonBlank(getCi(r, attribute))?.toLowerCase() === value.toLowerCase()
  const filtered = yield* Effect.result(
    http.request({ method: "GET", path: endpoint, query: { filter: eqFilter(attribute, value), ...(attribute === "displayName" ? { excludedAttributes: "members" } : {}) } })
  )
  if (filtered._tag === "Success") {
    const hit = readListPage(filtered.success.body).resources.find(matches)
    if (hit !== undefined || !exhaustive) return hit
  } else if (filtered.failure.code !== "Unsupported" && filtered.failure.code !== "InvalidInput") {
    return yield* filtered.failure
  }
  return yield* scan(endpoint, attribute === "displayName" ? { excludedAttributes: "members" } : {}, env, matches)
})

/**
 * Whether a user is a member of a group. Asks `filter=id eq "<g>" and members.value eq "<u>"`
 * first (works where groups come without members, and never downloads a large group), then falls
 * back to reading the group's `members`. Undefined when the server offers no way to tell.
 */
export const isMember = Effect.fn("Lookup.isMember")(function* (
  groupId: string,
  userId: string,
  env: LookupEnv
): Effect.fn.Return<boolean | undefined, ConnectorError, ScimHttp> {
  const http = yield* ScimHttp
  const endpoint = groupsEndpoint(env)
  if (env.caps.filter.supported !== false) {
    const filter = `${eqFilter("id", groupId)} and ${eqFilter("members.value", userId)}`
    const byFilter = yield* Effect.result(http.request({ method: "GET", path: endpoint, query: { filter, excludedAttributes: "members" } }))
    if (byFilter._tag === "Success") return readListPage(byFilter.success.body).resources.some((g) => resourceId(g) === groupId)
    if (byFilter.failure.code !== "Unsupported" && byFilter.failure.code !== "InvalidInput") return yield* byFilter.failure
  }
  const group = yield* getById(endpoint, groupId, { attributes: "members" })
  const members = getCi(group, "members")
  if (members === undefined) return env.profile.memberRead === "per-user-filter" ? undefined : false
  return asArray(members).some((m) => asNonBlank(getCi(m, "value")) === userId)
})
