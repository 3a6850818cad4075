import type { PGlite } from "@electric-sql/pglite"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { CopyValue } from "./internal/Csv.ts"
import { makePgDriver } from "./internal/PgDriver.ts"
import { makePgliteDriver } from "./internal/PgliteDriver.ts"
import { runMigrations } from "./Migrations.ts"
import { StoreConfig } from "./StoreConfig.ts"
import type { StoreError } from "./StoreError.ts"

export type Row = Record<string, unknown>

/**
 * One connection's worth of SQL: what a repository gets inside a transaction. Parameters are
 * `$1..$n`; pass JSON as a string and cast (`$1::jsonb`), arrays as JS arrays. Timestamps come back
 * as ISO strings and bigints as numbers, whichever engine runs underneath.
 */
export interface SqlConnection {
  readonly query: <A = Row>(text: string, params?: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>, StoreError>
  /** Several statements without parameters (DDL, migrations). */
  readonly exec: (text: string) => Effect.Effect<void, StoreError>
  /**
   * Bulk load with COPY (pg: `COPY ... FROM STDIN` through pg-copy-streams; PGlite: `COPY ... FROM
   * '/dev/blob'`). Returns the number of rows loaded.
   */
  readonly copyIn: (
    table: string,
    columns: ReadonlyArray<string>,
    rows: Iterable<ReadonlyArray<CopyValue>>
  ) => Effect.Effect<number, StoreError>
}

/**
 * The store's only way to reach SQL, with two engines behind it: a `pg` Pool (PostgreSQL) and
 * PGlite (embedded). Every repository runs on both.
 *
 * Rule for callers: inside `transaction(body)` use only the `tx` handed to `body`. PGlite is a
 * single connection, so calling the driver itself (or the job queue, which shares that connection)
 * from inside a transaction waits for the transaction to end: a deadlock.
 *
 * @category services
 */
export interface SqlDriverShape extends SqlConnection {
  readonly dialect: "postgres" | "pglite"
  readonly transaction: <A, E, R>(body: (tx: SqlConnection) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | StoreError, R>
  /** The PGlite instance in embedded mode, shared with pg-boss (one connection for the process). */
  readonly pglite: PGlite | undefined
  /** The PostgreSQL URL in server mode, for pg-boss's own pool. */
  readonly url: Redacted.Redacted<string> | undefined
}

export class SqlDriver extends Context.Service<SqlDriver, SqlDriverShape>()("idconnect/store/SqlDriver") {
  /**
   * Opens the database named by `StoreConfig` and brings its schema up to date (migrations run on
   * start, under an advisory lock so two processes starting at once do not collide). Closed when
   * the layer's scope ends.
   */
  static readonly layer: Layer.Layer<SqlDriver, StoreError, StoreConfig> = Layer.effect(
    SqlDriver,
    Effect.gen(function* () {
      const config = yield* StoreConfig
      const driver = config.database._tag === "postgres" ? yield* makePgDriver(config.database) : yield* makePgliteDriver(config.database)
      yield* runMigrations(driver)
      return driver
    })
  )
}
