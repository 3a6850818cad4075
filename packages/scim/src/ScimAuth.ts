import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import type { ScimAuth } from "@idconnect/schemas/ModeConfig"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Semaphore from "effect/Semaphore"
import { createHash } from "node:crypto"
import { classifyResponse, parseJsonBody } from "./ClassifyResponse.ts"
import { asInt, asNonBlank, getCi, readErrorBody } from "./Envelope.ts"
import type { HttpTransport } from "./HttpTransport.ts"

/**
 * Where the `Authorization` header comes from. `refreshable` sources (OAuth client credentials)
 * can be told that the server refused their token (`invalidate`); the client then asks for a new
 * one and retries once.
 */
export interface TokenSource {
  readonly kind: ScimAuth["type"]
  readonly authorization: Effect.Effect<Redacted.Redacted<string>, ConnectorError>
  readonly refreshable: boolean
  readonly invalidate: Effect.Effect<void>
}

interface CachedToken {
  readonly token: Redacted.Redacted<string>
  /** When to stop using it: some time before the token's real expiry. */
  readonly refreshAt: number
}

/**
 * OAuth tokens shared by every call of one mode instance (check, extract, plan, apply), keyed by
 * token URL + client + scope + a hash of the secret, so a rotated secret gets a new token.
 * Create one per process (the mode does) and reuse it.
 */
export class TokenCache {
  private readonly entries = new Map<string, CachedToken>()
  private readonly locks = new Map<string, Semaphore.Semaphore>()
  /** Token requests sent, for operators and tests. */
  tokenRequests = 0

  get(key: string): CachedToken | undefined {
    return this.entries.get(key)
  }
  set(key: string, token: CachedToken): void {
    this.entries.set(key, token)
  }
  delete(key: string): void {
    this.entries.delete(key)
  }
  lock(key: string): Semaphore.Semaphore {
    let lock = this.locks.get(key)
    if (lock === undefined) {
      lock = Semaphore.makeUnsafe(1)
      this.locks.set(key, lock)
    }
    return lock
  }
}

/** Seconds before expiry at which a cached token is replaced: 5 minutes, or half its life if shorter. */
const refreshMargin = (expiresInSeconds: number): number => Math.min(300, expiresInSeconds / 2)

const OAUTH_CONFIG_ERRORS = new Set(["invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope", "invalid_request", "unsupported_grant_type"])

const requestToken = Effect.fn("ScimAuth.requestToken")(function* (
  auth: Extract<ScimAuth, { type: "oauth-client-credentials" }>,
  tokenUrl: URL,
  transport: HttpTransport
): Effect.fn.Return<{ token: Redacted.Redacted<string>; expiresIn: number }, ConnectorError> {
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: auth.clientId, client_secret: Redacted.value(auth.clientSecret) })
  if (auth.scope !== undefined && auth.scope.trim() !== "") form.set("scope", auth.scope)
  const where = `POST ${tokenUrl.origin}${tokenUrl.pathname}`
  const response = yield* transport.send(
    {
      method: "POST",
      url: tokenUrl,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString()
    },
    "auth.tokenUrl"
  )
  const body = parseJsonBody(response)
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    const err = readErrorBody(body)
    const code = err?.detail?.match(/AADSTS\d+/u)?.[0] ?? err?.scimType ?? `HTTP ${response.status}`
    if (response.status !== 400 || err?.scimType === undefined || OAUTH_CONFIG_ERRORS.has(err.scimType)) {
      return yield* ConnectorErrors.credentialsRejected(
        {
          message: `The OAuth token endpoint refused the client credentials: ${err?.scimType ?? response.status}${err?.detail === undefined ? "" : ` - ${err.detail}`}`,
          code,
          fix: "Check auth.clientId, auth.clientSecret (not expired) and auth.scope, and that the client may use the client-credentials grant."
        },
        where
      )
    }
  }
  const failure = classifyResponse(response, where)
  if (failure !== undefined) {
    if (failure.code === "NotFound") {
      return yield* ConnectorErrors.configInvalid({ field: "auth.tokenUrl", message: `The token URL ${tokenUrl.href} answered 404: check auth.tokenUrl` }, where)
    }
    return yield* failure
  }
  const accessToken = asNonBlank(getCi(body, "access_token"))
  if (accessToken === undefined) {
    return yield* ConnectorErrors.configInvalid(
      { field: "auth.tokenUrl", message: `The token URL ${tokenUrl.href} did not return an access_token: is it an OAuth 2.0 token endpoint?` },
      where
    )
  }
  return { token: Redacted.make(accessToken), expiresIn: asInt(getCi(body, "expires_in")) ?? 3600 }
})

/**
 * Builds the token source for a config's `auth`. `tokenUrl` is the already policy-checked token
 * endpoint (OAuth only).
 */
export const makeTokenSource = (
  auth: ScimAuth,
  deps: { readonly transport: HttpTransport; readonly tokenUrl: URL | undefined; readonly cache: TokenCache }
): TokenSource => {
  switch (auth.type) {
    case "bearer": {
      const header = Effect.sync(() => Redacted.make(`Bearer ${Redacted.value(auth.token)}`))
      return { kind: auth.type, authorization: header, refreshable: false, invalidate: Effect.void }
    }
    case "basic": {
      const header = Effect.sync(() =>
        Redacted.make(`Basic ${Buffer.from(`${auth.username}:${Redacted.value(auth.password)}`, "utf8").toString("base64")}`)
      )
      return { kind: auth.type, authorization: header, refreshable: false, invalidate: Effect.void }
    }
    case "oauth-client-credentials": {
      const tokenUrl = deps.tokenUrl
      const secretHash = createHash("sha256").update(Redacted.value(auth.clientSecret)).digest("base64url")
      const key = [auth.tokenUrl, auth.clientId, auth.scope ?? "", secretHash].join("\u0000")
      const { cache, transport } = deps
      const fresh = (now: number) => {
        const hit = cache.get(key)
        return hit !== undefined && now < hit.refreshAt ? hit : undefined
      }
      const authorization = Effect.gen(function* () {
        if (tokenUrl === undefined) return yield* ConnectorErrors.configInvalid({ field: "auth.tokenUrl", message: "auth.tokenUrl is required" })
        const cached = fresh(yield* Clock.currentTimeMillis)
        if (cached !== undefined) return cached.token
        return yield* cache.lock(key).withPermit(
          Effect.gen(function* () {
            const again = fresh(yield* Clock.currentTimeMillis)
            if (again !== undefined) return again.token
            cache.tokenRequests++
            const got = yield* requestToken(auth, tokenUrl, transport)
            const now = yield* Clock.currentTimeMillis
            cache.set(key, { token: got.token, refreshAt: now + (got.expiresIn - refreshMargin(got.expiresIn)) * 1000 })
            return got.token
          })
        )
      }).pipe(Effect.map((token) => Redacted.make(`Bearer ${Redacted.value(token)}`)))
      return { kind: auth.type, authorization, refreshable: true, invalidate: Effect.sync(() => cache.delete(key)) }
    }
  }
}
