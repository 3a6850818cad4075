import type { NextFunction, Request, Response } from "express"

/**
 * What the fault-injecting middleware in front of SCIMMY does to the next requests, for the
 * behaviours real servers have and SCIMMY does not (scim-client.md §1.4, §2.3). Tests set fields on
 * the server's `faults` object; `reset()` clears them.
 */
export interface Faults {
  /** Advertise cursor-only paging (RFC 9865) and page lists by `cursor`, ignoring `startIndex` (Entra, AWS). */
  cursorOnly?: boolean
  /** Strip `members` from every Group answer (Entra's SCIM API, AWS): membership only via the per-user filter. */
  groupsWithoutMembers?: boolean
  /** Answer the next `remaining` matching requests with 429 and `Retry-After: retryAfter`. */
  rateLimit?: { remaining: number; retryAfter: number; match?: RegExp }
  /** Answer the next `remaining` matching requests with an HTML 502 page (a gateway). */
  html502?: { remaining: number; match?: RegExp }
  /** Report totalResults off by this much (a drifting or stale count). */
  totalDrift?: number
  /** Lower-case envelope keys: `resources`, `totalresults`, ... (Entra's documented examples). */
  lowercaseEnvelope?: boolean
  /** Booleans as strings: `"True"` / `"False"`. */
  stringBooleans?: boolean
  /** Ignore `count` and `startIndex`: every page holds every row (SCIMMY on Express 5, WSO2). */
  ignoreCount?: boolean
  /** Serve at most this many rows per page, whatever `count` says, without telling. */
  pageCap?: number
  /** 404 (HTML) on /ServiceProviderConfig, /ResourceTypes and /Schemas. */
  noDiscovery?: boolean
  /** Advertise `etag.supported: true` and answer `ETag` headers from meta.version. */
  etag?: boolean
  /** Answer successful PATCHes with 204 and no body (Entra's SCIM API). */
  patchNoContent?: boolean
  /** Advertise `patch.supported: false`. */
  patchUnsupported?: boolean
  /** Answer the next `remaining` writes that carry If-Match with 412 (someone changed the resource meanwhile). */
  preconditionFailed?: { remaining: number }
  /** Accept a filtered member removal (`members[value eq ...]`) and do nothing (authentik #24173). */
  ignoreFilteredRemove?: boolean
}

/** One request as the server saw it, for assertions on what the client sent. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: Record<string, string | undefined>
  readonly body: unknown
}

const encodeCursor = (startIndex: number) => Buffer.from(`idx:${startIndex}`).toString("base64url")
const decodeCursor = (cursor: string): number | undefined => {
  const m = /^idx:(\d+)$/u.exec(Buffer.from(cursor, "base64url").toString("utf8"))
  return m ? Number(m[1]) : undefined
}

const isListPath = (path: string) => /^\/(Users|Groups)\/?$/iu.test(path)
const isGroupPath = (path: string) => /^\/Groups(\/|$)/iu.test(path)
const DISCOVERY = /^\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/|$)/iu

const html = (status: number, title: string) =>
  `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><h1>${status} ${title}</h1><hr><center>nginx</center></body></html>`

const mapBooleans = (value: unknown): unknown => {
  if (typeof value === "boolean") return value ? "True" : "False"
  if (Array.isArray(value)) return value.map(mapBooleans)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapBooleans(v)]))
  }
  return value
}

/**
 * The express middleware. Mounted under the SCIM base path, before SCIMMY's router; it rewrites
 * the request (`req.query`, which Express 4 parses once) and the JSON answer (`res.json`).
 */
export const faultInjector = (faults: Faults, seen: Array<SeenRequest>) => (req: Request, res: Response, next: NextFunction) => {
  seen.push({
    method: req.method,
    path: req.path,
    query: { ...(req.query as Record<string, string>) },
    headers: { authorization: req.header("authorization"), "if-match": req.header("if-match"), accept: req.header("accept"), "content-type": req.header("content-type") },
    body: req.body
  })
  const matches = (re: RegExp | undefined) => re === undefined || re.test(`${req.method} ${req.originalUrl}`)
  if (faults.rateLimit && faults.rateLimit.remaining > 0 && matches(faults.rateLimit.match)) {
    faults.rateLimit.remaining--
    res.status(429).set("Retry-After", String(faults.rateLimit.retryAfter)).type("application/scim+json")
    res.send(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429", detail: "Too many requests" }))
    return
  }
  if (faults.html502 && faults.html502.remaining > 0 && matches(faults.html502.match)) {
    faults.html502.remaining--
    res.status(502).type("text/html").send(html(502, "Bad Gateway"))
    return
  }
  if (faults.preconditionFailed && faults.preconditionFailed.remaining > 0 && req.method !== "GET" && req.header("if-match") !== undefined) {
    faults.preconditionFailed.remaining--
    res.status(412).type("application/scim+json")
    res.send(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "412", detail: "Precondition failed: version mismatch" }))
    return
  }
  if (faults.noDiscovery && DISCOVERY.test(req.path)) {
    res.status(404).type("text/html").send(html(404, "Not Found"))
    return
  }

  if (faults.ignoreFilteredRemove && req.method === "PATCH" && isGroupPath(req.path)) {
    const body = req.body as { Operations?: Array<{ op?: string; path?: string }> }
    if (body.Operations?.some((o) => o.op?.toLowerCase() === "remove" && /^members\[/iu.test(o.path ?? ""))) {
      body.Operations = [{ op: "add", path: "members", value: [] } as never]
    }
  }

  const query = req.query as Record<string, unknown>
  let cursorStart: number | undefined
  if (req.method === "GET" && isListPath(req.path)) {
    if (faults.cursorOnly) {
      const raw = typeof query.cursor === "string" ? query.cursor : ""
      const start = raw === "" ? 1 : decodeCursor(raw)
      if (start === undefined) {
        res.status(400).type("application/scim+json")
        res.send(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400", scimType: "invalidCursor", detail: "Unknown cursor" }))
        return
      }
      cursorStart = start
      query.startIndex = String(start)
      delete query.cursor
    }
    if (faults.ignoreCount) {
      query.startIndex = "1"
      query.count = "100000"
    }
    if (faults.pageCap !== undefined) {
      const asked = query.count === undefined ? 20 : Number(query.count)
      query.count = String(Math.min(asked, faults.pageCap))
    }
  }

  // SCIMMY's nested routers rewrite req.path before answering: remember what was asked.
  const path = req.path
  const json = res.json.bind(res)
  res.json = (original: unknown) => {
    let body = JSON.parse(JSON.stringify(original)) as Record<string, unknown>
    const isList = Array.isArray(body?.Resources)
    if (path.startsWith("/ServiceProviderConfig")) {
      if (faults.cursorOnly) {
        body.pagination = { cursor: true, index: false, defaultPaginationMethod: "cursor", defaultPageSize: 100, maxPageSize: 100, cursorTimeout: 3600 }
      }
      if (faults.etag) body.etag = { supported: true }
      if (faults.patchUnsupported) body.patch = { supported: false }
    }
    if (isGroupPath(path) && faults.groupsWithoutMembers) {
      if (isList) for (const r of body.Resources as Array<Record<string, unknown>>) delete r.members
      else delete body.members
    }
    if (faults.etag && !isList && typeof body?.id === "string") {
      const meta = (body.meta ?? {}) as Record<string, unknown>
      const version = `W/"${String(meta.lastModified ?? "")}"`
      meta.version = version
      body.meta = meta
      res.set("ETag", version)
    }
    if (isList) {
      const total = Number(body.totalResults)
      const start = Number(body.startIndex)
      const count = (body.Resources as Array<unknown>).length
      if (cursorStart !== undefined) {
        delete body.startIndex
        delete body.totalResults
        if (start + count <= total && count > 0) body.nextCursor = encodeCursor(cursorStart + count)
      }
      if (faults.totalDrift !== undefined && body.totalResults !== undefined) body.totalResults = Math.max(0, total + faults.totalDrift)
      if (faults.pageCap !== undefined) body.itemsPerPage = count
    }
    if (faults.stringBooleans) body = mapBooleans(body) as Record<string, unknown>
    if (faults.lowercaseEnvelope && (isList || body.Resources !== undefined)) {
      body = Object.fromEntries(Object.entries(body).map(([k, v]) => [k === "schemas" ? k : k.toLowerCase(), v]))
    }
    if (faults.patchNoContent && req.method === "PATCH" && res.statusCode === 200) {
      res.status(204)
      res.end()
      return res
    }
    return json(body)
  }
  next()
}
