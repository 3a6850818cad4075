import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { deriveCapabilities } from "./Capabilities.ts"
import { ConnectorErrors, type ConnectorError } from "./ConnectorError.ts"
import type { ConnectorPlugin } from "./ConnectorPlugin.ts"

/**
 * The plugins an app knows, by id. Apps build it once at their root from the plugin packages they
 * depend on; plugins are validated (capabilities derived) when the registry is made.
 *
 * @category services
 */
export class PluginRegistry extends Context.Service<
  PluginRegistry,
  {
    readonly list: () => ReadonlyArray<ConnectorPlugin>
    readonly find: (id: string) => ConnectorPlugin | undefined
    readonly get: (id: string) => Effect.Effect<ConnectorPlugin, ConnectorError>
  }
>()("idconnect/core/PluginRegistry") {
  static readonly make = (plugins: ReadonlyArray<ConnectorPlugin>): PluginRegistry["Service"] => {
    const byId = new Map<string, ConnectorPlugin>()
    for (const plugin of plugins) {
      deriveCapabilities(plugin)
      if (byId.has(plugin.metadata.id)) throw new Error(`Two plugins share the id '${plugin.metadata.id}'`)
      byId.set(plugin.metadata.id, plugin)
    }
    return PluginRegistry.of({
      list: () => [...byId.values()],
      find: (id) => byId.get(id),
      get: (id) => {
        const plugin = byId.get(id)
        return plugin === undefined
          ? Effect.fail(
              ConnectorErrors.configInvalid({
                field: "app",
                message: `Unknown plugin '${id}'. Known plugins: ${[...byId.keys()].join(", ")}`
              })
            )
          : Effect.succeed(plugin)
      }
    })
  }

  static readonly layer = (plugins: ReadonlyArray<ConnectorPlugin>) => Layer.sync(PluginRegistry, () => PluginRegistry.make(plugins))
}
