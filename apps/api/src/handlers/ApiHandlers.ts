import type { PluginRegistry } from "@idconnect/core/PluginRegistry"
import type { AuditLog } from "@idconnect/store/AuditLog"
import type { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import type { Integrations } from "@idconnect/store/Integrations"
import type { JobQueue } from "@idconnect/store/JobQueue"
import type { Operations } from "@idconnect/store/Operations"
import type { Runs } from "@idconnect/store/Runs"
import type { Snapshots } from "@idconnect/store/Snapshots"
import type { Tenants } from "@idconnect/store/Tenants"
import type { Uploads } from "@idconnect/store/Uploads"
import type { UrlSigner } from "../bulk/UrlSigner.ts"
import { bulkHandlers } from "./BulkHandlers.ts"
import type { ApiEndpoints } from "../contract/Api.ts"
import type { Handlers } from "../http/Handler.ts"
import { dataHandlers } from "./DataHandlers.ts"
import { integrationHandlers } from "./IntegrationHandlers.ts"
import { lifecycleHandlers } from "./LifecycleHandlers.ts"
import { metaHandlers } from "./MetaHandlers.ts"
import { pluginHandlers } from "./PluginHandlers.ts"
import { runHandlers } from "./RunHandlers.ts"
import { tenancyHandlers } from "./TenancyHandlers.ts"

/** The services the API's handlers need; the process provides them once, in its runtime. */
export type ApiServices =
  | PluginRegistry
  | Tenants
  | Integrations
  | Runs
  | Snapshots
  | EffectiveAccess
  | Operations
  | AuditLog
  | JobQueue
  | Uploads
  | UrlSigner

/** Every endpoint's handler, checked by the compiler against `apiEndpoints` (none missing, none extra). */
export const apiHandlers: Handlers<ApiEndpoints, ApiServices> = {
  ...metaHandlers,
  ...tenancyHandlers,
  ...pluginHandlers,
  ...integrationHandlers,
  ...runHandlers,
  ...dataHandlers,
  ...lifecycleHandlers,
  ...bulkHandlers
}
