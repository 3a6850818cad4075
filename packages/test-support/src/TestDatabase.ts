import { randomBytes } from "node:crypto"
import pg from "pg"

/** The environment variable the global setup uses to hand the chosen admin URL to test workers. */
export const ADMIN_URL_ENV = "IDCONNECT_TEST_PG_ADMIN_URL"

export interface TestDatabase {
  /** Connection string of a fresh, empty database that belongs to this test file alone. */
  readonly url: string
  readonly name: string
  /** Drops the database (terminating leftover connections). */
  readonly drop: () => Promise<void>
}

const adminUrl = (): string => {
  const url = process.env[ADMIN_URL_ENV]
  if (url === undefined || url === "") {
    throw new Error(
      `${ADMIN_URL_ENV} is not set: the vitest global setup (tools/scripts/vitest-global-setup.ts) did not run. ` +
        "Run the tests through `npm test` or `npx vitest`."
    )
  }
  return url
}

const withAdmin = async <A>(f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: adminUrl() })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates a database for one test file, so test files can run in parallel without seeing each
 * other's rows. Call it in `beforeAll` and `drop` it in `afterAll`.
 */
export const createTestDatabase = async (prefix = "t"): Promise<TestDatabase> => {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(6).toString("hex")}`
  await withAdmin((c) => c.query(`create database "${name}" template template0`))
  const url = new URL(adminUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(async (c) => {
        await c.query(`drop database if exists "${name}" with (force)`)
      })
  }
}
