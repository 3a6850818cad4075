import { randomBytes } from "node:crypto"
import pg from "pg"
import { type ResolvedPostgres, resolvePostgres } from "@idconnect/test-support/PostgresProvider"

/**
 * PostgreSQL for the bench, found the way the tests find it (`DATABASE_URL`, else a testcontainers
 * PostgreSQL when Docker answers, else the local server on 127.0.0.1:5432). Every measured run gets
 * a fresh database, dropped when the bench ends.
 */
export interface BenchPostgres {
  readonly source: ResolvedPostgres["source"]
  readonly version: string
  /** Creates an empty database and returns its URL. */
  readonly createDatabase: (prefix: string) => Promise<string>
  /**
   * Drops every database this bench created and stops a container it started; with `keep`, leaves
   * the databases (and a container) running for inspection and returns their URLs.
   */
  readonly close: (keep?: boolean) => Promise<ReadonlyArray<string>>
}

const withClient = async <A>(url: string, f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

export const openBenchPostgres = async (): Promise<BenchPostgres> => {
  const resolved = await resolvePostgres()
  const version = await withClient(resolved.adminUrl, async (c) => `PostgreSQL ${(await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v}`)
  const created: Array<string> = []
  const urlOf = (name: string) => {
    const url = new URL(resolved.adminUrl)
    url.pathname = `/${name}`
    return url.toString()
  }
  return {
    source: resolved.source,
    version,
    createDatabase: async (prefix) => {
      const name = `bench_${prefix}_${randomBytes(4).toString("hex")}`
      await withClient(resolved.adminUrl, (c) => c.query(`create database "${name}" template template0`))
      created.push(name)
      return urlOf(name)
    },
    close: async (keep = false) => {
      if (keep) return created.map(urlOf)
      await withClient(resolved.adminUrl, async (c) => {
        for (const name of created) await c.query(`drop database if exists "${name}" with (force)`)
      })
      await resolved.stop()
      return []
    }
  }
}
