import express from "express"
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import SCIMMYRouters from "scimmy-routers"
import { faultInjector, type Faults, type SeenRequest } from "./FaultInjector.ts"
import { declareResources, resetStore, store } from "./ScimStore.ts"

/**
 * A real SCIM 2.0 server for tests: SCIMMY + scimmy-routers on express 4, bound to 127.0.0.1 on a
 * free port, behind the fault injector, with a tiny OAuth 2.0 token endpoint beside it
 * (`POST /{tenant}/oauth2/v2.0/token`, Entra's path shape) that counts the tokens it issues.
 * It accepts a static bearer token, HTTP Basic, and the tokens it issued (until they expire or
 * are revoked).
 */
export interface ScimTestServer {
  /** `http://127.0.0.1:<port>/scim/v2` */
  readonly baseUrl: string
  /** `http://127.0.0.1:<port>` (the OAuth authority host) */
  readonly origin: string
  readonly tokenUrl: (tenant?: string) => string
  readonly faults: Faults
  readonly requests: Array<SeenRequest>
  readonly store: typeof store
  readonly oauth: {
    tokenRequests: number
    /**
     * The `expires_in` the endpoint advertises. Tokens stay valid at least 60 s whatever it says,
     * so a test can advertise 0 to drive the client's refresh-before-expiry path.
     */
    expiresIn: number
    /** Scopes asked for, in order. */
    readonly scopes: Array<string>
    /** Make every issued token invalid (as after a key rotation): the next SCIM call gets 401. */
    readonly revokeAll: () => void
  }
  /** Forget data, faults, requests and tokens. */
  readonly reset: () => void
  readonly close: () => Promise<void>
}

export const STATIC_TOKEN = "test-static-token"
export const BASIC = { username: "scim-admin", password: "s3cret-basic" }
export const OAUTH_CLIENT = { clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "oauth-client-secret" }

export const startScimTestServer = async (
  options: { readonly port?: number; readonly tls?: { readonly certPem: string; readonly keyPem: string } } = {}
): Promise<ScimTestServer> => {
  declareResources()
  const faults: Faults = {}
  const requests: Array<SeenRequest> = []
  const issued = new Map<string, number>()
  const oauth = {
    tokenRequests: 0,
    expiresIn: 3600,
    scopes: [] as Array<string>,
    revokeAll: () => issued.clear()
  }

  const app = express()
  app.post("/:tenant/oauth2/v2.0/token", express.urlencoded({ extended: false }), (req, res) => {
    oauth.tokenRequests++
    const body = req.body as Record<string, string | undefined>
    oauth.scopes.push(body.scope ?? "")
    if (body.grant_type !== "client_credentials") {
      res.status(400).json({ error: "unsupported_grant_type", error_description: "AADSTS70003: grant type not supported" })
      return
    }
    if (body.client_id !== OAUTH_CLIENT.clientId || body.client_secret !== OAUTH_CLIENT.clientSecret) {
      res.status(401).json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." })
      return
    }
    const token = randomBytes(24).toString("base64url")
    issued.set(token, Date.now() + Math.max(oauth.expiresIn, 60) * 1000)
    res.json({ token_type: "Bearer", access_token: token, expires_in: oauth.expiresIn })
  })

  const authorized = (header: string | undefined): boolean => {
    if (header === `Bearer ${STATIC_TOKEN}`) return true
    if (header === `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString("base64")}`) return true
    const bearer = /^Bearer (.+)$/u.exec(header ?? "")?.[1]
    const expires = bearer === undefined ? undefined : issued.get(bearer)
    return expires !== undefined && expires > Date.now()
  }

  app.use(
    "/scim/v2",
    express.json({ type: ["application/scim+json", "application/json"] }),
    faultInjector(faults, requests),
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (!authorized(req.header("authorization"))) throw new Error("Authorization failed: unknown or expired credentials")
        return "test-client"
      }
    }) as unknown as express.RequestHandler
  )

  const server: http.Server =
    options.tls === undefined ? http.createServer(app) : https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, app)
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", () => resolve()))
  const port = (server.address() as AddressInfo).port
  const origin = `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`

  return {
    baseUrl: `${origin}/scim/v2`,
    origin,
    tokenUrl: (tenant = "contoso") => `${origin}/${tenant}/oauth2/v2.0/token`,
    faults,
    requests,
    store,
    oauth,
    reset: () => {
      resetStore()
      for (const k of Object.keys(faults)) delete faults[k as keyof Faults]
      requests.length = 0
      issued.clear()
      oauth.tokenRequests = 0
      oauth.expiresIn = 3600
      oauth.scopes.length = 0
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
  }
}
