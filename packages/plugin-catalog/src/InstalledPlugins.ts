import { entraPlugin } from "@idconnect/connector-entra/EntraPlugin"
import { examplePlugin } from "@idconnect/connector-example/ExamplePlugin"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"

/**
 * The plugins this installation ships, in the order the apps list them. The one list every app
 * (API, worker, CLI) builds its `PluginRegistry` from, and the one `npm run capabilities` writes
 * manifests for. `npx nx g @idconnect/generators:connector <name>` appends new plugins here;
 * a plugin with id `x` lives in `packages/connector-x`.
 */
export const installedPlugins: ReadonlyArray<ConnectorPlugin> = [
  entraPlugin,
  examplePlugin,
  // generator: new plugins are added above this line
]
