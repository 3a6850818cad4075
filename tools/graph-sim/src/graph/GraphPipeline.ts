import { randomUUID } from "node:crypto"
import { setTimeout as sleep } from "node:timers/promises"
import { mulberry32, stringCode } from "../internal/Random.ts"
import type { SimTenant } from "../tenant/SimTenant.ts"
import type { TokenService } from "../sts/TokenService.ts"
import type { Caller, GraphContext, GraphRequest, GraphResponse } from "./Context.ts"
import { errorBody, GraphError } from "./GraphError.ts"
import { pathSegments, type RouteMatch, type Router } from "./Router.ts"

export const JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
const AGS_DIAGNOSTIC = JSON.stringify({ ServerInfo: { DataCenter: "Local", Slice: "E", Ring: "1", ScaleUnit: "000", RoleInstance: "graph-sim" } })
const MAX_BATCH = 20

/** Result of handling one HTTP request: a response, or "drop the connection" (injected reset). */
export type GraphOutcome = { readonly kind: "response"; readonly res: GraphResponse } | { readonly kind: "reset" }

export interface GraphHost {
  readonly tokens: TokenService
  readonly router: Router
}

const renderError = (req: GraphRequest, e: GraphError, now: number): GraphResponse => ({
  status: e.status,
  headers: { ...e.headers },
  body: errorBody(e.code, e.message, req.requestId, req.clientRequestId, now, e.innerCode)
})

const unauthorized = (req: GraphRequest, message: string): GraphResponse => ({
  status: 401,
  headers: {
    "www-authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`
  },
  body: errorBody("InvalidAuthenticationToken", message, req.requestId, req.clientRequestId, Date.now())
})

/** Resource-unit cost: the route's base cost with Microsoft's $select/$expand/$top modifiers, never below 1. */
export const resourceUnits = (m: RouteMatch, req: GraphRequest): number => {
  let ru = m.route.ru
  if (m.route.method === "GET") {
    if (req.query.has("$select")) ru -= 1
    if (req.query.has("$expand")) ru += 1
    const top = Number(req.query.get("$top"))
    if (req.query.has("$top") && Number.isFinite(top) && top < 20) ru -= 1
  }
  return Math.max(1, ru)
}

const pathClass = (m: RouteMatch): string => `${m.route.method} ${m.route.pattern}`

const authenticate = (host: GraphHost, req: GraphRequest): { caller: Caller; tenant: SimTenant } | GraphResponse => {
  const auth = req.headers.get("authorization")
  if (auth === undefined || auth.trim() === "" || !/^bearer\s+\S/i.test(auth)) return unauthorized(req, "Access token is empty.")
  const check = host.tokens.verify(auth.replace(/^bearer\s+/i, "").trim())
  if (!check.ok) return unauthorized(req, check.message)
  return {
    tenant: check.tenant,
    caller: { appId: check.claims.appid, servicePrincipalId: check.claims.oid, roles: new Set(check.claims.roles), tokenId: check.claims.uti }
  }
}

const finish = (req: GraphRequest, res: GraphResponse, ru: number, limitPercentage: number | undefined): GraphResponse => {
  res.headers["request-id"] = req.requestId
  res.headers["client-request-id"] = req.clientRequestId
  res.headers["x-ms-ags-diagnostic"] = AGS_DIAGNOSTIC
  res.headers["x-ms-resource-unit"] = String(ru)
  if (limitPercentage !== undefined) res.headers["x-ms-throttle-limit-percentage"] = String(limitPercentage)
  if (res.body !== undefined && res.headers["content-type"] === undefined) res.headers["content-type"] = JSON_CONTENT_TYPE
  res.ru = ru
  return res
}

/** Runs one request (or one $batch item) and tells the tenant's listeners how it was answered, whichever way. */
const dispatch = async (host: GraphHost, tenant: SimTenant, caller: Caller, req: GraphRequest): Promise<GraphResponse> => {
  const res = await answer(host, tenant, caller, req)
  tenant.requestServed({ method: req.method, path: req.path, status: res.status })
  return res
}

/** One request (or one $batch item) through routing, throttling, the handler and write faults. */
const answer = async (
  host: GraphHost,
  tenant: SimTenant,
  caller: Caller,
  req: GraphRequest
): Promise<GraphResponse> => {
  const now = Date.now()
  let match: RouteMatch
  try {
    match = host.router.match(req.method, pathSegments(req.path))
  } catch (e) {
    if (!(e instanceof GraphError)) throw e
    const res = finish(req, renderError(req, e, now), 1, undefined)
    tenant.counters.graph(`${req.method} (unmatched)`, res.status, 1, false)
    return res
  }
  const ru = resourceUnits(match, req)
  const cls = pathClass(match)
  const isWrite = match.route.limit === "write"
  const decision = tenant.throttle.charge(caller.appId, tenant.tenantId, tenant.size, match.route.limit, ru, now)
  if (!decision.ok) {
    const headers: Record<string, string> = { "x-ms-throttle-scope": decision.scope, "x-ms-throttle-information": decision.information }
    if (decision.retryAfter !== null) headers["retry-after"] = String(decision.retryAfter)
    const res = finish(req, renderError(req, new GraphError(429, "TooManyRequests", "Please retry again later.", headers, "429"), now), ru, undefined)
    tenant.counters.graph(cls, 429, ru, isWrite)
    return res
  }
  const ctx: GraphContext = {
    req,
    tenant,
    dir: tenant.dir,
    caller,
    params: match.params,
    cast: match.cast,
    eventual: (req.headers.get("consistencylevel") ?? "").toLowerCase() === "eventual"
  }
  let res: GraphResponse
  try {
    res = await match.route.handler(ctx)
    if (isWrite && res.status < 400 && tenant.faults.afterWrite()) {
      // The write happened; the caller just never hears about it.
      tenant.counters.fault("504AfterApply")
      res = renderError(req, new GraphError(504, "UnknownError", "The gateway did not receive a response from the upstream service in time."), now)
    }
  } catch (e) {
    if (!(e instanceof GraphError)) {
      console.error("graph-sim: handler failure", req.method, req.path, e)
      res = renderError(req, new GraphError(500, "Service_InternalServerError", "Encountered an internal server error."), now)
    } else {
      res = renderError(req, e, now)
    }
  }
  const out = finish(req, res, ru, decision.limitPercentage)
  tenant.counters.graph(cls, out.status, ru, isWrite)
  return out
}

/** Handles one HTTP request to /v1.0: authentication, injected faults, then dispatch or $batch. */
export const handleGraph = async (host: GraphHost, req: GraphRequest): Promise<GraphOutcome> => {
  const auth = authenticate(host, req)
  if ("status" in auth) {
    return { kind: "response", res: finishAnonymous(req, auth) }
  }
  const { tenant, caller } = auth
  const latency = tenant.faults.latencyMs()
  if (latency > 0) await sleep(latency)
  const fault = tenant.faults.before()
  if (fault === "reset") {
    tenant.counters.fault("reset")
    return { kind: "reset" }
  }
  if (fault === "503" || fault === "504") {
    tenant.counters.fault(fault)
    const e =
      fault === "503"
        ? new GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after some time.", { "retry-after": String(tenant.faults.spec.retryAfterSeconds ?? 1) })
        : new GraphError(504, "UnknownError", "The gateway did not receive a response from the upstream service in time.")
    tenant.counters.graph("(fault)", e.status, 0, false)
    return { kind: "response", res: finish(req, renderError(req, e, Date.now()), 0, undefined) }
  }
  if (req.method === "POST" && pathSegments(req.path).join("/") === "$batch") {
    return { kind: "response", res: await handleBatch(host, tenant, caller, req) }
  }
  return { kind: "response", res: await dispatch(host, tenant, caller, req) }
}

const finishAnonymous = (req: GraphRequest, res: GraphResponse): GraphResponse => {
  res.headers["request-id"] = req.requestId
  res.headers["client-request-id"] = req.clientRequestId
  res.headers["x-ms-resource-unit"] = "0"
  if (res.body !== undefined) res.headers["content-type"] = JSON_CONTENT_TYPE
  return res
}

interface BatchItem {
  readonly id: string
  readonly method: string
  readonly url: string
  readonly headers?: Record<string, string>
  readonly body?: unknown
  readonly dependsOn?: ReadonlyArray<string>
}

const batchError = (req: GraphRequest, message: string): GraphResponse =>
  finishAnonymous(req, { status: 400, headers: {}, body: errorBody("BadRequest", message, req.requestId, req.clientRequestId, Date.now()) })

/** Splits a batch item url (relative, with or without /v1.0, or absolute) into path and query. */
const itemPathAndQuery = (url: string): { path: string; search: string } => {
  let u = url.trim()
  const abs = /^https?:\/\/[^/]+(\/.*)?$/i.exec(u)
  if (abs !== null) u = abs[1] ?? "/"
  if (!u.startsWith("/")) u = "/" + u
  u = u.replace(/^\/(v1\.0|beta)(?=\/|$)/i, "")
  const q = u.indexOf("?")
  return q < 0 ? { path: u, search: "" } : { path: u.slice(0, q), search: u.slice(q + 1) }
}

/** POST /$batch: up to 20 items, each routed, throttled and counted on its own; 200 envelope. */
const handleBatch = async (host: GraphHost, tenant: SimTenant, caller: Caller, req: GraphRequest): Promise<GraphResponse> => {
  tenant.counters.batch()
  const body = req.body as { requests?: unknown } | undefined
  if (body === undefined || body === null || typeof body !== "object" || !Array.isArray(body.requests)) return batchError(req, "Invalid batch payload format.")
  const items = body.requests as BatchItem[]
  if (items.length > MAX_BATCH) return batchError(req, `The number of requests in the batch exceeds the limit of ${MAX_BATCH}.`)
  const seen = new Set<string>()
  for (const it of items) {
    if (it === null || typeof it !== "object" || typeof it.id !== "string" || typeof it.method !== "string" || typeof it.url !== "string") {
      return batchError(req, "Invalid batch payload format.")
    }
    const key = it.id.toLowerCase()
    if (seen.has(key)) return batchError(req, "Batch request contains duplicate request ids.")
    seen.add(key)
    const hasContentType = Object.keys(it.headers ?? {}).some((h) => h.toLowerCase() === "content-type")
    if (it.body !== undefined && it.body !== null && !hasContentType) return batchError(req, `Write request id : ${it.id} does not contain Content-Type header or body.`)
  }
  for (const it of items) {
    for (const d of it.dependsOn ?? []) if (!seen.has(d.toLowerCase())) return batchError(req, `Request id '${it.id}' depends on unknown request id '${d}'.`)
  }
  const results = new Map<string, GraphResponse>()
  const byId = new Map(items.map((it) => [it.id.toLowerCase(), it]))
  const run = async (it: BatchItem): Promise<GraphResponse> => {
    const done = results.get(it.id.toLowerCase())
    if (done !== undefined) return done
    for (const d of it.dependsOn ?? []) {
      const dep = await run(byId.get(d.toLowerCase())!)
      if (dep.status >= 400) {
        const failed: GraphResponse = {
          status: 424,
          headers: { "content-type": JSON_CONTENT_TYPE },
          body: errorBody("FailedDependency", `The request depends on request '${d}', which failed.`, req.requestId, req.clientRequestId, Date.now())
        }
        results.set(it.id.toLowerCase(), failed)
        return failed
      }
    }
    const { path, search } = itemPathAndQuery(it.url)
    const params = new URLSearchParams(search)
    const pairs = [...params.entries()]
    const headers = new Map<string, string>()
    for (const [k, v] of Object.entries(it.headers ?? {})) headers.set(k.toLowerCase(), String(v))
    const itemReq: GraphRequest = {
      method: it.method.toUpperCase(),
      path,
      query: new Map(pairs.map(([k, v]) => [k.toLowerCase(), v])),
      queryPairs: pairs,
      headers,
      body: it.body,
      origin: req.origin,
      requestId: randomUUID(),
      clientRequestId: req.clientRequestId
    }
    const res = await dispatch(host, tenant, caller, itemReq)
    results.set(it.id.toLowerCase(), res)
    return res
  }
  for (const it of items) await run(it)
  // Graph does not keep request order in the response; correlate by id.
  const order = items.map((it) => it.id)
  const rnd = mulberry32(stringCode(req.requestId))
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  let ruTotal = 0
  const responses = order.map((id) => {
    const r = results.get(id.toLowerCase())!
    ruTotal += r.ru ?? 0
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(r.headers)) {
      if (k === "request-id" || k === "client-request-id" || k === "x-ms-ags-diagnostic") continue
      headers[k === "content-type" ? "Content-Type" : k === "retry-after" ? "Retry-After" : k] = v
    }
    return { id, status: r.status, headers, ...(r.body !== undefined ? { body: r.body } : r.text !== undefined ? { body: r.text } : {}) }
  })
  return finish(req, { status: 200, headers: {}, body: { responses } }, ruTotal, undefined)
}
