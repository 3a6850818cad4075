import pg from "pg"

/**
 * How the test suite reaches a PostgreSQL server, decided once per `vitest run` (in the global setup):
 * `DATABASE_URL` when set; otherwise a throwaway container from testcontainers when a Docker engine
 * answers and the container starts (a machine with Docker but no registry access cannot pull the
 * image: that is said on stderr and the next option applies); otherwise the local server on
 * 127.0.0.1:5432. Never a silent skip.
 */
export interface ResolvedPostgres {
  readonly adminUrl: string
  readonly source: "DATABASE_URL" | "testcontainers" | "local"
  readonly stop: () => Promise<void>
}

export const LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"

const canConnect = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    await client.query("select 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A throwaway server in a container, or undefined when there is no Docker engine. */
export type ContainerStarter = () => Promise<ResolvedPostgres | undefined>

const tryTestcontainers: ContainerStarter = async () => {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers")
    await getContainerRuntimeClient()
  } catch {
    return undefined // no Docker engine: the next option applies
  }
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql")
  const container = await new PostgreSqlContainer("postgres:17-alpine").start()
  return {
    adminUrl: container.getConnectionUri(),
    source: "testcontainers",
    stop: async () => {
      await container.stop()
    }
  }
}

export const resolvePostgres = async (
  env: NodeJS.ProcessEnv = process.env,
  { startContainer = tryTestcontainers, localUrl = LOCAL_POSTGRES_URL }: { readonly startContainer?: ContainerStarter; readonly localUrl?: string } = {}
): Promise<ResolvedPostgres> => {
  const fromEnv = env.DATABASE_URL
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!(await canConnect(fromEnv))) {
      throw new Error(`DATABASE_URL is set but no PostgreSQL server answers at it (${redactUrl(fromEnv)}).`)
    }
    return { adminUrl: fromEnv, source: "DATABASE_URL", stop: async () => undefined }
  }
  const container = await startContainer().catch((e: unknown) => {
    process.stderr.write(`A Docker engine answers but the PostgreSQL container did not start (${e instanceof Error ? e.message : String(e)}); trying the local server.\n`)
    return undefined
  })
  if (container !== undefined) return container
  if (await canConnect(localUrl)) {
    return { adminUrl: localUrl, source: "local", stop: async () => undefined }
  }
  throw new Error(
    "The tests need PostgreSQL and found none. Provide one of:\n" +
      "  1. DATABASE_URL=postgres://user:pass@host:5432/db (a role that may CREATE DATABASE)\n" +
      "  2. a running Docker engine (testcontainers starts a throwaway postgres:17-alpine)\n" +
      "  3. a local server on 127.0.0.1:5432 with trust auth for user postgres\n" +
      "     (on Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)"
  )
}

export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "***"
    return u.toString()
  } catch {
    return "<unparseable url>"
  }
}
