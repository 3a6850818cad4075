import { NodeRuntime } from "@effect/platform-node"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import { restrictCaFilesFromEnv } from "@idconnect/core/TrustCa"
import { installedPlugins } from "@idconnect/plugin-catalog/InstalledPlugins"
import { Store } from "@idconnect/store/Store"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { JsonLogs, LogLevelFromEnv, metricsServer, OtlpTracing } from "./Observability.ts"
import { Worker } from "./Worker.ts"
import { ArgsError, parseWorkerArgs, USAGE } from "./WorkerArgs.ts"

/**
 * `npm run worker -- --modes direct,scim --concurrency 2`: a worker process. SIGTERM/SIGINT stop it
 * gracefully (no new jobs, running runs released to the queue at their last checkpoint), exit 0.
 */
const command = (() => {
  try {
    return parseWorkerArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`${e instanceof ArgsError || e instanceof TypeError ? e.message : String(e)}\n\n${USAGE}`)
    process.exit(2)
  }
})()
if (command === "help") {
  console.log(USAGE)
  process.exit(0)
}

// Integrations of all tenants share this process: only CA files the operator lists may be trusted.
restrictCaFilesFromEnv()

const MetricsServer =
  command.metricsPort === null ? Layer.empty : Layer.effectDiscard(metricsServer(command.metricsPort))

const App = Layer.mergeAll(Worker.layer(command.worker), MetricsServer).pipe(
  Layer.provide(PluginRegistry.layer(installedPlugins)),
  Layer.provide(Store.layerFromEnv()),
  Layer.provide(OtlpTracing("idconnect-worker")),
  Layer.provide(JsonLogs),
  Layer.provide(LogLevelFromEnv)
)

// A signal is the normal way to stop a worker: exit 0 once it has released its runs.
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? Runtime.defaultTeardown(exit, onExit) : onExit(0)

Layer.launch(App).pipe(Effect.provide([JsonLogs, LogLevelFromEnv]), NodeRuntime.runMain({ teardown }))
