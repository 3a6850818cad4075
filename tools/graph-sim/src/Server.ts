import { randomUUID } from "node:crypto"
import type { HttpBindings } from "@hono/node-server"
import { Hono } from "hono"
import { adminApp } from "./admin/AdminApi.ts"
import type { GraphRequest, GraphResponse } from "./graph/Context.ts"
import { errorBody } from "./graph/GraphError.ts"
import { type GraphHost, handleGraph, JSON_CONTENT_TYPE } from "./graph/GraphPipeline.ts"
import { StsError, stsErrorBody } from "./sts/StsError.ts"
import type { SimTenant } from "./tenant/SimTenant.ts"

/** What the HTTP layer needs from a running simulator. */
export interface SimServerState extends GraphHost {
  readonly tenants: ReadonlyArray<SimTenant>
  readonly info: () => unknown
}

/** Scheme + authority the client used, so every link points back at the address it connected to. */
const originOf = (req: Request): string => {
  const host = req.headers.get("host") ?? new URL(req.url).host
  return `https://${host}`
}

const toResponse = (res: GraphResponse): Response => {
  const headers = new Headers(res.headers)
  if (res.body !== undefined) return new Response(JSON.stringify(res.body), { status: res.status, headers })
  if (res.text !== undefined) return new Response(res.text, { status: res.status, headers })
  return new Response(null, { status: res.status, headers })
}

const graphRequest = async (req: Request, origin: string): Promise<GraphRequest | GraphResponse> => {
  const url = new URL(req.url)
  const requestId = randomUUID()
  const clientRequestId = req.headers.get("client-request-id") ?? requestId
  const headers = new Map<string, string>()
  req.headers.forEach((v, k) => headers.set(k.toLowerCase(), v))
  let body: unknown
  if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "DELETE") {
    const text = await req.text()
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text)
      } catch {
        return {
          status: 400,
          headers: { "content-type": JSON_CONTENT_TYPE, "request-id": requestId, "client-request-id": clientRequestId },
          body: errorBody("BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.", requestId, clientRequestId, Date.now())
        }
      }
    }
  }
  const pairs = [...url.searchParams.entries()]
  return {
    method: req.method.toUpperCase(),
    path: url.pathname.replace(/^\/v1\.0/i, "") || "/",
    query: new Map(pairs.map(([k, v]) => [k.toLowerCase(), v])),
    queryPairs: pairs,
    headers,
    body,
    origin,
    requestId,
    clientRequestId
  }
}

/** The simulator's HTTP surface: Entra token side, Graph v1.0, and the operator API under /_sim. */
export const createApp = (state: SimServerState): Hono<{ Bindings: HttpBindings }> => {
  const app = new Hono<{ Bindings: HttpBindings }>()
  const tokens = state.tokens

  app.get("/common/discovery/instance", (c) => c.json(tokens.instanceDiscovery(originOf(c.req.raw)) as object))
  app.get("/:tenant/v2.0/.well-known/openid-configuration", (c) => {
    const r = tokens.openIdConfiguration(originOf(c.req.raw), c.req.param("tenant"))
    return c.json(r.body as object, r.status as 200)
  })
  app.get("/:tenant/discovery/v2.0/keys", (c) => c.json(tokens.jwks() as object))
  app.get("/error", (c) => c.text(`AADSTS${c.req.query("code") ?? ""}`))
  app.post("/:tenant/oauth2/v2.0/token", async (c) => {
    const origin = originOf(c.req.raw)
    const form = new URLSearchParams(await c.req.text())
    const correlation = c.req.query("client-request-id") ?? c.req.header("client-request-id") ?? undefined
    const tenantSegment = c.req.param("tenant")
    const counted = tokens.findTenant(tenantSegment)
    try {
      const { body, tenant } = tokens.issue(origin, tenantSegment, form)
      tenant.counters.token(true)
      return c.json(body, 200, { "cache-control": "no-store, no-cache", pragma: "no-cache" })
    } catch (e) {
      if (!(e instanceof StsError)) throw e
      counted?.counters.token(false)
      return c.json(stsErrorBody(e, origin, correlation), e.status as 400, { "cache-control": "no-store, no-cache" })
    }
  })

  app.all("/v1.0/*", async (c) => {
    const parsed = await graphRequest(c.req.raw, originOf(c.req.raw))
    if (!("origin" in parsed)) return toResponse(parsed)
    const outcome = await handleGraph(state, parsed)
    if (outcome.kind === "reset") {
      // Injected fault: drop the TCP connection without an HTTP response.
      c.env.incoming.socket.destroy()
      return new Response(null, { status: 500 })
    }
    return toResponse(outcome.res)
  })

  app.route("/_sim", adminApp(state))
  app.notFound((c) => c.json({ error: { code: "NotFound", message: `No simulator endpoint at ${c.req.path}` } }, 404))
  app.onError((err, c) => {
    console.error("graph-sim: unhandled error", err)
    return c.json({ error: { code: "Service_InternalServerError", message: String(err) } }, 500)
  })
  return app
}
