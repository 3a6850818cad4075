import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { StoreConfig } from "@idconnect/store/StoreConfig"
import * as Layer from "effect/Layer"
import { UrlSigner } from "./bulk/UrlSigner.ts"
import type { ApiServices } from "./handlers/ApiHandlers.ts"

/**
 * The services the API runs on, built once per process: a store (repositories and job queue, from
 * `Store.layerFromEnv()` or `Store.layerWithQueue(...)`), the signer of upload/download URLs (keyed
 * from the store's key) and the registry of installed plugins. In the demo the same store layer
 * also feeds the in-process worker.
 */
export const apiServicesLayer = <ROut extends Exclude<ApiServices, PluginRegistry | UrlSigner>, E, RIn>(
  store: Layer.Layer<ROut | StoreConfig, E, RIn>,
  plugins: ReadonlyArray<ConnectorPlugin>
): Layer.Layer<ROut | StoreConfig | UrlSigner | PluginRegistry, E, RIn> =>
  Layer.merge(UrlSigner.layer.pipe(Layer.provideMerge(store)), PluginRegistry.layer(plugins))
