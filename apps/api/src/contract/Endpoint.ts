import type * as Schema from "effect/Schema"
import type { ProblemCode } from "./Problem.ts"

export type Method = "get" | "post" | "put" | "patch" | "delete" | "head"

/**
 * Who may call an endpoint: a tenant API key (`X-Api-Key-ID` + `X-Api-Key-Secret`), the operator's
 * admin token (`Authorization: Bearer <IDCONNECT_ADMIN_TOKEN>`), anyone (`public`: the OpenAPI
 * document, the docs page, health), or the holder of a signed upload or download URL (`signedUrl`).
 */
export type Auth = "apiKey" | "admin" | "public" | "signedUrl"

/** A JSON request body, checked with ajv (field-level 400s) and then decoded by the schema. */
export interface JsonBody<S extends Schema.Top = Schema.Top> {
  readonly kind: "json"
  readonly schema: S
  /** Overrides the default JSON body limit (bytes). */
  readonly maxBytes?: number
}

/** A body taken as it comes (a CSV or NDJSON file, a multipart form), streamed to the handler. */
export interface RawBody {
  readonly kind: "raw"
  readonly contentTypes: ReadonlyArray<string>
  readonly description: string
  /** Overrides the default raw body limit (bytes). */
  readonly maxBytes?: number
}

export interface JsonSuccess<S extends Schema.Top = Schema.Top> {
  readonly kind: "json"
  readonly status: 200 | 201 | 202
  readonly schema: S
}

/** A non-JSON success (CSV export, the HTML docs page), described by its content type. */
export interface RawSuccess {
  readonly kind: "raw"
  readonly status: 200
  readonly contentType: string
  readonly description: string
}

export interface NoContentSuccess {
  readonly kind: "empty"
  readonly status: 200 | 204
  readonly description: string
}

export type Success = JsonSuccess | RawSuccess | NoContentSuccess

/**
 * One HTTP endpoint, fully described by data: the router mounts it, the OpenAPI document lists it,
 * the typed client calls it, and the tenant-isolation test tries it. Paths use OpenAPI templating
 * (`/v1/integrations/{id}`).
 */
export interface Endpoint<
  Name extends string = string,
  P extends Schema.Top | undefined = Schema.Top | undefined,
  Q extends Schema.Top | undefined = Schema.Top | undefined,
  B extends JsonBody | RawBody | undefined = JsonBody | RawBody | undefined,
  S extends Success = Success
> {
  readonly name: Name
  readonly method: Method
  readonly path: string
  readonly tag: string
  readonly summary: string
  readonly description?: string
  readonly auth: Auth
  readonly params?: P
  readonly query?: Q
  readonly body?: B
  readonly success: S
  /** The problem codes this endpoint answers with besides the ones every endpoint can give. */
  readonly errors: ReadonlyArray<ProblemCode>
  /** A GET whose status alone answers a question (HEAD polling): documented as a HEAD operation too. */
  readonly alsoHead?: boolean
  /** Request headers the endpoint reads (documented in OpenAPI), e.g. `Idempotency-Key`. */
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly description: string; readonly required?: boolean }>
}

export type AnyEndpoint = Endpoint<string, any, any, any, any>

/** Declares an endpoint; the identity function that keeps the literal types for the client. */
export const endpoint = <
  const Name extends string,
  P extends Schema.Top | undefined = undefined,
  Q extends Schema.Top | undefined = undefined,
  B extends JsonBody | RawBody | undefined = undefined,
  S extends Success = Success
>(e: Endpoint<Name, P, Q, B, S>): Endpoint<Name, P, Q, B, S> => e

export const jsonBody = <S extends Schema.Top>(schema: S, maxBytes?: number): JsonBody<S> =>
  maxBytes === undefined ? { kind: "json", schema } : { kind: "json", schema, maxBytes }

export const json = <S extends Schema.Top>(schema: S, status: 200 | 201 | 202 = 200): JsonSuccess<S> => ({
  kind: "json",
  status,
  schema
})

/** The Hono route pattern of an OpenAPI path: `/v1/integrations/{id}` -> `/v1/integrations/:id`. */
export const honoPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ":$1")
