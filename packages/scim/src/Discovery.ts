import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { asArray, asBoolean, asInt, asNonBlank, getCi, getPath, isRecord, readListPage, type JsonRecord } from "./Envelope.ts"
import { ScimHttp } from "./ScimHttp.ts"

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/** A fallback discovery took, said to the operator in `check` and not silently. */
export interface DiscoveryNote {
  readonly code: string
  readonly message: string
}

/**
 * What the server says about itself (RFC 7644 §4; RFC 9865 pagination), with conservative
 * defaults for whatever it does not say. `undefined` means "not advertised".
 */
export interface ServerCapabilities {
  readonly serviceProviderConfig: boolean
  readonly patch: boolean | undefined
  readonly bulk: boolean
  readonly filter: { readonly supported: boolean | undefined; readonly maxResults: number | undefined }
  readonly sort: boolean
  readonly etag: boolean
  readonly pagination:
    | {
        readonly cursor: boolean
        readonly index: boolean
        readonly defaultMethod: string | undefined
        readonly defaultPageSize: number | undefined
        readonly maxPageSize: number | undefined
      }
    | undefined
  readonly authenticationSchemes: ReadonlyArray<string>
  readonly usersEndpoint: string
  /** Undefined when `/ResourceTypes` answered and lists no Group type. */
  readonly groupsEndpoint: string | undefined
  readonly userSchemaExtensions: ReadonlyArray<string>
  /** How the Group schema (from `/Schemas`) returns `members`: `default`, `request`, `never`, or `absent`. */
  readonly groupMembersReturned: "default" | "request" | "never" | "absent" | undefined
  readonly notes: ReadonlyArray<DiscoveryNote>
}

/** Errors that end discovery: bad credentials and an unreachable server. Anything else falls back. */
const fatal = (e: ConnectorError) => e.code === "CredentialsRejected" || e.code === "RateLimited" || e.code === "Unavailable"

const tryGet = (path: string) =>
  Effect.gen(function* () {
    const http = yield* ScimHttp
    const result = yield* Effect.result(http.request({ method: "GET", path }))
    if (result._tag === "Success") return { ok: true as const, body: result.success.body }
    if (fatal(result.failure)) return yield* result.failure
    return { ok: false as const, why: result.failure.message }
  })

/** An endpoint from `/ResourceTypes` as a path under the base URL; absolute URLs elsewhere are ignored. */
const endpointPath = (raw: unknown, base: URL): string | undefined => {
  const s = asNonBlank(raw)
  if (s === undefined) return undefined
  if (/^https?:\/\//iu.test(s)) {
    const u = new URL(s)
    const basePath = base.pathname.replace(/\/+$/u, "")
    if (u.origin !== base.origin || !u.pathname.startsWith(`${basePath}/`)) return undefined
    return u.pathname.slice(basePath.length)
  }
  return s.startsWith("/") ? s : `/${s}`
}

const findResourceType = (types: ReadonlyArray<JsonRecord>, name: string, schema: string) =>
  types.find(
    (t) => asNonBlank(getCi(t, "name"))?.toLowerCase() === name.toLowerCase() || asNonBlank(getCi(t, "schema"))?.toLowerCase() === schema.toLowerCase()
  )

/**
 * Reads `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`. Each may be missing (AWS and
 * Entra's non-gallery apps skip some): the run then uses `/Users` and `/Groups`, index paging and
 * no ETags, and says so in `notes`. Only bad credentials or an unreachable server fail it.
 */
export const discover = Effect.fn("Discovery.discover")(function* (): Effect.fn.Return<ServerCapabilities, ConnectorError, ScimHttp> {
  const http = yield* ScimHttp
  const notes: Array<DiscoveryNote> = []

  let spcResult = yield* tryGet("/ServiceProviderConfig")
  if (!spcResult.ok) {
    const plural = yield* tryGet("/ServiceProviderConfigs")
    if (plural.ok) spcResult = plural
  }
  const spc = spcResult.ok && isRecord(spcResult.body) ? spcResult.body : undefined
  if (spc === undefined) {
    notes.push({
      code: "discovery.serviceProviderConfig",
      message: `/ServiceProviderConfig is not available (${spcResult.ok ? "not a SCIM object" : spcResult.why}); assuming index paging, no ETags, PATCH supported`
    })
  }
  const pag = getCi(spc, "pagination")
  const pagination = isRecord(pag)
    ? {
        cursor: asBoolean(getCi(pag, "cursor")) ?? false,
        index: asBoolean(getCi(pag, "index")) ?? true,
        defaultMethod: asNonBlank(getCi(pag, "defaultPaginationMethod"))?.toLowerCase(),
        defaultPageSize: asInt(getCi(pag, "defaultPageSize")),
        maxPageSize: asInt(getCi(pag, "maxPageSize"))
      }
    : undefined

  const typesResult = yield* tryGet("/ResourceTypes")
  let usersEndpoint = "/Users"
  let groupsEndpoint: string | undefined = "/Groups"
  let userSchemaExtensions: ReadonlyArray<string> = []
  if (typesResult.ok) {
    const types = readListPage(typesResult.body).resources
    const user = findResourceType(types, "User", USER_SCHEMA)
    const group = findResourceType(types, "Group", GROUP_SCHEMA)
    if (types.length === 0) {
      notes.push({ code: "discovery.resourceTypes", message: "/ResourceTypes listed no resource types; using /Users and /Groups" })
    } else {
      usersEndpoint = endpointPath(getCi(user, "endpoint"), http.baseUrl) ?? "/Users"
      groupsEndpoint = group === undefined ? undefined : (endpointPath(getCi(group, "endpoint"), http.baseUrl) ?? "/Groups")
      userSchemaExtensions = asArray(getCi(user, "schemaExtensions"))
        .map((e) => asNonBlank(getCi(e, "schema")))
        .filter((s): s is string => s !== undefined)
      if (user === undefined) notes.push({ code: "discovery.resourceTypes", message: "/ResourceTypes has no User type; trying /Users" })
      if (group === undefined) notes.push({ code: "discovery.noGroups", message: "/ResourceTypes has no Group type: groups and memberships are not read" })
    }
  } else {
    notes.push({ code: "discovery.resourceTypes", message: `/ResourceTypes is not available (${typesResult.why}); using /Users and /Groups` })
  }

  const schemasResult = yield* tryGet("/Schemas")
  let groupMembersReturned: ServerCapabilities["groupMembersReturned"]
  if (schemasResult.ok) {
    const schemas = readListPage(schemasResult.body).resources
    const group = schemas.find((s) => asNonBlank(getCi(s, "id"))?.toLowerCase() === GROUP_SCHEMA.toLowerCase())
    if (group !== undefined) {
      const members = asArray(getCi(group, "attributes")).find((a) => asNonBlank(getCi(a, "name"))?.toLowerCase() === "members")
      const returned = asNonBlank(getCi(members, "returned"))?.toLowerCase()
      groupMembersReturned = members === undefined ? "absent" : returned === "never" ? "never" : returned === "request" ? "request" : "default"
    }
  } else {
    notes.push({ code: "discovery.schemas", message: `/Schemas is not available (${schemasResult.why}); using the RFC 7643 core schemas` })
  }

  return {
    serviceProviderConfig: spc !== undefined,
    patch: asBoolean(getPath(spc, "patch.supported")),
    bulk: asBoolean(getPath(spc, "bulk.supported")) ?? false,
    filter: { supported: asBoolean(getPath(spc, "filter.supported")), maxResults: asInt(getPath(spc, "filter.maxResults")) },
    sort: asBoolean(getPath(spc, "sort.supported")) ?? false,
    etag: asBoolean(getPath(spc, "etag.supported")) ?? false,
    pagination,
    authenticationSchemes: asArray(getCi(spc, "authenticationSchemes"))
      .map((s) => asNonBlank(getCi(s, "type")))
      .filter((s): s is string => s !== undefined),
    usersEndpoint,
    groupsEndpoint,
    userSchemaExtensions,
    groupMembersReturned,
    notes
  }
})
