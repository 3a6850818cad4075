import { ADMIN_URL_ENV } from "../../packages/test-support/src/TestDatabase.ts"
import { resolvePostgres } from "../../packages/test-support/src/PostgresProvider.ts"

// Decides once per test run where PostgreSQL comes from and hands the admin URL to the test
// workers through the environment (workers are forked after this runs).
export default async function setup() {
  if (process.env[ADMIN_URL_ENV]) return
  const resolved = await resolvePostgres()
  process.env[ADMIN_URL_ENV] = resolved.adminUrl
  process.env.IDCONNECT_TEST_PG_SOURCE = resolved.source
  return async () => {
    delete process.env[ADMIN_URL_ENV]
    await resolved.stop()
  }
}
