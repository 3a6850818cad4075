import * as Effect from "effect/Effect"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/** One page of a keyset-paginated list. `nextCursor` is null on the last page. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

export interface PageRequest {
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

/** The limit to use, after checking it: 1..1000, default 100. */
export const pageLimit = (limit: number | undefined): Effect.Effect<number, StoreError> =>
  limit === undefined
    ? Effect.succeed(DEFAULT_LIMIT)
    : Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT
      ? Effect.succeed(limit)
      : Effect.fail(StoreErrors.invalidInput("limit", `limit must be an integer from 1 to ${MAX_LIMIT}`))

/** Cursors are opaque to clients: base64url JSON of the last row's sort key (and snapshot, where it applies). */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")

export const decodeCursor = <A>(cursor: string | undefined, check: (value: unknown) => value is A): Effect.Effect<A | undefined, StoreError> =>
  Effect.suspend(() => {
    if (cursor === undefined || cursor === "") return Effect.succeed(undefined)
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
      if (check(value)) return Effect.succeed(value)
    } catch {
      // falls through to the error below
    }
    return Effect.fail(StoreErrors.invalidInput("cursor", "The cursor is not one this list returned; start again without it"))
  })

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is more. */
export const toPage = <R, A>(rows: ReadonlyArray<R>, limit: number, view: (row: R) => A, cursorOf: (row: R) => unknown): Page<A> => {
  const more = rows.length > limit
  const kept = more ? rows.slice(0, limit) : rows
  return { items: kept.map(view), nextCursor: more ? encodeCursor(cursorOf(kept[kept.length - 1]!)) : null }
}
