import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { assertCaFileAllowed } from "@idconnect/core/TrustCa"
import type { ScimConfig } from "@idconnect/schemas/ModeConfig"
import type { SourceUsage } from "@idconnect/schemas/Run"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { checkUrl } from "./BaseUrlPolicy.ts"
import { classifyResponse, parseJsonBody } from "./ClassifyResponse.ts"
import { makeHttpTransport, type RawResponse } from "./HttpTransport.ts"
import { makeTokenSource, TokenCache, type TokenSource } from "./ScimAuth.ts"

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

export interface ScimRequest {
  readonly method: HttpMethod
  /** Path under the base URL, e.g. `/Users` or `/Groups/{id}` (ids already encoded: see `resourcePath`). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | number | undefined>> | undefined
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Statuses the caller handles itself (e.g. 404 on a lookup, 409 on create): returned, not failed. */
  readonly allow?: ReadonlyArray<number> | undefined
}

export interface ScimResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body; undefined for 204 and empty bodies. */
  readonly body: unknown
  /** The server's request id header, when it sends one (for audit). */
  readonly requestId: string | undefined
}

/** Tuning of the HTTP client. The defaults suit production; tests shorten the backoff. */
export interface ScimHttpOptions {
  /** Retries of one request on 429/5xx/network errors before the error surfaces. */
  readonly maxRetries?: number
  /** First backoff when the server gave no Retry-After; doubles each retry, with jitter. */
  readonly retryBaseDelayMs?: number
  /** A Retry-After longer than this is not waited for in-process: the error surfaces to the runner. */
  readonly maxRetryAfterSeconds?: number
  readonly timeoutMs?: number
  /** Shared OAuth token cache; the mode passes one per process. */
  readonly tokenCache?: TokenCache
}

/** `segments` joined under an endpoint, each encoded: `resourcePath("/Users", id)`. */
export const resourcePath = (endpoint: string, ...segments: ReadonlyArray<string>): string =>
  [endpoint.replace(/\/+$/u, ""), ...segments.map(encodeURIComponent)].join("/")

/**
 * Builds a query string with `URLSearchParams` (Entra rejects whitespace around `=`), encoding spaces
 * as `%20` rather than `+`, which some servers do not decode in filters.
 */
export const queryString = (query: Readonly<Record<string, string | number | undefined>> | undefined): string => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v))
  const s = params.toString().replace(/\+/gu, "%20")
  return s === "" ? "" : `?${s}`
}

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(["GET", "PUT", "DELETE", "PATCH"])

/**
 * The SCIM HTTP client of one connection: base URL policy, authentication (with one refresh and
 * retry on 401 for OAuth), SCIM media types, bounded retries honouring Retry-After, and one
 * classification of failures into `ConnectorError`. Build it per call with `ScimHttp.layer(config)`.
 *
 * @category services
 */
export class ScimHttp extends Context.Service<
  ScimHttp,
  {
    readonly baseUrl: URL
    readonly request: (request: ScimRequest) => Effect.Effect<ScimResponse, ConnectorError>
    /** The absolute URL a request would go to (plans show it). */
    readonly urlFor: (path: string, query?: ScimRequest["query"]) => string
    readonly authKind: TokenSource["kind"]
    /** What this client cost the server so far: requests sent and 429 answers (SCIM has no cost units). */
    readonly usage: () => SourceUsage
  }
>()("idconnect/scim/ScimHttp") {
  static readonly make = Effect.fn("ScimHttp.make")(function* (config: ScimConfig, options: ScimHttpOptions = {}) {
    const policy = { allowInsecureLoopback: config.allowInsecureLoopback }
    const baseUrl = yield* checkUrl(config.baseUrl, "baseUrl", policy)
    baseUrl.search = ""
    const tokenUrl = config.auth.type === "oauth-client-credentials" ? yield* checkUrl(config.auth.tokenUrl, "auth.tokenUrl", policy) : undefined
    let ca: string | undefined
    if (config.caFile !== undefined && config.caFile.trim() !== "") {
      yield* assertCaFileAllowed(config.caFile)
      try {
        ca = readFileSync(config.caFile, "utf8")
      } catch (cause) {
        return yield* ConnectorErrors.configInvalid({
          field: "caFile",
          message: `caFile '${config.caFile}' cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`
        })
      }
    }
    const transport = yield* Effect.acquireRelease(
      Effect.sync(() => makeHttpTransport({ ca, timeoutMs: options.timeoutMs })),
      (t) => Effect.sync(() => t.close())
    )
    const tokens = makeTokenSource(config.auth, { transport, tokenUrl, cache: options.tokenCache ?? new TokenCache() })
    const maxRetries = options.maxRetries ?? 4
    const baseDelay = options.retryBaseDelayMs ?? 1000
    const maxRetryAfter = options.maxRetryAfterSeconds ?? 120
    const basePath = baseUrl.pathname.replace(/\/+$/u, "")
    let requests = 0
    let throttled = 0

    const urlFor = (path: string, query?: ScimRequest["query"]) =>
      `${baseUrl.origin}${basePath}${path.startsWith("/") ? path : `/${path}`}${queryString(query)}`

    const sendOnce = (request: ScimRequest, authorization: Redacted.Redacted<string>) => {
      const url = new URL(urlFor(request.path, request.query))
      const body = request.body === undefined ? undefined : JSON.stringify(request.body)
      requests++
      return transport.send(
        {
          method: request.method,
          url,
          headers: {
            accept: "application/scim+json, application/json",
            authorization: Redacted.value(authorization),
            ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
            ...request.headers
          },
          body
        },
        "baseUrl"
      )
    }

    const retryable = (error: ConnectorError, method: HttpMethod): boolean => {
      if (error.code === "RateLimited") return true
      if (error.code !== "Unavailable") return false
      // A POST that may have reached the server is not repeated blindly (it could create twice);
      // 503 with Retry-After and connection failures mean it did not.
      if (IDEMPOTENT.has(method)) return true
      return error.reason._tag === "Unavailable" && (error.reason.status === undefined || (error.reason.status === 503 && error.retryAfterSeconds !== undefined))
    }

    const request = Effect.fn("ScimHttp.request")(function* (req: ScimRequest): Effect.fn.Return<ScimResponse, ConnectorError> {
      const where = `${req.method} ${basePath}${req.path}`
      let refreshed = false
      for (let attempt = 0; ; attempt++) {
        const authorization = yield* tokens.authorization
        const outcome = yield* Effect.result(sendOnce(req, authorization))
        let response: RawResponse | undefined
        let failure: ConnectorError | undefined
        if (outcome._tag === "Failure") failure = outcome.failure
        else {
          response = outcome.success
          if (response.status === 429) throttled++
          if (response.status === 401 && tokens.refreshable && !refreshed) {
            refreshed = true
            yield* tokens.invalidate
            attempt--
            continue
          }
          if (!req.allow?.includes(response.status)) failure = classifyResponse(response, where)
        }
        if (failure === undefined && response !== undefined) {
          const body = parseJsonBody(response)
          if (body === undefined && response.status >= 200 && response.status < 300 && response.status !== 204 && response.text.trim() !== "" && req.method === "GET") {
            return yield* ConnectorErrors.configInvalid(
              {
                field: "baseUrl",
                message: `${where} answered ${response.status} with ${response.headers["content-type"] ?? "a non-JSON body"}, not SCIM JSON: check baseUrl (it usually ends in /scim/v2)`
              },
              where
            )
          }
          return {
            status: response.status,
            headers: response.headers,
            body,
            requestId: response.headers["request-id"] ?? response.headers["x-request-id"] ?? response.headers["client-request-id"]
          }
        }
        const error = failure!
        const wait = error.retryAfterSeconds
        if (!retryable(error, req.method) || attempt >= maxRetries || (wait !== undefined && wait > maxRetryAfter)) {
          return yield* error
        }
        const delayMs = wait !== undefined ? wait * 1000 : baseDelay * 2 ** attempt * (0.75 + Math.random() / 2)
        yield* Effect.logWarning(`${error.message}; retrying in ${Math.round(delayMs)} ms`)
        yield* Effect.sleep(Duration.millis(delayMs))
      }
    })

    return ScimHttp.of({
      baseUrl,
      request,
      urlFor,
      authKind: tokens.kind,
      usage: () => ({ requests, resourceUnits: 0, throttled })
    })
  })

  /** The client for one config; scoped: its sockets close with the scope. */
  static layer(config: ScimConfig, options?: ScimHttpOptions): Layer.Layer<ScimHttp, ConnectorError> {
    return Layer.effect(ScimHttp, ScimHttp.make(config, options))
  }
}
