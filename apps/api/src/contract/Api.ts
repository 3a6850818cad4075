import { bulkEndpoints } from "./endpoints/BulkEndpoints.ts"
import { dataEndpoints } from "./endpoints/DataEndpoints.ts"
import { integrationEndpoints } from "./endpoints/IntegrationEndpoints.ts"
import { lifecycleEndpoints } from "./endpoints/LifecycleEndpoints.ts"
import { metaEndpoints } from "./endpoints/MetaEndpoints.ts"
import { pluginEndpoints } from "./endpoints/PluginEndpoints.ts"
import { runEndpoints } from "./endpoints/RunEndpoints.ts"
import { tenancyEndpoints } from "./endpoints/TenancyEndpoints.ts"

/**
 * The whole HTTP API as data, in documentation order. The server mounts exactly this list, the
 * OpenAPI document is generated from it, the typed client calls by its names, and the isolation
 * test walks it.
 */
export const apiEndpoints = [
  ...metaEndpoints,
  ...tenancyEndpoints,
  ...pluginEndpoints,
  ...integrationEndpoints,
  ...runEndpoints,
  ...dataEndpoints,
  ...lifecycleEndpoints,
  ...bulkEndpoints
] as const

export type ApiEndpoints = typeof apiEndpoints
export type ApiEndpoint = ApiEndpoints[number]
export type EndpointName = ApiEndpoint["name"]

export const API_VERSION = "1.0.0"
