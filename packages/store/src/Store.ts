import * as Layer from "effect/Layer"
import { AuditLog } from "./AuditLog.ts"
import { EffectiveAccess } from "./EffectiveAccess.ts"
import { Integrations } from "./Integrations.ts"
import { JobQueue, type QueueSettings } from "./JobQueue.ts"
import { Operations } from "./Operations.ts"
import { Runs } from "./Runs.ts"
import { SecretBox } from "./SecretBox.ts"
import { Snapshots } from "./Snapshots.ts"
import { SnapshotWriter } from "./SnapshotWriter.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreConfig } from "./StoreConfig.ts"
import { Tenants } from "./Tenants.ts"
import { Uploads } from "./Uploads.ts"

/** Every repository the store offers (the job queue is separate: it starts pg-boss). */
export type StoreServices =
  | Tenants
  | Integrations
  | Runs
  | SnapshotWriter
  | Snapshots
  | EffectiveAccess
  | Operations
  | AuditLog
  | Uploads
  | SecretBox
  | SqlDriver
  | StoreConfig

// Built anew for every store: the layers are static values, and Effect may memoize a layer value
// across builds, which would hand a second store (another database) the first one's services.
const repositories = () =>
  Layer.mergeAll(
    Layer.fresh(Tenants.layer),
    Layer.fresh(Integrations.layer),
    Layer.fresh(Runs.layer),
    Layer.fresh(SnapshotWriter.layer),
    Layer.fresh(Snapshots.layer),
    Layer.fresh(EffectiveAccess.layer),
    Layer.fresh(Operations.layer),
    Layer.fresh(AuditLog.layer),
    Layer.fresh(Uploads.layer)
  )

const foundation = <E, R>(config: Layer.Layer<StoreConfig, E, R>) =>
  Layer.fresh(SecretBox.layer).pipe(Layer.provideMerge(Layer.fresh(SqlDriver.layer)), Layer.provideMerge(config))

/**
 * The store's layers, composed. An app builds one of these at its root:
 * - `Store.layerFromEnv`: settings from the environment, repositories and the job queue (API, worker, demo)
 * - `Store.layer(settings)`: repositories only, for given settings (tests, tools)
 * - `Store.layerWithQueue(settings, queue)`: repositories and the job queue for given settings
 * In embedded mode (no DATABASE_URL) the API and the worker must share one of these in one process:
 * PGlite is a single connection that one process owns.
 */
export const Store = {
  layer: (settings: StoreConfig["Service"]) => repositories().pipe(Layer.provideMerge(foundation(StoreConfig.layer(settings)))),

  layerWithQueue: (settings: StoreConfig["Service"], queue?: QueueSettings) =>
    JobQueue.layer(queue).pipe(Layer.provideMerge(repositories()), Layer.provideMerge(foundation(StoreConfig.layer(settings)))),

  layerFromEnv: () =>
    Layer.fresh(JobQueue.layerFromEnv).pipe(Layer.provideMerge(repositories()), Layer.provideMerge(foundation(StoreConfig.layerFromEnv)))
}
