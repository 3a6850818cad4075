import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import * as Effect from "effect/Effect"
import type { pluginEndpoints } from "../contract/endpoints/PluginEndpoints.ts"
import { ApiErrors } from "../http/ApiError.ts"
import type { Handlers } from "../http/Handler.ts"
import { pluginView } from "./PluginViews.ts"

export const pluginHandlers: Handlers<typeof pluginEndpoints, PluginRegistry> = {
  listPlugins: () => PluginRegistry.use((registry) => Effect.succeed({ items: registry.list().map(pluginView) })),
  getPlugin: ({ params }) =>
    PluginRegistry.use((registry) => {
      const plugin = registry.find(params.pluginId)
      return plugin === undefined ? Effect.fail(ApiErrors.notFound("Plugin", params.pluginId)) : Effect.succeed(pluginView(plugin))
    })
}
