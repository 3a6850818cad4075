import { endpoint, json } from "../Endpoint.ts"
import { PluginList, PluginParams, PluginView } from "../PluginView.ts"

export const pluginEndpoints = [
  endpoint({
    name: "listPlugins",
    method: "get",
    path: "/v1/plugins",
    tag: "Plugins",
    summary: "Installed plugins with their modes, capability sets and config JSON Schemas",
    auth: "apiKey",
    success: json(PluginList),
    errors: []
  }),
  endpoint({
    name: "getPlugin",
    method: "get",
    path: "/v1/plugins/{pluginId}",
    tag: "Plugins",
    summary: "One plugin",
    auth: "apiKey",
    params: PluginParams,
    success: json(PluginView),
    errors: ["not-found"]
  })
] as const
