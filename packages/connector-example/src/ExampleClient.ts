import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ExampleDirectConfig } from "./ExampleConfig.ts"

/** The wire shapes of the directory API, decoded at the edge so bad data fails loudly, not later. */
export const DirectoryUser = Schema.Struct({
  id: Schema.String,
  userName: Schema.String,
  displayName: Schema.String,
  email: Schema.String,
  active: Schema.Boolean
})
export const DirectoryGroup = Schema.Struct({ id: Schema.String, displayName: Schema.String, description: Schema.String })
export const DirectoryMembership = Schema.Struct({
  groupId: Schema.String,
  memberId: Schema.String,
  memberType: Schema.Literals(["user", "group"])
})
export const TokenInfo = Schema.Struct({ scopes: Schema.Array(Schema.String) })

const Page = <S extends Schema.Top>(item: S) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.optionalKey(Schema.String) })

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor?: string
}

/** A response the caller chose to handle itself (e.g. 409 on a duplicate add). */
export interface RawResponse {
  readonly status: number
  readonly body: unknown
  readonly requestId: string | undefined
}

/**
 * Maps an HTTP failure to the one error vocabulary, in one place (table-tested). 401 means the
 * token is wrong; 403 names the missing scope; 429/5xx are transient and carry Retry-After;
 * a rejected cursor means the saved checkpoint is unusable, so the runner starts over.
 */
export const classifyResponse = (status: number, body: unknown, retryAfter: string | null, target: string): ConnectorError => {
  const err = (body as { error?: { code?: unknown; message?: unknown; requiredScope?: unknown } } | undefined)?.error
  const code = typeof err?.code === "string" ? err.code : `HTTP${status}`
  const message = `${target}: ${typeof err?.message === "string" ? err.message : `HTTP ${status}`}`
  const seconds = retryAfter === null || !/^\d+$/.test(retryAfter) ? undefined : Number(retryAfter)
  if (status === 401) {
    return ConnectorErrors.credentialsRejected({ code, message, fix: "Check the API token in the config; create a new one if it expired" }, target)
  }
  if (status === 403) {
    const permission = typeof err?.requiredScope === "string" ? err.requiredScope : "unknown"
    return ConnectorErrors.permissionMissing({ permission, message, fix: `Grant the ${permission} scope to the token` }, target)
  }
  if (status === 404) return ConnectorErrors.notFound({ target, message }, target)
  if (status === 400 && code === "InvalidCursor") return ConnectorErrors.checkpointInvalid({ message }, target)
  if (status === 400) return ConnectorErrors.invalidInput({ message }, target)
  if (status === 429) {
    return ConnectorErrors.rateLimited(seconds === undefined ? { message } : { message, retryAfterSeconds: seconds }, target)
  }
  if (status >= 500) {
    return ConnectorErrors.unavailable(seconds === undefined ? { message, status } : { message, status, retryAfterSeconds: seconds }, target)
  }
  return ConnectorErrors.unexpected({ message, detail: `HTTP ${status}` }, target)
}

/**
 * The one place that talks HTTP to the directory. Plugin code asks for pages and calls; the
 * client adds auth, classifies failures and decodes bodies. Built per config with `layer(config)`.
 *
 * @category services
 */
export class ExampleClient extends Context.Service<
  ExampleClient,
  {
    readonly baseUrl: string
    readonly pageSize: number
    readonly token: Effect.Effect<Schema.Schema.Type<typeof TokenInfo>, ConnectorError>
    readonly users: (cursor: string | undefined, limit?: number) => Effect.Effect<Page<typeof DirectoryUser.Type>, ConnectorError>
    readonly groups: (cursor: string | undefined) => Effect.Effect<Page<typeof DirectoryGroup.Type>, ConnectorError>
    readonly memberships: (cursor: string | undefined) => Effect.Effect<Page<typeof DirectoryMembership.Type>, ConnectorError>
    /** Sends a request; statuses in `accept` come back as a `RawResponse`, others fail classified. */
    readonly send: (
      method: "GET" | "POST" | "DELETE",
      path: string,
      options?: { readonly body?: unknown; readonly accept?: ReadonlyArray<number> }
    ) => Effect.Effect<RawResponse, ConnectorError>
  }
>()("idconnect/connector-example/ExampleClient") {
  static readonly make = (config: ExampleDirectConfig): ExampleClient["Service"] => {
    const baseUrl = config.baseUrl.replace(/\/+$/, "")
    const pageSize = config.pageSize ?? 100

    const send = Effect.fn("ExampleClient.send")(function* (
      method: "GET" | "POST" | "DELETE",
      path: string,
      options: { readonly body?: unknown; readonly accept?: ReadonlyArray<number> } = {}
    ): Effect.fn.Return<RawResponse, ConnectorError> {
      const target = `${method} ${path.split("?")[0]}`
      const response = yield* Effect.tryPromise({
        try: (signal) =>
          fetch(`${baseUrl}${path}`, {
            method,
            signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
            headers: {
              authorization: `Bearer ${Redacted.value(config.token)}`,
              accept: "application/json",
              ...(options.body === undefined ? {} : { "content-type": "application/json" })
            },
            ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
          }),
        // Network errors, refused connections and timeouts are worth retrying.
        catch: (cause) =>
          ConnectorErrors.unavailable({ message: `${target}: ${(cause as Error).cause ?? (cause as Error).message}` }, target)
      })
      const text = yield* Effect.promise(() => response.text())
      const body: unknown = text === "" ? undefined : yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => ConnectorErrors.unexpected({ message: `${target}: response is not JSON`, detail: text.slice(0, 200) }, target)
      })
      const requestId = response.headers.get("x-request-id") ?? undefined
      if (response.ok || options.accept?.includes(response.status)) return { status: response.status, body, requestId }
      return yield* classifyResponse(response.status, body, response.headers.get("retry-after"), target)
    })

    const get = <S extends Schema.Top & { readonly DecodingServices: never }>(path: string, schema: S) =>
      send("GET", path).pipe(
        Effect.flatMap(({ body }) => Schema.decodeUnknownEffect(schema)(body)),
        Effect.mapError((e) =>
          Schema.isSchemaError(e)
            ? ConnectorErrors.unexpected({ message: `GET ${path.split("?")[0]}: unexpected response shape`, detail: e.message })
            : e
        )
      ) as Effect.Effect<S["Type"], ConnectorError>

    const list = <S extends Schema.Top & { readonly DecodingServices: never }>(resource: string, item: S) =>
      (cursor: string | undefined, limit = pageSize) =>
        get(
          `/api/v1/${resource}?limit=${limit}${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
          Page(item)
        ) as Effect.Effect<Page<S["Type"]>, ConnectorError>

    return ExampleClient.of({
      baseUrl,
      pageSize,
      token: get("/api/v1/token", TokenInfo),
      users: list("users", DirectoryUser),
      groups: list("groups", DirectoryGroup),
      memberships: list("memberships", DirectoryMembership),
      send
    })
  }

  static readonly layer = (config: ExampleDirectConfig) => Layer.sync(ExampleClient, () => ExampleClient.make(config))
}
