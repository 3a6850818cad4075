import * as fs from "node:fs"
import { PGlite, type Transaction } from "@electric-sql/pglite"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { SqlConnection, SqlDriverShape } from "../SqlDriver.ts"
import type { DatabaseTarget } from "../StoreConfig.ts"
import { csvChunks } from "./Csv.ts"
import { normalizeRows } from "./Rows.ts"
import { statementLabel, toStoreError } from "./SqlErrors.ts"

type Queryable = Pick<Transaction, "query" | "exec">

const connectionOf = (db: Queryable): SqlConnection => ({
  query: <A>(text: string, params?: ReadonlyArray<unknown>) =>
    Effect.tryPromise({
      try: async () => normalizeRows<A>((await db.query<Record<string, unknown>>(text, params as Array<unknown>)).rows),
      catch: (cause) => toStoreError(cause, statementLabel(text))
    }),
  exec: (text) =>
    Effect.tryPromise({
      try: async () => void (await db.exec(text)),
      catch: (cause) => toStoreError(cause, statementLabel(text))
    }),
  copyIn: (table, columns, rows) =>
    Effect.tryPromise({
      try: async () => {
        let count = 0
        // PGlite reads COPY input from a virtual file; one blob per ~1 MB chunk keeps memory flat.
        for (const chunk of csvChunks(rows)) {
          const result = await db.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
            blob: new Blob([chunk])
          })
          count += result.affectedRows ?? 0
        }
        return count
      },
      catch: (cause) => toStoreError(cause, `COPY into ${table}`)
    })
})

/**
 * The embedded engine: PGlite in a data folder (or in memory when `dataDir` is undefined). It is one
 * connection: queries and transactions from the store and pg-boss take turns on it.
 */
export const makePgliteDriver = (target: Extract<DatabaseTarget, { _tag: "pglite" }>) =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          if (target.dataDir !== undefined) fs.mkdirSync(target.dataDir, { recursive: true })
          return await PGlite.create(target.dataDir === undefined ? {} : { dataDir: target.dataDir })
        },
        catch: (cause) => toStoreError(cause, `open the embedded database${target.dataDir ? ` in ${target.dataDir}` : ""}`)
      }),
      (db) => Effect.promise(() => db.close())
    )

    const transaction = <A, E, R>(body: (tx: SqlConnection) => Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        const context = yield* Effect.context<R>()
        const run = Effect.runPromiseExitWith(context)
        const exit = yield* Effect.tryPromise({
          try: (signal) =>
            db.transaction(async (tx) => {
              const result = await run(body(connectionOf(tx)), { signal })
              if (Exit.isFailure(result)) await tx.rollback()
              return result
            }),
          catch: (cause) => toStoreError(cause, "transaction")
        })
        return yield* exit
      })

    const driver: SqlDriverShape = {
      ...connectionOf(db),
      dialect: "pglite",
      transaction,
      pglite: db,
      url: undefined
    }
    return driver
  })
