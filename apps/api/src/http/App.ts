import { createHash, timingSafeEqual } from "node:crypto"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { Hono } from "hono"
import { cors } from "hono/cors"
import { honoPath, type AnyEndpoint } from "../contract/Endpoint.ts"
import type { Problem } from "../contract/Problem.ts"
import { ApiErrors, type ApiError } from "./ApiError.ts"
import { declaredLength, limitStream, readLimited } from "./BodyLimit.ts"
import type { Caller, Handler, RawReply, RawRequestBody, Reply } from "./Handler.ts"
import { parseJsonBody } from "./JsonBody.ts"
import { isServerFault, toProblem } from "./ProblemMapper.ts"
import { makeRateLimiter, type RateLimiter } from "./RateLimiter.ts"
import { requestValidator } from "./RequestValidator.ts"

/** The HTTP edge's limits and switches; `ApiConfig.ts` reads them from the environment. */
export interface HttpOptions {
  readonly jsonBodyLimitBytes: number
  readonly rawBodyLimitBytes: number
  readonly maxJsonDepth: number
  /** Token bucket per API key; undefined turns rate limiting off. */
  readonly rateLimit: { readonly capacity: number; readonly refillPerSecond: number } | undefined
  /** Origins allowed to call the API from a browser. Empty: CORS is off (no CORS headers at all). */
  readonly corsOrigins: ReadonlyArray<string>
  /** The operator's token for the admin endpoints; undefined disables them (401). */
  readonly adminToken: Redacted.Redacted<string> | undefined
  /** The URL clients reach the API at, when it differs from what the request says (a proxy). */
  readonly publicUrl?: string | undefined
}

export const defaultHttpOptions: HttpOptions = {
  jsonBodyLimitBytes: 1024 * 1024,
  rawBodyLimitBytes: 100 * 1024 * 1024,
  maxJsonDepth: 32,
  rateLimit: { capacity: 200, refillPerSecond: 100 },
  corsOrigins: [],
  adminToken: undefined
}

export interface AppDeps<R> {
  readonly endpoints: ReadonlyArray<AnyEndpoint>
  readonly handlers: Readonly<Record<string, Handler<any, R>>>
  readonly runtime: ManagedRuntime.ManagedRuntime<R, unknown>
  /** Verifies an API key pair; succeeds with the caller, or undefined when the pair is not valid. */
  readonly authenticateApiKey: (
    keyId: string,
    secret: Redacted.Redacted<string>
  ) => Effect.Effect<Extract<Caller, { kind: "apiKey" }> | undefined, unknown, R>
  readonly options: HttpOptions
}

const digest = (s: string) => createHash("sha256").update(s).digest()

const problemResponse = (problem: Problem, request: Request): Response => {
  const headers: Record<string, string> = {
    "content-type": "application/problem+json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff"
  }
  if (problem.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(problem.retryAfterSeconds))
  if (problem.status === 401) headers["www-authenticate"] = 'ApiKey realm="idconnect", header="X-Api-Key-ID, X-Api-Key-Secret"'
  const body = request.method === "HEAD" ? null : JSON.stringify({ ...problem, instance: new URL(request.url).pathname })
  return new Response(body, { status: problem.status, headers })
}

const isReply = (u: unknown): u is Reply<unknown> => typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Reply"

/**
 * Builds the Hono app from the endpoint list: each endpoint gets auth, rate limiting, input
 * validation, its handler (an Effect run on the one app runtime) and response encoding; every
 * failure becomes a problem+json response through `toProblem`. Nothing is mounted that is not in
 * the list, which is what makes the OpenAPI document complete.
 */
export const makeApp = <R>(deps: AppDeps<R>): Hono => {
  const { options, runtime } = deps
  const validator = requestValidator
  const limiter: RateLimiter | undefined = options.rateLimit === undefined ? undefined : makeRateLimiter(options.rateLimit)
  const adminDigest = options.adminToken === undefined ? undefined : digest(Redacted.value(options.adminToken))
  const app = new Hono()

  if (options.corsOrigins.length > 0) {
    app.use(
      "*",
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: ["Content-Type", "X-Api-Key-ID", "X-Api-Key-Secret", "Idempotency-Key", "Authorization"],
        exposeHeaders: ["Retry-After", "Location", "X-RateLimit-Remaining"]
      })
    )
  }

  const authenticate = (e: AnyEndpoint, request: Request): Effect.Effect<Caller, unknown, R> => {
    switch (e.auth) {
      case "public":
        return Effect.succeed({ kind: "anonymous" })
      case "signedUrl": {
        // The handler verifies the token; a request without one is simply unauthenticated.
        const hasToken = new URL(request.url).searchParams.has("token") || e.path.includes("{token}")
        return hasToken ? Effect.succeed({ kind: "anonymous" }) : Effect.fail(ApiErrors.unauthorized("This URL needs its signed token: request an upload or download URL"))
      }
      case "admin": {
        const header = request.headers.get("authorization") ?? ""
        const token = header.startsWith("Bearer ") ? header.slice(7).trim() : ""
        if (adminDigest === undefined) {
          return Effect.fail(ApiErrors.unauthorized("The admin API is disabled: set IDCONNECT_ADMIN_TOKEN on the API server"))
        }
        if (token === "" || !timingSafeEqual(digest(token), adminDigest)) {
          return Effect.fail(ApiErrors.unauthorized("Send the admin token as 'Authorization: Bearer <IDCONNECT_ADMIN_TOKEN>'"))
        }
        return Effect.succeed({ kind: "admin" })
      }
      case "apiKey": {
        const keyId = request.headers.get("x-api-key-id")?.trim() ?? ""
        const secret = request.headers.get("x-api-key-secret")?.trim() ?? ""
        if (keyId === "" || secret === "") {
          return Effect.fail(ApiErrors.unauthorized("Send an API key in the X-Api-Key-ID and X-Api-Key-Secret headers"))
        }
        return deps.authenticateApiKey(keyId, Redacted.make(secret)).pipe(
          Effect.flatMap((caller) =>
            caller === undefined ? Effect.fail(ApiErrors.unauthorized("The API key is not valid (unknown, revoked or wrong secret)")) : Effect.succeed(caller)
          )
        )
      }
    }
  }

  const decodeInput = (schema: Schema.Top | undefined, input: Record<string, string>): Effect.Effect<unknown, ApiError> => {
    if (schema === undefined) return Effect.succeed(undefined)
    const result = validator.validate(schema, input)
    return result.ok ? Effect.succeed(result.value) : Effect.fail(ApiErrors.validation(result.errors))
  }

  const readBody = (e: AnyEndpoint, request: Request, onLimit: { exceeded: () => boolean }): Effect.Effect<unknown, ApiError> => {
    const body = e.body
    if (body === undefined) return Effect.succeed(undefined)
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
    if (body.kind === "json") {
      const max = body.maxBytes ?? options.jsonBodyLimitBytes
      return Effect.gen(function* () {
        if (contentType !== "application/json" && !contentType.endsWith("+json")) {
          return yield* ApiErrors.unsupportedMediaType(contentType || "(none)", ["application/json"])
        }
        const read = yield* Effect.promise(() => readLimited(request, max))
        if (!read.ok) return yield* read.error
        const parsed = parseJsonBody(new TextDecoder().decode(read.bytes), options.maxJsonDepth)
        if (!parsed.ok) return yield* parsed.error
        const result = validator.validate(body.schema, parsed.value)
        return result.ok ? result.value : yield* ApiErrors.validation(result.errors)
      })
    }
    const max = body.maxBytes ?? options.rawBodyLimitBytes
    if (!body.contentTypes.some((t: string) => t === "*/*" || t === contentType)) {
      return Effect.fail(ApiErrors.unsupportedMediaType(contentType || "(none)", body.contentTypes))
    }
    const declared = declaredLength(request)
    if (declared !== undefined && declared > max) return Effect.fail(ApiErrors.payloadTooLarge(max))
    const source = request.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
    const limited = limitStream(source, max)
    onLimit.exceeded = limited.exceeded
    let used = false
    const take = () => {
      if (used) throw new Error("The request body was already read")
      used = true
      return limited.stream
    }
    const raw: RawRequestBody = {
      contentType,
      stream: take,
      bytes: async () => new Uint8Array(await new Response(take()).arrayBuffer())
    }
    return Effect.succeed(raw)
  }

  const render = (e: AnyEndpoint, out: unknown, request: Request): Effect.Effect<Response> => {
    const replied = isReply(out) ? out : undefined
    const value = replied === undefined ? out : replied.value
    const headers: Record<string, string> = { "cache-control": "no-store", "x-content-type-options": "nosniff", ...replied?.headers }
    const success = e.success
    const status = replied?.status ?? success.status
    if (success.kind === "empty") return Effect.succeed(new Response(null, { status, headers }))
    if (success.kind === "raw") {
      const raw = value as RawReply
      headers["content-type"] = raw.contentType ?? success.contentType
      return Effect.succeed(new Response(request.method === "HEAD" ? null : (raw.body as BodyInit), { status, headers: { ...headers, ...raw.headers } }))
    }
    // Encoding through the response schema drops anything the schema does not declare, so a
    // handler can never leak a field (a secret) the contract does not show.
    return Schema.encodeUnknownEffect(success.schema as Schema.Codec<unknown, unknown>)(value).pipe(
      Effect.orDie,
      Effect.map((encoded) => {
        headers["content-type"] = "application/json"
        return new Response(JSON.stringify(encoded), { status, headers })
      })
    )
  }

  for (const e of deps.endpoints) {
    const handler = deps.handlers[e.name]
    if (handler === undefined) throw new Error(`No handler for endpoint '${e.name}'`)
    app.on(e.method.toUpperCase(), honoPath(e.path), async (c) => {
      const request = c.req.raw
      const origin = options.publicUrl ?? new URL(request.url).origin
      const limit = { exceeded: () => false }
      const rateHeaders: Record<string, string> = {}
      const program = Effect.gen(function* () {
        const caller = yield* authenticate(e, request)
        if (limiter !== undefined && caller.kind === "apiKey") {
          const admission = limiter.take(caller.apiKeyId)
          if (!admission.allowed) return yield* ApiErrors.rateLimited(admission.retryAfterSeconds)
          rateHeaders["x-ratelimit-remaining"] = String(admission.remaining)
        }
        const params = yield* decodeInput(e.params, c.req.param() as Record<string, string>)
        const query = yield* decodeInput(e.query, c.req.query())
        const body = yield* readBody(e, request, limit)
        const out = yield* handler({ params, query, body, caller, request, origin, limits: options } as never)
        return yield* render(e, out, request)
      })
      const exit = await runtime.runPromiseExit(program)
      if (Exit.isSuccess(exit)) {
        for (const [k, v] of Object.entries(rateHeaders)) exit.value.headers.set(k, v)
        return exit.value
      }
      const failure = Cause.findError(exit.cause)
      const error = limit.exceeded()
        ? ApiErrors.payloadTooLarge(e.body?.maxBytes ?? options.rawBodyLimitBytes)
        : Result.isSuccess(failure)
          ? failure.success
          : Cause.hasInterruptsOnly(exit.cause)
            ? ApiErrors.unavailable("The server is shutting down; retry shortly")
            : undefined
      const problem = toProblem(error)
      if (isServerFault(problem)) {
        await runtime.runPromise(Effect.logError(`${request.method} ${new URL(request.url).pathname} failed`, Cause.pretty(exit.cause)))
      }
      return problemResponse(problem, request)
    })
  }

  app.notFound((c) =>
    problemResponse(toProblem(ApiErrors.notFound(`Route ${c.req.method} ${new URL(c.req.url).pathname}`)), c.req.raw)
  )
  app.onError(async (err, c) => {
    await runtime.runPromise(Effect.logError(`${c.req.method} ${new URL(c.req.url).pathname} threw`, String(err?.stack ?? err)))
    return problemResponse(toProblem(err), c.req.raw)
  })
  return app
}
