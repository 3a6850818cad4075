import * as Schema from "effect/Schema"

/** `limit` as a query string: an integer from 1 to 1000. */
export const Limit = Schema.FiniteFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1000 })).annotate({
  description: "Page size, 1 to 1000 (default 100)"
})

/** A page of results; pass `nextCursor` back as `cursor` for the next page (null: no more). */
export const Page = <S extends Schema.Top>(item: S, identifier: string) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.NullOr(Schema.String)
  }).annotate({ identifier })
