import type { ScimConfig } from "@idconnect/schemas/ModeConfig"
import type { ServerCapabilities } from "./Discovery.ts"

/**
 * How this client talks to one server, chosen from discovery and overridable per connection
 * (`config.quirks`). Real servers differ where the RFCs leave room, so behaviour is data:
 * - `pagination`: `index` (startIndex/count, robust loop) or `cursor` (RFC 9865).
 * - `memberRead`: `groups` reads `members` from `/Groups`; `per-user-filter` lists groups without
 *   members and asks `/Groups?filter=members.value eq "<id>"` per user (Entra's SCIM API, AWS);
 *   `auto` reads `/Groups` and switches to the per-user filter if no group carries `members`.
 * - `patchDialect`: `filtered-path` removes a member with `members[value eq "id"]` (RFC 7644);
 *   `value-array` sends `path: "members"` plus a value list, for servers that ignore filtered paths.
 * - `useEtags`: send `If-Match` only when the server advertises ETags (or the config says so).
 */
export interface QuirkProfile {
  /** A known server family the profile was tuned for, or `rfc`. */
  readonly server: "rfc" | "entra-scim-api"
  readonly pagination: "index" | "cursor"
  readonly pageSize: number
  readonly memberRead: "groups" | "per-user-filter" | "auto"
  readonly patchDialect: "filtered-path" | "value-array"
  /** Members added per PATCH (Entra's SCIM API takes at most 20); removals are always one per PATCH. */
  readonly maxMemberAddsPerPatch: number
  readonly useEtags: boolean
  /** Where each choice came from, shown by `check`. */
  readonly reasons: Readonly<Record<"pagination" | "pageSize" | "memberRead" | "useEtags", string>>
}

/** Defaults a plugin may set for its servers (e.g. a value-array PATCH dialect); config overrides still win. */
export type QuirkDefaults = Partial<Pick<QuirkProfile, "patchDialect" | "maxMemberAddsPerPatch" | "pageSize" | "memberRead" | "pagination">>

const DEFAULT_PAGE_SIZE = 100
const MAX_PAGE_SIZE = 1000

/** Microsoft Entra ID's own SCIM API: cursor-only paging, groups never carry members. */
const isEntraScimApi = (baseUrl: URL): boolean =>
  /(^|\.)graph\.microsoft\.(com|us)$|(^|\.)microsoftgraph\.chinacloudapi\.cn$/iu.test(baseUrl.hostname) && /^\/rp\/scim/iu.test(baseUrl.pathname)

export const chooseQuirkProfile = (
  caps: ServerCapabilities,
  config: Pick<ScimConfig, "quirks">,
  baseUrl: URL,
  defaults: QuirkDefaults = {}
): QuirkProfile => {
  const o = config.quirks ?? {}
  const entra = isEntraScimApi(baseUrl)
  const pag = caps.pagination

  let pagination: QuirkProfile["pagination"]
  let paginationReason: string
  if (o.pagination !== undefined) [pagination, paginationReason] = [o.pagination, "config"]
  else if (pag?.cursor === true && (pag.index === false || pag.defaultMethod === "cursor")) {
    ;[pagination, paginationReason] = ["cursor", "ServiceProviderConfig.pagination prefers cursors"]
  } else if (entra) [pagination, paginationReason] = ["cursor", "Entra SCIM API pages with cursors"]
  else if (defaults.pagination !== undefined) [pagination, paginationReason] = [defaults.pagination, "plugin default"]
  else [pagination, paginationReason] = ["index", pag === undefined ? "default (no pagination advertised)" : "ServiceProviderConfig.pagination"]

  const limits = [pag?.maxPageSize, caps.filter.maxResults].filter((n): n is number => n !== undefined && n > 0)
  let pageSize = o.pageSize ?? defaults.pageSize ?? Math.min(DEFAULT_PAGE_SIZE, pag?.defaultPageSize ?? DEFAULT_PAGE_SIZE)
  let pageSizeReason = o.pageSize !== undefined ? "config" : "default"
  for (const limit of limits) {
    if (pageSize > limit) [pageSize, pageSizeReason] = [limit, "server maximum"]
  }
  pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(pageSize)))

  let memberRead: QuirkProfile["memberRead"]
  let memberReason: string
  if (o.memberRead !== undefined) [memberRead, memberReason] = [o.memberRead, "config"]
  else if (entra) [memberRead, memberReason] = ["per-user-filter", "Entra SCIM API returns groups without members"]
  else if (caps.groupMembersReturned === "never" || caps.groupMembersReturned === "absent") {
    ;[memberRead, memberReason] = ["per-user-filter", `the Group schema ${caps.groupMembersReturned === "never" ? "never returns" : "has no"} members`]
  } else if (defaults.memberRead !== undefined) [memberRead, memberReason] = [defaults.memberRead, "plugin default"]
  else [memberRead, memberReason] = ["auto", "read /Groups; per-user filter if groups come without members"]

  const useEtags = o.useEtags ?? caps.etag
  return {
    server: entra ? "entra-scim-api" : "rfc",
    pagination,
    pageSize,
    memberRead,
    patchDialect: defaults.patchDialect ?? "filtered-path",
    maxMemberAddsPerPatch: defaults.maxMemberAddsPerPatch ?? (entra ? 20 : 50),
    useEtags,
    reasons: {
      pagination: paginationReason,
      pageSize: pageSizeReason,
      memberRead: memberReason,
      useEtags: o.useEtags !== undefined ? "config" : caps.etag ? "ServiceProviderConfig.etag.supported" : "not advertised"
    }
  }
}
