import type { TenantId } from "@idconnect/schemas/Common"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { AnyEndpoint, JsonBody, RawBody } from "../contract/Endpoint.ts"

/** Who is calling, established by the auth step before a handler runs. */
export type Caller =
  | { readonly kind: "apiKey"; readonly tenantId: TenantId; readonly apiKeyId: string }
  | { readonly kind: "admin" }
  | { readonly kind: "anonymous" }

/** A raw request body (a file upload): read it once, as a stream or as bytes. */
export interface RawRequestBody {
  readonly contentType: string
  readonly stream: () => ReadableStream<Uint8Array>
  readonly bytes: () => Promise<Uint8Array>
}

// Endpoint members are optional, so their types include undefined; strip it before matching.
type Defined<X> = Exclude<X, undefined>
type TypeOf<S> = [Defined<S>] extends [never] ? undefined : Defined<S> extends Schema.Top ? Defined<S>["Type"] : undefined
type BodyOf<B> = [Defined<B>] extends [never]
  ? undefined
  : Defined<B> extends JsonBody<infer S>
    ? S["Type"]
    : Defined<B> extends RawBody
      ? RawRequestBody
      : undefined

export interface HandlerInput<E extends AnyEndpoint> {
  readonly params: TypeOf<E["params"]>
  readonly query: TypeOf<E["query"]>
  readonly body: BodyOf<E["body"]>
  readonly caller: Caller
  readonly request: Request
  /** `scheme://host[:port]` as the client reached us, to build absolute URLs (upload, polling). */
  readonly origin: string
  /** The HTTP edge's limits, for handlers that announce them (an upload ticket's maxBytes). */
  readonly limits: { readonly jsonBodyLimitBytes: number; readonly rawBodyLimitBytes: number }
}

/** A success with a status or headers other than the endpoint's defaults. */
export interface Reply<A> {
  readonly _tag: "Reply"
  readonly value: A
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
}

export const reply = <A>(value: A, options: { status?: number; headers?: Record<string, string> }): Reply<A> => ({
  _tag: "Reply",
  value,
  ...options
})

/** What a raw success returns: a body (string, bytes or stream) and optional headers. */
export interface RawReply {
  readonly body: string | Uint8Array | ReadableStream<Uint8Array>
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

export type HandlerOutput<E extends AnyEndpoint> = E["success"] extends { kind: "json"; schema: infer S extends Schema.Top }
  ? S["Type"] | Reply<S["Type"]>
  : E["success"] extends { kind: "raw" }
    ? RawReply
    : void | Reply<void>

export type Handler<E extends AnyEndpoint, R> = (input: HandlerInput<E>) => Effect.Effect<HandlerOutput<E>, unknown, R>

/** One handler per endpoint name: the compiler rejects a missing or an unknown one. */
export type Handlers<Es extends ReadonlyArray<AnyEndpoint>, R> = {
  readonly [E in Es[number] as E["name"]]: Handler<E, R>
}
