import * as Schema from "effect/Schema"
import { IsoDateTime } from "./Common.ts"

export const RunKind = Schema.Literals(["extract", "ingest", "lifecycle"])
export type RunKind = typeof RunKind.Type

export const RunStatus = Schema.Literals(["queued", "running", "succeeded", "failed", "cancelled", "dead"])
export type RunStatus = typeof RunStatus.Type

/** A warning a run reports without failing: a skipped stream, a skipped object, a degraded feature. */
export const RunWarning = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  stream: Schema.optionalKey(Schema.String),
  objectId: Schema.optionalKey(Schema.String)
}).annotate({ identifier: "RunWarning" })
export type RunWarning = typeof RunWarning.Type

/**
 * What a run has cost the source so far: requests sent (a `$batch` item counts as one, as Graph's
 * throttling counts it), the source's own cost units where it has them (Graph resource units; 0
 * otherwise) and answers that throttled (HTTP 429).
 */
export const SourceUsage = Schema.Struct({
  requests: Schema.Int,
  resourceUnits: Schema.Int,
  throttled: Schema.Int
}).annotate({ identifier: "SourceUsage" })
export type SourceUsage = typeof SourceUsage.Type

/** Progress of a run, readable while it goes. */
export const RunProgress = Schema.Struct({
  phase: Schema.String,
  entities: Schema.Int,
  relations: Schema.Int,
  deletions: Schema.Int,
  /** Requests sent to the source (0 for plugins that do not report them, and for file uploads). */
  requests: Schema.Int,
  /** The source's cost units (Graph resource units), for plugins that report them. */
  resourceUnits: Schema.optionalKey(Schema.Int),
  /** Throttled answers (HTTP 429) so far, for plugins that report them. */
  throttled: Schema.optionalKey(Schema.Int),
  ratePerSecond: Schema.Number
}).annotate({ identifier: "RunProgress" })
export type RunProgress = typeof RunProgress.Type

export const RunView = Schema.Struct({
  id: Schema.String,
  integrationId: Schema.String,
  kind: RunKind,
  status: RunStatus,
  trigger: Schema.Literals(["manual", "schedule", "upload", "api"]),
  progress: RunProgress,
  warnings: Schema.Array(RunWarning),
  error: Schema.NullOr(Schema.Struct({ code: Schema.String, failureClass: Schema.String, message: Schema.String })),
  attempts: Schema.Int,
  createdAt: IsoDateTime,
  startedAt: Schema.NullOr(IsoDateTime),
  finishedAt: Schema.NullOr(IsoDateTime)
}).annotate({ identifier: "Run" })
export type RunView = typeof RunView.Type

/**
 * An opaque, serialisable cursor a plugin emits as it goes (for Graph: nextLinks and deltaLinks
 * verbatim). Saving the latest one lets a killed run resume where it stopped.
 */
export const Checkpoint = Schema.Struct({
  /** Which plugin and format version wrote it; a plugin refuses cursors it does not understand. */
  version: Schema.String,
  state: Schema.Unknown
}).annotate({ identifier: "Checkpoint" })
export type Checkpoint = typeof Checkpoint.Type

/** Job payloads the queue carries between the API and the workers. */
export const ExtractJob = Schema.Struct({
  runId: Schema.String,
  tenantId: Schema.String,
  integrationId: Schema.String,
  mode: Schema.Literals(["direct", "scim"])
})
export const IngestJob = Schema.Struct({
  runId: Schema.String,
  tenantId: Schema.String,
  integrationId: Schema.String,
  uploadId: Schema.String
})
export const LifecycleJob = Schema.Struct({
  runId: Schema.String,
  tenantId: Schema.String,
  integrationId: Schema.String,
  planId: Schema.String
})
