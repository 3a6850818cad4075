import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_URL_ENV, createTestDatabase, type TestDatabase } from "../src/TestDatabase.ts"
import { resolvePostgres } from "../src/PostgresProvider.ts"

describe("TestDatabase", () => {
  let a: TestDatabase
  let b: TestDatabase
  beforeAll(async () => {
    a = await createTestDatabase("iso")
    b = await createTestDatabase("iso")
  })
  afterAll(async () => {
    await a.drop()
    await b.drop()
  })

  it("gives each test file its own empty database", async () => {
    expect(a.name).not.toBe(b.name)
    const ca = new pg.Client({ connectionString: a.url })
    const cb = new pg.Client({ connectionString: b.url })
    await ca.connect()
    await cb.connect()
    try {
      await ca.query("create table only_in_a (id int)")
      const seen = await cb.query("select count(*)::int as n from information_schema.tables where table_name = 'only_in_a'")
      expect(seen.rows[0].n).toBe(0)
    } finally {
      await ca.end()
      await cb.end()
    }
  })

  it("falls back to the local server when Docker answers but the container cannot start (no registry access)", async () => {
    // "Local" here is the server this run uses, wherever it came from.
    const server = process.env[ADMIN_URL_ENV]!
    const resolved = await resolvePostgres({}, { startContainer: () => Promise.reject(new Error("pull access denied for postgres")), localUrl: server })
    expect(resolved.source).toBe("local")
    expect(resolved.adminUrl).toBe(server)
  })

  it("names the three ways to provide PostgreSQL when DATABASE_URL points nowhere", async () => {
    await expect(resolvePostgres({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" })).rejects.toThrow(/DATABASE_URL is set/)
  })
})
