import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import type { SqlConnection, SqlDriverShape } from "../SqlDriver.ts"
import type { DatabaseTarget } from "../StoreConfig.ts"
import { csvChunks } from "./Csv.ts"
import { normalizeRows } from "./Rows.ts"
import { statementLabel, toStoreError } from "./SqlErrors.ts"

// bigint (int8) and numeric come back as JS numbers: counts and sequence numbers stay far below 2^53.
const INT8 = 20
const NUMERIC = 1700
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser
}

type Queryable = Pick<pg.PoolClient, "query">

const connectionOf = (client: Queryable, acquire?: () => Promise<pg.PoolClient>): SqlConnection => ({
  query: <A>(text: string, params?: ReadonlyArray<unknown>) =>
    Effect.tryPromise({
      try: async () => normalizeRows<A>((await client.query(text, params as Array<unknown>)).rows),
      catch: (cause) => toStoreError(cause, statementLabel(text))
    }),
  exec: (text) =>
    Effect.tryPromise({
      try: async () => void (await client.query(text)),
      catch: (cause) => toStoreError(cause, statementLabel(text))
    }),
  copyIn: (table, columns, rows) =>
    Effect.tryPromise({
      try: async () => {
        // COPY needs one connection for its whole stream: a pooled call checks one out for it.
        const conn = acquire === undefined ? (client as pg.PoolClient) : await acquire()
        try {
          const sink = conn.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT csv)`))
          await pipeline(Readable.from(csvChunks(rows)), sink)
          return sink.rowCount
        } finally {
          if (acquire !== undefined) conn.release()
        }
      },
      catch: (cause) => toStoreError(cause, `COPY into ${table}`)
    })
})

/** A `pg` Pool driver; the pool closes when the surrounding scope ends. */
export const makePgDriver = (target: Extract<DatabaseTarget, { _tag: "postgres" }>) =>
  Effect.gen(function* () {
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const p = new pg.Pool({ connectionString: Redacted.value(target.url), max: target.poolSize, types })
        // An idle client losing its connection must not crash the process; the next query reports it.
        p.on("error", () => undefined)
        return p
      }),
      (p) => Effect.promise(() => p.end())
    )
    yield* Effect.tryPromise({ try: () => pool.query("select 1"), catch: (cause) => toStoreError(cause, "connect") })

    const transaction = <A, E, R>(body: (tx: SqlConnection) => Effect.Effect<A, E, R>) =>
      Effect.acquireUseRelease(
        Effect.tryPromise({ try: () => pool.connect(), catch: (cause) => toStoreError(cause, "connect") }),
        (client) =>
          Effect.gen(function* () {
            const tx = connectionOf(client)
            yield* tx.exec("BEGIN")
            const exit = yield* Effect.exit(body(tx))
            if (Exit.isSuccess(exit)) {
              yield* tx.exec("COMMIT")
              return exit.value
            }
            yield* tx.exec("ROLLBACK").pipe(Effect.ignore)
            return yield* exit
          }),
        (client, exit) =>
          Effect.sync(() => {
            // An interrupted transaction may have left the connection mid-statement: drop it.
            client.release(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Interrupt") ? true : undefined)
          })
      )

    const driver: SqlDriverShape = {
      ...connectionOf(pool, () => pool.connect()),
      dialect: "postgres",
      transaction,
      pglite: undefined,
      url: target.url
    }
    return driver
  })
