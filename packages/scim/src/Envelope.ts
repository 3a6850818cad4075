/**
 * Reading what SCIM servers send, tolerantly. Attribute names are case-insensitive (RFC 7643 §2.1)
 * and real servers use it: Entra's SCIM API answers `resources`, others send PascalCase `Meta`.
 * Numbers and booleans arrive as strings ("5", "False"). Everything here takes `unknown` and never
 * throws; callers decide what a missing value means.
 */

export type JsonRecord = Record<string, unknown>

export const isRecord = (u: unknown): u is JsonRecord => typeof u === "object" && u !== null && !Array.isArray(u)

/** The value of `key` in `obj`, matching the key case-insensitively (an exact match wins). */
export const getCi = (obj: unknown, key: string): unknown => {
  if (!isRecord(obj)) return undefined
  if (key in obj) return obj[key]
  const lower = key.toLowerCase()
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k]
  return undefined
}

/** A dotted path (`name.givenName`, `meta.version`) read case-insensitively. */
export const getPath = (obj: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((acc, part) => getCi(acc, part), obj)

/** A string, or undefined for anything else (numbers are stringified: ids are sometimes numeric). */
export const asString = (u: unknown): string | undefined =>
  typeof u === "string" ? u : typeof u === "number" && Number.isFinite(u) ? String(u) : undefined

/** A non-empty trimmed string, or undefined. */
export const asNonBlank = (u: unknown): string | undefined => {
  const s = asString(u)?.trim()
  return s === undefined || s === "" ? undefined : s
}

/** A boolean, also from "true"/"True"/"FALSE" strings (Entra sends "False"), else undefined. */
export const asBoolean = (u: unknown): boolean | undefined => {
  if (typeof u === "boolean") return u
  if (typeof u === "string") {
    const s = u.trim().toLowerCase()
    if (s === "true") return true
    if (s === "false") return false
  }
  return undefined
}

/** An integer, also from a numeric string, else undefined. */
export const asInt = (u: unknown): number | undefined => {
  const n = typeof u === "number" ? u : typeof u === "string" && u.trim() !== "" ? Number(u) : Number.NaN
  return Number.isInteger(n) ? n : undefined
}

/** An array (a single object is read as a one-element array: some servers flatten multi-valued attributes). */
export const asArray = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : u === undefined || u === null ? [] : [u])

/** A SCIM ListResponse, read tolerantly; `totalResults` and friends are hints, never trusted. */
export interface ListPage {
  readonly resources: ReadonlyArray<JsonRecord>
  readonly totalResults: number | undefined
  readonly itemsPerPage: number | undefined
  readonly startIndex: number | undefined
  readonly nextCursor: string | undefined
}

/**
 * Reads a ListResponse body. A server that answers a list request with a bare array, or with a
 * single resource, is read as that list.
 */
export const readListPage = (body: unknown): ListPage => {
  if (Array.isArray(body)) {
    return { resources: body.filter(isRecord), totalResults: undefined, itemsPerPage: undefined, startIndex: undefined, nextCursor: undefined }
  }
  const resources = getCi(body, "Resources")
  const list = resources === undefined && isRecord(body) && getCi(body, "id") !== undefined ? [body] : asArray(resources)
  const cursor = asNonBlank(getCi(body, "nextCursor"))
  return {
    resources: list.filter(isRecord),
    totalResults: asInt(getCi(body, "totalResults")),
    itemsPerPage: asInt(getCi(body, "itemsPerPage")),
    startIndex: asInt(getCi(body, "startIndex")),
    nextCursor: cursor
  }
}

/** The fields of a SCIM error body (RFC 7644 §3.12); `status` is a string on the wire, or a number. */
export interface ScimErrorBody {
  readonly status: number | undefined
  readonly scimType: string | undefined
  readonly detail: string | undefined
}

/** Reads a SCIM (or OAuth, or AWS-style) error body, when there is one. */
export const readErrorBody = (body: unknown): ScimErrorBody | undefined => {
  if (!isRecord(body)) return undefined
  const detail =
    asNonBlank(getCi(body, "detail")) ??
    asNonBlank(getCi(body, "error_description")) ??
    asNonBlank(getCi(body, "message")) ??
    asNonBlank(getPath(body, "error.message"))
  const scimType = asNonBlank(getCi(body, "scimType")) ?? asNonBlank(getCi(body, "error")) ?? asNonBlank(getCi(body, "__type"))
  const status = asInt(getCi(body, "status"))
  if (detail === undefined && scimType === undefined && status === undefined) return undefined
  return { status, scimType, detail }
}

/** The `id` of a resource, as a string. */
export const resourceId = (r: unknown): string | undefined => asNonBlank(getCi(r, "id"))

/**
 * Builds a filter comparing `attribute` with a string literal: the value is escaped with JSON
 * string rules (RFC 7644 §3.4.2.2), never spliced raw.
 */
export const eqFilter = (attribute: string, value: string): string => `${attribute} eq ${JSON.stringify(value)}`
