import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import { AuditLog } from "@idconnect/store/AuditLog"
import { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import { Integrations } from "@idconnect/store/Integrations"
import { JobQueue, type QueueSettings } from "@idconnect/store/JobQueue"
import { Operations } from "@idconnect/store/Operations"
import { Runs } from "@idconnect/store/Runs"
import { SecretBox } from "@idconnect/store/SecretBox"
import { Snapshots } from "@idconnect/store/Snapshots"
import { SqlDriver } from "@idconnect/store/SqlDriver"
import type { StoreConfig } from "@idconnect/store/StoreConfig"
import { Tenants } from "@idconnect/store/Tenants"
import * as Layer from "effect/Layer"

/**
 * The services the API runs on, built once per process: the store's repositories and job queue on
 * one database connection (pool or embedded PGlite), and the registry of installed plugins. Needs
 * `StoreConfig` (from the environment, or given by the demo and the tests).
 */
export const apiServicesLayer = (options: { readonly plugins: ReadonlyArray<ConnectorPlugin>; readonly queue?: QueueSettings }) => {
  const database = Layer.provideMerge(SecretBox.layer, SqlDriver.layer)
  const repositories = Layer.mergeAll(
    Tenants.layer,
    Integrations.layer,
    Runs.layer,
    Snapshots.layer,
    EffectiveAccess.layer,
    Operations.layer,
    AuditLog.layer
  ).pipe(Layer.provideMerge(database))
  const queue = JobQueue.layer(options.queue).pipe(Layer.provideMerge(repositories))
  return Layer.mergeAll(queue, PluginRegistry.layer(options.plugins)) satisfies Layer.Layer<any, any, StoreConfig>
}
