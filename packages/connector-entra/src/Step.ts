import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
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

/** What a window turns into once its data is fetched: the effect that emits it (run in window order). */
export type WindowEmit = Effect.Effect<void, ConnectorError, GraphClient>

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
  forEachWindowConcurrently(ctx, firstUrl, windowSize, 1, (items, page) => Effect.succeed(onWindow(items, page)), headers)

/**
 * `forEachWindow` for windows whose data takes round trips to fetch (a fan-out per window):
 * `prepare` fetches a window's data and returns the effect that emits it. Up to `concurrency`
 * windows of a page are prepared at once, but they are emitted strictly in order, each followed by
 * its checkpoint, so a checkpoint still means "everything before it is emitted" and resuming is
 * unchanged. The next page of the listing is fetched while the current one is processed.
 */
export const forEachWindowConcurrently = (
  ctx: StepContext,
  firstUrl: string,
  windowSize: number,
  concurrency: number,
  prepare: (items: ReadonlyArray<Raw>, page: GraphPage) => Effect.Effect<WindowEmit, ConnectorError, GraphClient>,
  headers?: Readonly<Record<string, string>>
): Effect.Effect<GraphPage, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const fetchPage = (url: string) => graph.page(url, headers === undefined ? undefined : { headers })
    let url = ctx.cursor?.url ?? firstUrl
    let skip = ctx.cursor?.skip ?? 0
    let page = yield* fetchPage(url)
    for (;;) {
      const current = page
      const pageUrl = url
      const nextLink = current.nextLink
      const prefetch = nextLink === undefined ? undefined : yield* Effect.forkChild(fetchPage(nextLink))
      const starts: Array<number> = []
      for (let start = skip; start < current.items.length; start += windowSize) starts.push(start)
      const windowsDone = Stream.fromIterable(starts).pipe(
        Stream.mapEffect(
          (start) => prepare(current.items.slice(start, start + windowSize), current).pipe(Effect.map((emit) => ({ start, emit }))),
          { concurrency }
        ),
        Stream.runForEach(({ start, emit }) =>
          Effect.gen(function* () {
            yield* emit
            const done = Math.min(start + windowSize, current.items.length)
            if (done < current.items.length) yield* ctx.checkpoint({ url: pageUrl, skip: done })
          })
        )
      )
      // A failed window must not leave the prefetch running after the step gave up.
      yield* prefetch === undefined ? windowsDone : windowsDone.pipe(Effect.onError(() => Fiber.interrupt(prefetch)))
      if (prefetch === undefined || nextLink === undefined) return current
      // This page is done whether or not the next one arrives: a resume starts at the next page.
      url = nextLink
      skip = 0
      yield* ctx.checkpoint({ url, skip: 0 })
      page = yield* Fiber.join(prefetch)
    }
  })

/** One per-object request of a fan-out, tagged with what it is about. */
export interface FanOutRequest<T> {
  readonly tag: T
  readonly url: string
}

/** What one fan-out request brought back: a page of items, or a failure that concerns its object only. */
export type FanOutOutcome<T> =
  | { readonly _tag: "items"; readonly tag: T; readonly items: ReadonlyArray<Raw> }
  | { readonly _tag: "skipped"; readonly tag: T; readonly error: ConnectorError }

/**
 * Per-object fan-out over `$batch` (members of these groups, owners of those apps): sends the
 * requests 20 to a call, follows each list's nextLink in later rounds, and returns every page of
 * items in request order, round by round. A request that fails for its object only (gone, hidden,
 * refused) comes back as `skipped`; a transient failure that outlived the retries fails, so the
 * runner resumes from the last checkpoint.
 */
export const collectFanOut = <T>(requests: ReadonlyArray<FanOutRequest<T>>): Effect.Effect<Array<FanOutOutcome<T>>, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const outcomes: Array<FanOutOutcome<T>> = []
    let round = requests
    while (round.length > 0) {
      const results = yield* graph.batch(round.map((r) => ({ method: "GET" as const, url: r.url })))
      const next: Array<FanOutRequest<T>> = []
      for (const [i, result] of results.entries()) {
        const request = round[i]!
        if (result.status >= 200 && result.status < 300 && Array.isArray(result.body?.value)) {
          outcomes.push({ _tag: "items", tag: request.tag, items: result.body.value })
          const nextLink = result.body["@odata.nextLink"]
          if (typeof nextLink === "string") next.push({ tag: request.tag, url: graph.relative(nextLink) })
        } else {
          const error = classifyGraphError("GET", request.url, result)
          if (error.isRetryable) return yield* error
          outcomes.push({ _tag: "skipped", tag: request.tag, error })
        }
      }
      round = next
    }
    return outcomes
  })

/** What a fan-out does with a page of items of one object's list. */
type OnItems<T> = (tag: T, items: ReadonlyArray<Raw>) => Effect.Effect<void, ConnectorError, GraphClient>
/** Names the object of a fan-out request, for the warning when it is skipped. */
type DescribeTag<T> = (tag: T) => { readonly objectId: string; readonly what: string }

/** Emits what `collectFanOut` brought back: items to `onItems`, object failures as warnings. */
export const emitFanOut = <T>(
  ctx: StepContext,
  stream: string,
  outcomes: ReadonlyArray<FanOutOutcome<T>>,
  onItems: OnItems<T>,
  describe: DescribeTag<T>
): Effect.Effect<void, ConnectorError, GraphClient> =>
  Effect.forEach(
    outcomes,
    (o) => (o._tag === "items" ? onItems(o.tag, o.items) : skipObject(ctx, stream, o.error, describe(o.tag))),
    { discard: true }
  )

/** `collectFanOut` then `emitFanOut`: a fan-out whose results are emitted as soon as they are all in. */
export const fanOut = <T>(
  ctx: StepContext,
  stream: string,
  requests: ReadonlyArray<FanOutRequest<T>>,
  onItems: OnItems<T>,
  describe: DescribeTag<T>
): Effect.Effect<void, ConnectorError, GraphClient> =>
  collectFanOut(requests).pipe(Effect.flatMap((outcomes) => emitFanOut(ctx, stream, outcomes, onItems, describe)))

/** A fan-out item failed: transient -> fail the stream (resume later); anything else -> warn and skip the object. */
export const objectFailure = (
  ctx: StepContext,
  stream: string,
  url: string,
  result: BatchResult,
  about: { readonly objectId: string; readonly what: string }
): Effect.Effect<void, ConnectorError> => {
  const error = classifyGraphError("GET", url, result)
  return error.isRetryable ? Effect.fail(error) : skipObject(ctx, stream, error, about)
}

/** The warning for an object a fan-out could not read for a reason of its own (gone, hidden, refused). */
const skipObject = (
  ctx: StepContext,
  stream: string,
  error: ConnectorError,
  about: { readonly objectId: string; readonly what: string }
): Effect.Effect<void> => {
  const code = error.code === "NotFound" ? "object-gone" : error.code === "PermissionMissing" ? "object-forbidden" : "object-failed"
  return ctx.warn(`${stream}.${code}`, `Skipped ${about.what}: ${error.message}`, about.objectId)
}

/** Splits into windows of `size`. */
export const windows = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
