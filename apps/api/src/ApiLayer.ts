import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import * as Layer from "effect/Layer"
import { UrlSigner } from "./bulk/UrlSigner.ts"

/**
 * The services the API runs on, built once per process: a store (repositories and job queue, from
 * `Store.layerFromEnv()` or `Store.layerWithQueue(...)`), the signer of upload/download URLs (keyed
 * from the store's key) and the registry of installed plugins. In the demo the same store layer
 * also feeds the in-process worker.
 */
export const apiServicesLayer = <ROut, E, RIn>(
  store: Layer.Layer<ROut, E, RIn>,
  plugins: ReadonlyArray<ConnectorPlugin>
): Layer.Layer<ROut | UrlSigner | PluginRegistry, E, RIn> =>
  // The cast drops `Exclude<StoreConfig, ROut>` from the requirements: every store layer provides
  // its StoreConfig. Whether `store` provides all the API needs is checked where the runtime meets
  // `serveApi` (which takes a runtime of `ApiServices`).
  Layer.merge(UrlSigner.layer.pipe(Layer.provideMerge(store)), PluginRegistry.layer(plugins)) as Layer.Layer<
    ROut | UrlSigner | PluginRegistry,
    E,
    RIn
  >
