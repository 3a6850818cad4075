import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { makeApiClient, type ApiClient } from "@idconnect/api/client/ApiClient"
import { startGraphSim, type GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import { createTestDatabase, type TestDatabase } from "@idconnect/test-support/TestDatabase"
import { repoRoot, startProcess, type RunningProcess } from "./ChildProcess.ts"

/**
 * The platform as it runs in production, on this machine: the API and the worker as their own
 * processes (`npm run api`, `npm run worker`) on a PostgreSQL database of the test file's own, and
 * the Graph simulator (HTTPS, its own CA) with the demo tenant. Tests drive it over HTTP.
 */
export interface Platform {
  readonly apiUrl: string
  readonly adminToken: string
  readonly sim: GraphSimHandle
  readonly api: RunningProcess
  readonly worker: RunningProcess | undefined
  /** The worker's Prometheus endpoint (`/metrics`, on a free loopback port), when the worker runs. */
  readonly workerMetricsUrl: string | undefined
  /** The admin client (tenant bootstrap). */
  readonly admin: ApiClient
  /** A client for an API key. */
  readonly client: (key: { readonly id: string; readonly secret: string }) => ApiClient
  /** The direct-mode config of the simulated tenant's main app, with an optional other secret. */
  readonly entraConfig: (overrides?: { readonly clientSecret?: string }) => Record<string, unknown>
  readonly stop: () => Promise<void>
}

export interface PlatformOptions {
  /** Start the worker process too (default true). */
  readonly worker?: boolean
  readonly env?: Record<string, string>
}

export const WORKER_ENTRY = "apps/worker/src/main.ts"

export const startPlatform = async (options: PlatformOptions = {}): Promise<Platform> => {
  const database: TestDatabase = await createTestDatabase("e2e")
  const sim = await startGraphSim()
  const adminToken = randomBytes(18).toString("base64url")
  const env = {
    DATABASE_URL: database.url,
    IDCONNECT_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    IDCONNECT_ADMIN_TOKEN: adminToken,
    // The only CA file integrations may name: the simulator's.
    IDCONNECT_ALLOWED_CA_FILES: sim.caFile,
    IDCONNECT_API_HOST: "127.0.0.1",
    IDCONNECT_API_PORT: "0",
    // Liveness settings short enough for a test, the same code paths as production.
    IDCONNECT_JOB_RETRY_DELAY_SECONDS: "1",
    IDCONNECT_JOB_RETRY_DELAY_MAX_SECONDS: "2",
    IDCONNECT_JOB_SUPERVISE_SECONDS: "2",
    ...options.env
  }
  const started: Array<RunningProcess> = []
  try {
    const api = startProcess("apps/api/src/main.ts", env, "api")
    started.push(api)
    const [, apiUrl] = await api.waitFor(/listening on (http:\/\/\S+)/, "the API listened")
    let worker: RunningProcess | undefined
    let workerMetricsUrl: string | undefined
    if (options.worker !== false) {
      if (!existsSync(resolve(repoRoot, WORKER_ENTRY))) throw new Error(`${WORKER_ENTRY} does not exist yet`)
      worker = startProcess(WORKER_ENTRY, env, "worker", ["--metrics-port", "0", "--polling-seconds", "1", "--busy-retry-seconds", "2"])
      started.push(worker)
      await worker.waitFor(/worker\b.*\b(ready|started|listening)/i, "the worker started")
      const [, metricsUrl] = await worker.waitFor(/Metrics on (http:\/\/[^\s"]+\/metrics)/, "the worker served /metrics")
      workerMetricsUrl = metricsUrl
    }
    const tenant = sim.tenants[0]!
    const main = tenant.apps.find((a) => a.name === "main")!
    return {
      apiUrl: apiUrl!,
      adminToken,
      sim,
      api,
      worker,
      workerMetricsUrl,
      admin: makeApiClient({ baseUrl: apiUrl!, adminToken }),
      client: (key) => makeApiClient({ baseUrl: apiUrl!, apiKey: key }),
      entraConfig: (overrides = {}) => ({
        tenantId: tenant.tenantId,
        clientId: main.clientId,
        clientSecret: overrides.clientSecret ?? main.clientSecret,
        authorityHost: sim.authorityHost,
        graphBaseUrl: sim.graphBaseUrl,
        caFile: sim.caFile
      }),
      stop: async () => {
        for (const p of started.reverse()) await p.stop("SIGTERM")
        await sim.stop()
        await database.drop()
      }
    }
  } catch (error) {
    for (const p of started.reverse()) await p.stop("SIGKILL")
    await sim.stop()
    await database.drop()
    throw error
  }
}
