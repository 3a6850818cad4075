import { restrictCaFilesFromEnv } from "@idconnect/core/TrustCa"
import { installedPlugins } from "@idconnect/plugin-catalog/InstalledPlugins"
import { Store } from "@idconnect/store/Store"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { readApiSettings } from "./ApiConfig.ts"
import { apiServicesLayer } from "./ApiLayer.ts"
import { serveApi } from "./ApiServer.ts"

// `npm run api`: the HTTP API alone, against DATABASE_URL (or the embedded database in
// IDCONNECT_DATA_DIR when no worker process shares it). Settings: see ApiConfig.ts.
// Integrations of all tenants share this process: only CA files the operator lists may be trusted.
restrictCaFilesFromEnv()
const settings = await Effect.runPromise(readApiSettings)
const runtime = ManagedRuntime.make(apiServicesLayer(Store.layerFromEnv(), installedPlugins))
// Build the services now (migrations, queue), so a bad database URL or key fails at start.
await runtime.runPromise(Effect.void)
const api = await serveApi(runtime, settings)
console.log(`idconnect API listening on ${api.url} (reference: ${api.url}/v1/docs)`)
if (settings.http.adminToken === undefined) console.log("IDCONNECT_ADMIN_TOKEN is not set: the admin endpoints are disabled")

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await api.close()
  await runtime.dispose()
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
