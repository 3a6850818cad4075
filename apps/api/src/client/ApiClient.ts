import type * as Schema from "effect/Schema"
import { apiEndpoints, type ApiEndpoint, type EndpointName } from "../contract/Api.ts"
import type { Problem } from "../contract/Problem.ts"

/**
 * A typed client for TypeScript consumers, generated from the same endpoint list as the server
 * and the OpenAPI document: `client.call("getIntegration", { params: { id } })` is checked by the
 * compiler (names, params, query, body) and returns the response body's type.
 *
 * ```ts
 * const client = makeApiClient({ baseUrl: "http://127.0.0.1:8080", apiKey: { id, secret } })
 * const integration = await client.call("createIntegration", { body: { name, app: "entra", mode: "direct", primaryOwner, config } })
 * const run = await client.call("triggerSync", { params: { id: integration.id }, body: {} })
 * ```
 */
export interface ApiClientOptions {
  readonly baseUrl: string
  readonly apiKey?: { readonly id: string; readonly secret: string }
  /** For the admin endpoints (tenant bootstrap). */
  readonly adminToken?: string
  readonly fetch?: typeof fetch
}

type Defined<X> = Exclude<X, undefined>
type EndpointNamed<N extends EndpointName> = Extract<ApiEndpoint, { name: N }>

type Scalar = string | number | boolean
type QueryInput<S extends Schema.Top> = { [K in keyof S["Encoded"]]: S["Encoded"][K] | Scalar }

type Member<E, K extends "params" | "query" | "body"> = E extends { readonly [P in K]?: infer X } ? Defined<X> : never

type ParamsPart<E> = [Member<E, "params">] extends [never]
  ? {}
  : Member<E, "params"> extends Schema.Top
    ? { readonly params: { [K in keyof Member<E, "params">["Encoded"]]: Scalar } }
    : {}
type QueryPart<E> = [Member<E, "query">] extends [never]
  ? {}
  : Member<E, "query"> extends Schema.Top
    ? { readonly query?: QueryInput<Member<E, "query">> }
    : {}
type BodyPart<E> = [Member<E, "body">] extends [never]
  ? {}
  : Member<E, "body"> extends { kind: "json"; schema: infer S extends Schema.Top }
    ? { readonly body: S["Encoded"] }
    : { readonly body: BodyInit; /** Omit for FormData (fetch sets the multipart boundary). */ readonly contentType?: string }

/** What a call takes: exactly the endpoint's params, query and body, plus optional extra headers. */
export type CallInput<N extends EndpointName> = ParamsPart<EndpointNamed<N>> &
  QueryPart<EndpointNamed<N>> &
  BodyPart<EndpointNamed<N>> & { readonly headers?: Record<string, string> }

/** What a successful call returns: the JSON body as sent, the text of a CSV/HTML body, or nothing. */
export type CallOutput<N extends EndpointName> = EndpointNamed<N>["success"] extends { kind: "json"; schema: infer S extends Schema.Top }
  ? S["Encoded"]
  : EndpointNamed<N>["success"] extends { kind: "raw" }
    ? string
    : undefined

/** A non-2xx answer, with its RFC 9457 problem document. */
export class ApiProblemError extends Error {
  override readonly name = "ApiProblemError"
  readonly status: number
  readonly problem: Problem
  constructor(status: number, problem: Problem) {
    super(`${status} ${problem.code}: ${problem.detail}`)
    this.status = status
    this.problem = problem
  }
}

export interface ApiClient {
  /** Calls an endpoint; throws `ApiProblemError` on an error answer. */
  readonly call: <N extends EndpointName>(name: N, ...input: {} extends CallInput<N> ? [CallInput<N>?] : [CallInput<N>]) => Promise<CallOutput<N>>
  /** Calls an endpoint and returns the raw Response, whatever its status (for status checks and streaming). */
  readonly raw: <N extends EndpointName>(name: N, ...input: {} extends CallInput<N> ? [CallInput<N>?] : [CallInput<N>]) => Promise<Response>
  /** The URL of an endpoint with these params and query, e.g. for a curl example or a download link. */
  readonly url: <N extends EndpointName>(name: N, input?: { params?: Record<string, Scalar>; query?: Record<string, Scalar | undefined> }) => string
}

const byName = new Map<string, ApiEndpoint>(apiEndpoints.map((e) => [e.name, e]))

export const makeApiClient = (options: ApiClientOptions): ApiClient => {
  const doFetch = options.fetch ?? fetch
  const base = options.baseUrl.replace(/\/+$/, "")

  const url = (name: string, input: { params?: Record<string, Scalar>; query?: Record<string, Scalar | undefined> } = {}) => {
    const e = byName.get(name)
    if (e === undefined) throw new Error(`Unknown endpoint '${name}'`)
    const path = e.path.replace(/\{([^}]+)\}/g, (_, key: string) => {
      const value = input.params?.[key]
      if (value === undefined) throw new Error(`${name}: missing path parameter '${key}'`)
      return encodeURIComponent(String(value))
    })
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(input.query ?? {})) if (v !== undefined) query.set(k, String(v))
    const qs = query.toString()
    return `${base}${path}${qs === "" ? "" : `?${qs}`}`
  }

  const raw = async (name: string, input: Record<string, any> = {}): Promise<Response> => {
    const e = byName.get(name)!
    const headers: Record<string, string> = { ...(input.headers ?? {}) }
    if (e.auth === "apiKey" && options.apiKey !== undefined) {
      headers["x-api-key-id"] = options.apiKey.id
      headers["x-api-key-secret"] = options.apiKey.secret
    }
    if (e.auth === "admin" && options.adminToken !== undefined) headers.authorization = `Bearer ${options.adminToken}`
    let body: BodyInit | undefined
    if (e.body?.kind === "json") {
      headers["content-type"] = "application/json"
      body = JSON.stringify(input.body ?? {})
    } else if (e.body?.kind === "raw") {
      if (input.contentType !== undefined) headers["content-type"] = input.contentType
      body = input.body
    }
    return doFetch(url(name, input), { method: e.method.toUpperCase(), headers, ...(body === undefined ? {} : { body, duplex: "half" }) } as RequestInit)
  }

  const call = async (name: string, input: Record<string, any> = {}): Promise<any> => {
    const res = await raw(name, input)
    const e = byName.get(name)!
    if (!res.ok) {
      const text = await res.text()
      let problem: Problem
      try {
        problem = JSON.parse(text) as Problem
      } catch {
        problem = { type: "about:blank", title: res.statusText, status: res.status, detail: text, code: "unknown" }
      }
      throw new ApiProblemError(res.status, problem)
    }
    if (e.success.kind === "json") return res.json()
    if (e.success.kind === "raw") return res.text()
    await res.body?.cancel()
    return undefined
  }

  return { call: call as ApiClient["call"], raw: raw as ApiClient["raw"], url }
}
