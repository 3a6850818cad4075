import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type * as Layer from "effect/Layer"
import * as L from "effect/Layer"
import type { ApiServices } from "./handlers/ApiHandlers.ts"

/**
 * The services the API runs on, built once per process: a store (repositories and job queue, from
 * `Store.layerFromEnv()` or `Store.layerWithQueue(...)`) and the registry of installed plugins. In
 * the demo the same store layer also feeds the in-process worker.
 */
export const apiServicesLayer = <ROut extends Exclude<ApiServices, PluginRegistry>, E, RIn>(
  store: Layer.Layer<ROut, E, RIn>,
  plugins: ReadonlyArray<ConnectorPlugin>
): Layer.Layer<ROut | PluginRegistry, E, RIn> => L.merge(store, PluginRegistry.layer(plugins))
