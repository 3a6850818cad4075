import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity"
import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import type { SourceUsage } from "@idconnect/schemas/Run"
import {
  AuthenticationHandler,
  Client,
  type Context as GraphContext,
  GraphClientError,
  type Middleware,
  type MiddlewareOptions,
  ResponseType,
  TelemetryHandler
} from "@microsoft/microsoft-graph-client"
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { type Endpoints, resolveEndpoints } from "./Clouds.ts"
import { classifyGraphError, classifyTransportError, type GraphHttpResult, retryAfterSeconds } from "./GraphErrors.ts"
import { estimateCost, type Lane, laneOf, requestKind, ResourceBudget, type ResourceBudgetOptions } from "./ResourceBudget.ts"
import { classifyTokenError, looksLikeGuid, type TokenContext } from "./TokenErrors.ts"
import { trustCaFile } from "@idconnect/core/TrustCa"

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE"

/** A Graph response: status, lower-cased headers and the parsed JSON body (or text). */
export interface GraphResponse extends GraphHttpResult {
  readonly body: any
}

/** One page of a collection. `url` is what produced it, so a resumed run can fetch it again. */
export interface GraphPage {
  readonly url: string
  readonly items: ReadonlyArray<Record<string, any>>
  readonly nextLink?: string
  readonly deltaLink?: string
}

/** One request inside `$batch`; `url` is relative to the version root (`/groups/{id}/members?...`). */
export interface BatchRequest {
  readonly method: HttpMethod
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
}

export interface BatchResult extends GraphResponse {
  readonly request: BatchRequest
}

/** What the app-only token says about the app: its granted application permissions and identity. */
export interface AccessTokenInfo {
  /** Application permissions granted and consented (the `roles` claim). */
  readonly roles: ReadonlyArray<string>
  readonly tenantId?: string
  /** Object id of the app's service principal in the tenant (`oid`). */
  readonly servicePrincipalId?: string
  readonly appId?: string
  readonly expiresOn: number
}

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  /**
   * `false` for writes that are not safe to repeat blindly (lifecycle): a 5xx answer is returned and
   * a lost connection fails at once, because Graph may have applied the write anyway; the caller
   * re-reads the state before retrying. 429 is still waited out and retried (Graph did not process
   * it). Default `true`.
   */
  readonly retryAmbiguous?: boolean
}

/**
 * The one door to Microsoft Graph. Built on @azure/identity (client secret or certificate) and
 * @microsoft/microsoft-graph-client with our own middleware chain (authentication, telemetry,
 * transport) and no library retry handler: retries and pacing belong to `ResourceBudget`, so a
 * 429 pauses every caller instead of each retrying on its own. Reads and lifecycle writes both go
 * through it, so they share the budget and the error classification.
 *
 * - `send` returns any HTTP answer; it only retries what is transient (429, 5xx, network).
 * - `get`/`post`/`patch`/`delete` fail with a classified `ConnectorError` on non-2xx.
 * - `pages` follows `@odata.nextLink` verbatim; the last page carries `@odata.deltaLink`.
 * - `batch` sends any number of requests as `$batch` calls of 20 and re-posts throttled items.
 *
 * @category services
 */
export class GraphClient extends Context.Service<
  GraphClient,
  {
    readonly endpoints: Endpoints
    readonly send: (method: HttpMethod, pathOrUrl: string, options?: RequestOptions) => Effect.Effect<GraphResponse, ConnectorError>
    readonly get: (pathOrUrl: string, options?: RequestOptions) => Effect.Effect<any, ConnectorError>
    readonly post: (path: string, body: unknown, options?: RequestOptions) => Effect.Effect<any, ConnectorError>
    readonly patch: (path: string, body: unknown, options?: RequestOptions) => Effect.Effect<any, ConnectorError>
    readonly delete: (path: string, options?: RequestOptions) => Effect.Effect<void, ConnectorError>
    readonly page: (pathOrUrl: string, options?: RequestOptions) => Effect.Effect<GraphPage, ConnectorError>
    readonly pages: (pathOrUrl: string, options?: RequestOptions) => Stream.Stream<GraphPage, ConnectorError>
    readonly batch: (requests: ReadonlyArray<BatchRequest>) => Effect.Effect<ReadonlyArray<BatchResult>, ConnectorError>
    /** The relative form (`/groups/..`) of an absolute Graph link, for use inside `$batch`. */
    readonly relative: (url: string) => string
    readonly accessToken: () => Effect.Effect<AccessTokenInfo, ConnectorError>
    /**
     * What this client has cost Graph since it was made: requests (each `$batch` item counts, as
     * Graph's throttling counts them), resource units charged and 429 answers. The budget it paces
     * with is shared per app and tenant; these counts are this client's own.
     */
    readonly usage: () => SourceUsage
  }
>()("idconnect/connector-entra/GraphClient") {
  static readonly make = (config: EntraDirectConfig, tuning: GraphClientTuning = {}) =>
    Effect.gen(function* () {
      const budget = yield* ResourceBudget
      if (config.caFile !== undefined) yield* trustCaFile(config.caFile)
      const endpoints = resolveEndpoints(config)
      const { create, tokenContext } = yield* credentialFactory(config, endpoints)
      // The Graph client talks to whichever credential is current: a token Graph rejects before its
      // expiry (revoked, rotated keys) is replaced by building a fresh credential (MSAL caches per instance).
      let credential = yield* create()
      const current: TokenCredential = { getToken: (scopes, options) => credential.getToken(scopes, options) }
      const authProvider = new TokenCredentialAuthenticationProvider(current, { scopes: [endpoints.scope] })
      const client = Client.initWithMiddleware({
        baseUrl: `${endpoints.graphBaseUrl}/`,
        defaultVersion: "v1.0",
        customHosts: new Set(endpoints.graphHosts),
        middleware: [new AuthenticationHandler(authProvider), new TelemetryHandler(), new TransportHandler()]
      })
      const maxAttempts = tuning.maxAttempts ?? 6
      const timeoutMs = tuning.requestTimeoutMs ?? 100_000
      const batchConcurrency = tuning.batchConcurrency ?? 4

      let cachedToken: { info: AccessTokenInfo } | undefined
      const accessToken = (): Effect.Effect<AccessTokenInfo, ConnectorError> =>
        Effect.gen(function* () {
          const now = Date.now()
          if (cachedToken !== undefined && cachedToken.info.expiresOn - 300_000 > now) return cachedToken.info
          const token = yield* Effect.tryPromise({
            try: (signal) => credential.getToken(endpoints.scope, { abortSignal: signal }),
            catch: (error) => error
          }).pipe(Effect.catch((error) => diagnoseTokenFailure(endpoints, tokenContext, error)))
          if (token === null) {
            return yield* ConnectorErrors.credentialsRejected({ code: "token-request-failed", message: "Entra returned no access token" }, "token")
          }
          const info = { ...decodeClaims(token.token), expiresOn: token.expiresOnTimestamp }
          cachedToken = { info }
          return info
        })

      const absolute = (pathOrUrl: string): Effect.Effect<string, ConnectorError> => {
        if (/^https?:\/\//iu.test(pathOrUrl)) {
          return pathOrUrl.toLowerCase().startsWith(`${endpoints.graphBaseUrl.toLowerCase()}/`)
            ? Effect.succeed(pathOrUrl)
            : Effect.fail(
              ConnectorErrors.unexpected({
                message: `Refusing to follow a link outside ${endpoints.graphBaseUrl}: ${pathOrUrl.slice(0, 120)}`
              })
            )
        }
        return Effect.succeed(`${endpoints.graphRoot}${pathOrUrl.replace(/^\/+/u, "")}`)
      }

      const relative = (url: string): string =>
        url.toLowerCase().startsWith(endpoints.graphRoot.toLowerCase()) ? `/${url.slice(endpoints.graphRoot.length)}` : url

      /** One HTTP exchange, no retry. Transport failures are classified here. */
      const exchange = (method: HttpMethod, url: string, options: RequestOptions): Effect.Effect<GraphResponse, ConnectorError> =>
        Effect.tryPromise({
          try: async (signal) => {
            let request = client.api(url).responseType(ResponseType.RAW).middlewareOptions([new VerbatimUrl(url)]).option("signal", signal)
            if (options.headers !== undefined) request = request.headers({ ...options.headers })
            const response: Response = await (method === "GET"
              ? request.get()
              : method === "POST"
                ? request.post(options.body ?? {})
                : method === "PATCH"
                  ? request.patch(options.body ?? {})
                  : method === "PUT"
                    ? request.put(options.body ?? {})
                    : request.delete())
            const headers: Record<string, string> = {}
            response.headers.forEach((value, key) => {
              headers[key.toLowerCase()] = value
            })
            const text = response.status === 204 ? "" : await response.text()
            let body: unknown = text
            if (text !== "" && (headers["content-type"] ?? "").includes("json")) {
              try {
                body = JSON.parse(text)
              } catch {
                body = text
              }
            }
            return { status: response.status, headers, body } satisfies GraphResponse
          },
          catch: (error) => classifyTransportError(new URL(url).host, unwrapTransport(error))
        }).pipe(
          Effect.timeoutOrElse({
            duration: timeoutMs,
            orElse: () => Effect.fail(ConnectorErrors.unavailable({ message: `Microsoft Graph did not answer within ${timeoutMs / 1000} s` }, url))
          })
        )

      const used = { requests: 0, resourceUnits: 0, throttled: 0 }
      /**
       * Books an answer in this client's usage the way Graph's throttling counts requests: answered
       * and authenticated ones (a reset connection or a 401 is not charged to the app). Resource
       * units are what Graph reported; without the header, our estimate where the RU budget applies.
       */
      const book = (lane: Lane, charge: number, actual: number | undefined, status: number | undefined) => {
        if (status === undefined || status === 401) return
        used.requests++
        used.resourceUnits += actual ?? ((lane === "directory" || lane === "writes") && status < 500 ? charge : 0)
        if (status === 429) used.throttled++
      }
      /** Books one request (failed: `status` undefined) and settles its charge with the shared budget. */
      const settle = (lane: Lane, kind: string, charge: number, actual: number | undefined, status: number | undefined) => {
        book(lane, charge, actual, status)
        return budget.settle(lane, kind, charge, actual, status !== undefined && status < 400)
      }

      const isTransient = (status: number) => status === 429 || status === 500 || status === 502 || status === 503 || status === 504

      const pace = (lane: Lane, headers: Readonly<Record<string, string>>) => {
        const percentage = Number(headers["x-ms-throttle-limit-percentage"])
        return Number.isFinite(percentage) && percentage > 0 ? budget.nearLimit(lane, percentage) : Effect.void
      }

      /** Graph said 401 to a token we thought valid: start over with a new credential (once per request). */
      const renewCredential = Effect.gen(function* () {
        credential = yield* create()
        cachedToken = undefined
      })

      const send = (method: HttpMethod, pathOrUrl: string, options: RequestOptions = {}): Effect.Effect<GraphResponse, ConnectorError> =>
        Effect.gen(function* () {
          const url = yield* absolute(pathOrUrl)
          const kind = requestKind(method, url)
          const lane = laneOf(method, url)
          let renewed = false
          for (let attempt = 1; ; attempt++) {
            yield* accessToken()
            const charge = budget.costOf(kind, estimateCost(method, url))
            yield* budget.acquire(lane, charge)
            if (lane === "writes") yield* budget.acquire("directory", charge)
            const outcome = yield* Effect.result(exchange(method, url, options))
            if (outcome._tag === "Failure") {
              const error = outcome.failure
              yield* settle(lane, kind, charge, undefined, undefined)
              if (!error.isRetryable || attempt >= maxAttempts || options.retryAmbiguous === false) return yield* error
              yield* Effect.sleep(backoffMs(attempt))
              continue
            }
            const response = outcome.success
            yield* settle(lane, kind, charge, resourceUnits(response.headers), response.status)
            yield* pace(lane, response.headers)
            if (response.status === 401 && !renewed) {
              renewed = true
              yield* renewCredential
              continue
            }
            if (!isTransient(response.status) || attempt >= maxAttempts) return response
            if (options.retryAmbiguous === false && response.status !== 429) return response
            const retryAfter = retryAfterSeconds(response.headers)
            if (response.status === 429 || retryAfter !== undefined) {
              yield* budget.throttled(lane, retryAfter)
            } else {
              yield* Effect.sleep(backoffMs(attempt))
            }
          }
        })

      const expectOk = (method: HttpMethod, pathOrUrl: string, options?: RequestOptions) =>
        send(method, pathOrUrl, options).pipe(
          Effect.flatMap((response) =>
            response.status >= 200 && response.status < 300
              ? Effect.succeed(response.body)
              : Effect.fail(classifyGraphError(method, pathOrUrl, response))
          )
        )

      const page = (pathOrUrl: string, options?: RequestOptions): Effect.Effect<GraphPage, ConnectorError> =>
        expectOk("GET", pathOrUrl, options).pipe(Effect.flatMap((body) => toPage(pathOrUrl, body)))

      const pages = (pathOrUrl: string, options?: RequestOptions): Stream.Stream<GraphPage, ConnectorError> =>
        Stream.paginate(pathOrUrl, (url: string) =>
          page(url, options).pipe(
            Effect.map((p) => [[p], p.nextLink === undefined ? Option.none<string>() : Option.some(p.nextLink)] as const)
          ))

      /** One `$batch` call of at most 20 requests; re-posts the items Graph throttled or failed transiently. */
      const batchOnce = (requests: ReadonlyArray<BatchRequest>): Effect.Effect<ReadonlyArray<BatchResult>, ConnectorError> =>
        Effect.gen(function* () {
          const results = new Map<number, BatchResult>()
          let pending = requests.map((request, index) => ({ request, index }))
          for (let attempt = 1; pending.length > 0; attempt++) {
            yield* accessToken()
            const kinds = pending.map(({ request }) => {
              const kind = requestKind(request.method, request.url)
              return { kind, charge: budget.costOf(kind, estimateCost(request.method, request.url)) }
            })
            const lane = laneOf(pending[0]!.request.method, pending[0]!.request.url)
            yield* budget.acquire(lane, kinds.reduce((sum, k) => sum + k.charge, 0))
            const body = {
              requests: pending.map(({ request, index }) => ({
                id: String(index + 1),
                method: request.method,
                url: request.url,
                ...(request.body === undefined
                  ? request.headers === undefined ? {} : { headers: request.headers }
                  : { body: request.body, headers: { "content-type": "application/json", ...request.headers } })
              }))
            }
            const url = `${endpoints.graphRoot}$batch`
            const outcome = yield* Effect.result(exchange("POST", url, { body }))
            if (outcome._tag === "Failure") {
              if (!outcome.failure.isRetryable || attempt >= maxAttempts) return yield* outcome.failure
              yield* Effect.sleep(backoffMs(attempt))
              continue
            }
            const envelope = outcome.success
            // A $batch answered as a whole (throttled, unavailable) is one request to Graph.
            if (envelope.status !== 200) book(lane, 0, resourceUnits(envelope.headers), envelope.status)
            if (envelope.status === 401 && attempt === 1) {
              yield* renewCredential
              continue
            }
            if (envelope.status !== 200) {
              const error = classifyGraphError("POST", url, envelope)
              if (!error.isRetryable || attempt >= maxAttempts) return yield* error
              if (envelope.status === 429) yield* budget.throttled(lane, retryAfterSeconds(envelope.headers))
              else yield* Effect.sleep(backoffMs(attempt))
              continue
            }
            const responses: ReadonlyArray<any> = Array.isArray(envelope.body?.responses) ? envelope.body.responses : []
            const retry: typeof pending = []
            let throttledFor: number | undefined
            let throttled = false
            for (const [i, { request, index }] of pending.entries()) {
              const item = responses.find((r) => String(r?.id) === String(index + 1))
              const headers = lowerKeys(item?.headers)
              const status = typeof item?.status === "number" ? item.status : 500
              yield* settle(lane, kinds[i]!.kind, kinds[i]!.charge, resourceUnits(headers), status)
              yield* pace(lane, headers)
              const result: BatchResult = { request, status, headers, body: item?.body }
              if (isTransient(status) && attempt < maxAttempts) {
                retry.push({ request, index })
                if (status === 429) throttled = true
                const after = retryAfterSeconds(headers)
                if (after !== undefined) throttledFor = Math.max(throttledFor ?? 0, after)
              } else {
                results.set(index, result)
              }
            }
            pending = retry
            if (pending.length > 0) {
              if (throttled || throttledFor !== undefined) yield* budget.throttled(lane, throttledFor)
              else yield* Effect.sleep(backoffMs(attempt))
            }
          }
          return requests.map((_, index) => results.get(index)!)
        })

      const batch = (requests: ReadonlyArray<BatchRequest>) =>
        Effect.forEach(chunksOf(requests, 20), batchOnce, { concurrency: batchConcurrency }).pipe(Effect.map((parts) => parts.flat()))

      return GraphClient.of({
        endpoints,
        send,
        get: (pathOrUrl, options) => expectOk("GET", pathOrUrl, options),
        post: (path, body, options) => expectOk("POST", path, { ...options, body }),
        patch: (path, body, options) => expectOk("PATCH", path, { ...options, body }),
        delete: (path, options) => Effect.asVoid(expectOk("DELETE", path, options)),
        page,
        pages,
        batch,
        relative,
        accessToken,
        usage: () => ({ requests: used.requests, resourceUnits: Math.round(used.resourceUnits), throttled: used.throttled })
      })
    })

  /** The client for one integration's config, needing a `ResourceBudget`. */
  static readonly layer = (config: EntraDirectConfig, tuning?: GraphClientTuning) => Layer.effect(GraphClient, GraphClient.make(config, tuning))

  /**
   * The client with the budget of its app in its tenant, shared within the process (see
   * `ResourceBudget.layerShared`): what runs, checks and lifecycle operations use.
   */
  static readonly layerWithBudget = (config: EntraDirectConfig, options: GraphClientTuning & ResourceBudgetOptions = {}) =>
    GraphClient.layer(config, options).pipe(Layer.provideMerge(ResourceBudget.layerShared(budgetKey(config), options)))
}

/** Graph's limits are per app and tenant (and cloud): the key of the shared budget. */
const budgetKey = (config: EntraDirectConfig): string => {
  const endpoints = resolveEndpoints(config)
  return [endpoints.authorityHost, endpoints.graphBaseUrl, config.tenantId, config.clientId].join("|").toLowerCase()
}

/** Knobs for tests and benchmarks; the defaults suit production. */
export interface GraphClientTuning {
  /** Attempts per request on 429/5xx/network failures before the error goes to the runner. Default 6. */
  readonly maxAttempts?: number
  readonly requestTimeoutMs?: number
  /** `$batch` calls in flight at once (the budget paces them). Default 4. */
  readonly batchConcurrency?: number
}

/**
 * MSAL reports a refused OIDC metadata request (unknown tenant, for one) only as
 * "endpoints_resolution_error". Asking the metadata endpoint ourselves gets Entra's own answer
 * (e.g. AADSTS90002 tenant not found) and tells a wrong tenant ID from a network problem.
 */
const diagnoseTokenFailure = (endpoints: Endpoints, context: TokenContext, error: unknown): Effect.Effect<never, ConnectorError> =>
  Effect.gen(function* () {
    const text = error instanceof Error ? error.message : String(error)
    if (!/endpoints_resolution_error/iu.test(text) || /AADSTS\d+/u.test(text)) return yield* classifyTokenError(context, error).error
    const metadataUrl = `${endpoints.authorityHost}/${encodeURIComponent(context.tenantId)}/v2.0/.well-known/openid-configuration`
    const answer = yield* Effect.tryPromise({
      try: async (signal) => {
        const response = await fetch(metadataUrl, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
        return { status: response.status, text: await response.text() }
      },
      catch: (cause) => cause
    }).pipe(Effect.result)
    if (answer._tag === "Failure") return yield* classifyTokenError(context, answer.failure).error
    const description = /AADSTS\d+[^"]*/u.exec(answer.success.text)?.[0]
    return yield* classifyTokenError(context, description === undefined ? error : new Error(description)).error
  })

/** How to build the integration's credential (client secret or certificate), validated once. */
const credentialFactory = (config: EntraDirectConfig, endpoints: Endpoints) =>
  Effect.gen(function* () {
    // One retry at the HTTP level: the runner retries transient failures from its checkpoint, and check answers fast.
    const options = { authorityHost: endpoints.authorityHost, disableInstanceDiscovery: endpoints.customAuthority, retryOptions: { maxRetries: 1 } }
    const base = { tenantId: config.tenantId, clientId: config.clientId, authorityHost: endpoints.authorityHost }
    if (config.clientSecret !== undefined) {
      const secret = config.clientSecret
      const tokenContext: TokenContext = { ...base, auth: "secret", secretLooksLikeGuid: looksLikeGuid(Redacted.value(secret)) }
      const create = () =>
        constructCredential(() => new ClientSecretCredential(config.tenantId, config.clientId, Redacted.value(secret), options), "clientSecret")
      return { create, tokenContext }
    }
    if (config.certificate !== undefined) {
      const pem = Redacted.value(config.certificate)
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/u.test(pem) || !pem.includes("-----BEGIN CERTIFICATE-----")) {
        return yield* ConnectorErrors.configInvalid({
          field: "certificate",
          message: "certificate must be PEM text holding both the certificate and its private key"
        })
      }
      const tokenContext: TokenContext = { ...base, auth: "certificate", secretLooksLikeGuid: false }
      const create = () =>
        constructCredential(() => new ClientCertificateCredential(config.tenantId, config.clientId, { certificate: pem }, options), "certificate")
      return { create, tokenContext }
    }
    return yield* ConnectorErrors.configInvalid({
      field: "clientSecret",
      message: "Provide clientSecret (the client secret's value) or certificate (PEM with private key)"
    })
  })

const constructCredential = (make: () => TokenCredential, field: string) =>
  Effect.try({
    try: make,
    catch: (error) => ConnectorErrors.configInvalid({ field, message: `Cannot use the credentials: ${error instanceof Error ? error.message : String(error)}` })
  })

/** Reads the claims of the (JWT) app-only access token. Microsoft calls Graph tokens opaque; app tokens are JWTs in practice. */
export const decodeClaims = (token: string): Omit<AccessTokenInfo, "expiresOn"> => {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : []
    const str = (k: string) => (typeof payload[k] === "string" ? { [k]: payload[k] as string } : {})
    return {
      roles,
      ...(str("tid").tid === undefined ? {} : { tenantId: payload.tid as string }),
      ...(str("oid").oid === undefined ? {} : { servicePrincipalId: payload.oid as string }),
      ...(typeof payload.appid === "string" ? { appId: payload.appid } : typeof payload.azp === "string" ? { appId: payload.azp } : {})
    }
  } catch {
    return { roles: [] }
  }
}

const resourceUnits = (headers: Readonly<Record<string, string>>): number | undefined => {
  const raw = headers["x-ms-resource-unit"]
  const value = raw === undefined ? Number.NaN : Number(raw)
  return Number.isFinite(value) ? value : undefined
}

const backoffMs = (attempt: number): number => Math.min(30_000, 500 * 2 ** (attempt - 1))

const lowerKeys = (headers: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  if (typeof headers === "object" && headers !== null) {
    for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v)
  }
  return out
}

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const toPage = (url: string, body: any): Effect.Effect<GraphPage, ConnectorError> => {
  if (typeof body !== "object" || body === null || !Array.isArray(body.value)) {
    return Effect.fail(ConnectorErrors.unexpected({ message: `Expected a collection from ${url.split("?")[0]}`, detail: String(body).slice(0, 200) }))
  }
  return Effect.succeed({
    url,
    items: body.value,
    ...(typeof body["@odata.nextLink"] === "string" ? { nextLink: body["@odata.nextLink"] } : {}),
    ...(typeof body["@odata.deltaLink"] === "string" ? { deltaLink: body["@odata.deltaLink"] } : {})
  })
}

/**
 * Tells `TransportHandler` the exact URL to fetch. The Graph client rebuilds URLs from parsed
 * parts (reordering query options); nextLinks and deltaLinks must be followed verbatim.
 */
class VerbatimUrl implements MiddlewareOptions {
  readonly url: string
  constructor(url: string) {
    this.url = url
  }
}

/**
 * The last middleware: `fetch` with the verbatim URL and the headers the chain built (bearer
 * token included). It keeps transport errors (ECONNRESET, certificate problems) intact by
 * wrapping them in a `GraphClientError`, which the client rethrows as is.
 */
class TransportHandler implements Middleware {
  async execute(context: GraphContext): Promise<void> {
    const verbatim = context.middlewareControl?.getMiddlewareOptions(VerbatimUrl) as VerbatimUrl | undefined
    const url = verbatim?.url ?? (typeof context.request === "string" ? context.request : context.request.url)
    try {
      context.response = await fetch(url, context.options as RequestInit)
    } catch (error) {
      const wrapped = new GraphClientError(error instanceof Error ? error.message : String(error))
      wrapped.customError = error
      throw wrapped
    }
  }
  setNext(): void {}
}

const unwrapTransport = (error: unknown): unknown =>
  error instanceof GraphClientError && error.customError !== undefined ? error.customError : error
