import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import * as Effect from "effect/Effect"
import type { ExtractState, StreamCursor } from "./Checkpoint.ts"
import { type BatchResult, GraphClient, type GraphPage } from "./GraphClient.ts"
import { classifyGraphError } from "./GraphErrors.ts"

/** What the admin configured about the windowed log streams, resolved to numbers. */
export interface ExtractOptions {
  readonly auditLogDays: number
  readonly signInLogDays: number
}

/**
 * What a stream gets to do its work: where to resume, what the token may read, and how to emit.
 * `checkpoint(cursor)` promises that everything emitted so far is done; resuming this step with
 * `cursor` must produce the rest.
 */
export interface StepContext {
  readonly tenantId: string
  readonly granted: ReadonlySet<string>
  readonly cursor: StreamCursor | undefined
  /** The run's state; steps update `deltaLinks` and `users`. */
  readonly state: { -readonly [K in keyof ExtractState]: ExtractState[K] }
  readonly options: ExtractOptions
  readonly emit: (record: ExtractRecord) => Effect.Effect<void>
  readonly entity: (entity: Entity) => Effect.Effect<void>
  readonly relation: (relation: EntityRelation) => Effect.Effect<void>
  readonly warn: (code: string, message: string, objectId?: string) => Effect.Effect<void>
  readonly checkpoint: (cursor: StreamCursor | undefined) => Effect.Effect<void>
  /** True the first time a key is offered in this run (kept in the checkpoint, so resuming does not repeat it). */
  readonly once: (key: string) => boolean
}

/** One stream of the extraction (users, groups, ...). */
export interface Step {
  readonly name: string
  readonly run: (ctx: StepContext) => Effect.Effect<void, ConnectorError, GraphClient>
}

type Raw = Record<string, any>

/**
 * Reads a collection page by page (following nextLinks verbatim) and hands its items to
 * `onWindow` in windows of `windowSize`, checkpointing after every window. Resumes from
 * `ctx.cursor` (the page URL and the items already done). Returns the last page, whose
 * `deltaLink` ends a delta round.
 */
export const forEachWindow = (
  ctx: StepContext,
  firstUrl: string,
  windowSize: number,
  onWindow: (items: ReadonlyArray<Raw>, page: GraphPage) => Effect.Effect<void, ConnectorError, GraphClient>,
  headers?: Readonly<Record<string, string>>
): Effect.Effect<GraphPage, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    let url = ctx.cursor?.url ?? firstUrl
    let skip = ctx.cursor?.skip ?? 0
    for (;;) {
      const page = yield* graph.page(url, headers === undefined ? undefined : { headers })
      for (let start = skip; start < page.items.length; start += windowSize) {
        const window = page.items.slice(start, start + windowSize)
        yield* onWindow(window, page)
        const done = start + window.length
        if (done < page.items.length) yield* ctx.checkpoint({ url, skip: done })
      }
      if (page.nextLink === undefined) return page
      url = page.nextLink
      skip = 0
      yield* ctx.checkpoint({ url, skip: 0 })
    }
  })

/** One per-object request of a fan-out, tagged with what it is about. */
export interface FanOutRequest<T> {
  readonly tag: T
  readonly url: string
}

/**
 * Per-object fan-out over `$batch` (members of these groups, owners of those apps): sends the
 * requests 20 to a call, follows each list's nextLink in later rounds, and hands every page of
 * items to `onItems` in request order. A request that fails for its object only (gone, hidden,
 * refused) is reported as a warning and skipped; a transient failure that outlived the retries
 * fails the stream so the runner resumes from the last checkpoint.
 */
export const fanOut = <T>(
  ctx: StepContext,
  stream: string,
  requests: ReadonlyArray<FanOutRequest<T>>,
  onItems: (tag: T, items: ReadonlyArray<Raw>) => Effect.Effect<void, ConnectorError, GraphClient>,
  describe: (tag: T) => { readonly objectId: string; readonly what: string }
): Effect.Effect<void, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    let round = requests
    while (round.length > 0) {
      const results = yield* graph.batch(round.map((r) => ({ method: "GET" as const, url: r.url })))
      const next: Array<FanOutRequest<T>> = []
      for (const [i, result] of results.entries()) {
        const request = round[i]!
        if (result.status >= 200 && result.status < 300 && Array.isArray(result.body?.value)) {
          yield* onItems(request.tag, result.body.value)
          const nextLink = result.body["@odata.nextLink"]
          if (typeof nextLink === "string") next.push({ tag: request.tag, url: graph.relative(nextLink) })
        } else {
          yield* objectFailure(ctx, stream, request.url, result, describe(request.tag))
        }
      }
      round = next
    }
  })

/** A fan-out item failed: transient -> fail the stream (resume later); anything else -> warn and skip the object. */
export const objectFailure = (
  ctx: StepContext,
  stream: string,
  url: string,
  result: BatchResult,
  about: { readonly objectId: string; readonly what: string }
): Effect.Effect<void, ConnectorError> => {
  const error = classifyGraphError("GET", url, result)
  if (error.isRetryable) return Effect.fail(error)
  const code = error.code === "NotFound" ? "object-gone" : error.code === "PermissionMissing" ? "object-forbidden" : "object-failed"
  return ctx.warn(`${stream}.${code}`, `Skipped ${about.what}: ${error.message}`, about.objectId)
}

/** Splits into windows of `size`. */
export const windows = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
