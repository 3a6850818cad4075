// `npm start`: the whole platform on this machine, in one process, with nothing to install:
// embedded PostgreSQL (PGlite) in .data/, the Graph simulator with a demo tenant (HTTPS, its own CA),
// the API and a worker sharing one store, an Entra integration created through the API against the
// simulator, and a first sync. Prints the API URL, a ready API key and curl examples; writes them to
// .data/demo.json. Ctrl-C stops everything; the next start reuses the data.
//
// It is a tool rather than an app because it composes two apps (API and worker) in one process,
// which apps may not do; in production they are separate processes (`npm run api`,
// `npm run worker`) on PostgreSQL. test/e2e/test/Demo.test.ts runs it as a user would.
import { join, resolve } from "node:path"
import { apiServicesLayer } from "@idconnect/api/ApiLayer"
import { serveApi, type RunningApi } from "@idconnect/api/ApiServer"
import { curlExamples, demoAdminToken, setUpDemo } from "@idconnect/api/demo/DemoSetup"
import { defaultHttpOptions } from "@idconnect/api/http/App"
import { startGraphSim } from "@idconnect/graph-sim/GraphSim"
import { installedPlugins } from "@idconnect/plugin-catalog/InstalledPlugins"
import { restrictCaFiles } from "@idconnect/core/TrustCa"
import { Store } from "@idconnect/store/Store"
import { Worker } from "@idconnect/worker/Worker"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"

const root = resolve(import.meta.dirname, "../../..")
const dataDir = resolve(process.env.IDCONNECT_DATA_DIR ?? join(root, ".data"))
// The store reads its data folder from the environment (PGlite in <dir>/pglite, the key beside it).
process.env.IDCONNECT_DATA_DIR = dataDir
delete process.env.DATABASE_URL
const stateFile = join(dataDir, "demo.json")
const log = (line: string) => console.log(line)

log(`idconnect demo — data in ${dataDir}`)
// The CA is kept in the data folder, so the integration's caFile stays valid across starts.
const sim = await startGraphSim({ caDir: join(dataDir, "graph-sim") })
// Integrations may only use CA files the operator lists; the demo's is the simulator's.
restrictCaFiles([sim.caFile])
const tenant = sim.tenants[0]!
const app = tenant.apps.find((a) => a.name === "main")!
log(`Graph simulator: ${sim.graphBaseUrl} (tenant ${tenant.displayName}, ${tenant.tenantId})`)

const services = apiServicesLayer(Store.layerFromEnv(), installedPlugins)
const runtime = ManagedRuntime.make(
  Worker.layer({ modes: ["direct", "scim", "csv", "bulk"], concurrency: 2, workerId: "demo-worker" }).pipe(
    Layer.provideMerge(services),
    // The demo prints its own progress; the services only speak up about problems.
    Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )
)

let api: RunningApi | undefined
let stopping = false
const stop = async (code: number) => {
  if (stopping) process.exit(130)
  stopping = true
  log("\nStopping…")
  await api?.close()
  await runtime.dispose()
  await sim.stop()
  log(`Stopped. Start again with \`npm start\`: the data is kept in ${dataDir}.`)
  process.exit(code)
}
process.once("SIGINT", () => void stop(0))
process.once("SIGTERM", () => void stop(0))

try {
  await runtime.runPromise(Effect.void)
  const adminToken = demoAdminToken(stateFile)
  const http = { ...defaultHttpOptions, adminToken: Redacted.make(adminToken) }
  const port = Number(process.env.IDCONNECT_API_PORT ?? 8080)
  api = await serveApi(runtime, { host: "127.0.0.1", port, http }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EADDRINUSE") throw e
    log(`Port ${port} is busy; using a free one`)
    return serveApi(runtime, { host: "127.0.0.1", port: 0, http })
  })
  log(`API: ${api.url}`)

  const state = await setUpDemo({
    apiUrl: api.url,
    adminToken,
    stateFile,
    log,
    entraConfig: {
      tenantId: tenant.tenantId,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authorityHost: sim.authorityHost,
      graphBaseUrl: sim.graphBaseUrl,
      caFile: sim.caFile
    }
  })

  log("")
  log("Ready.")
  log(`  API URL        ${state.apiUrl}`)
  log(`  API reference  ${state.docsUrl}`)
  log(`  API key        X-Api-Key-ID: ${state.apiKeyId}`)
  log(`                 X-Api-Key-Secret: ${state.apiKeySecret}`)
  log(`  Integration    ${state.integrationId}`)
  log(`  Saved to       ${stateFile}`)
  log("")
  for (const { title, command } of curlExamples(state)) {
    log(`# ${title}`)
    log(command)
    log("")
  }
  log("Press Ctrl-C to stop.")
} catch (error) {
  console.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`)
  await stop(1)
}
