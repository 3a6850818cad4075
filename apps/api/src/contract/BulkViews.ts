import { IsoDateTime } from "@idconnect/schemas/Common"
import { Entity } from "@idconnect/schemas/Entity"
import { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { RunView, RunWarning } from "@idconnect/schemas/Run"
import * as Schema from "effect/Schema"

/** Which file of the BalkanID bulk format an upload or download carries. */
export const BulkFile = Schema.Literals(["entities", "relations"])
export type BulkFile = typeof BulkFile.Type

export const UploadFormat = Schema.Literals(["csv", "ndjson"])

export const UploadUrlRequest = Schema.Struct({
  format: Schema.optionalKey(UploadFormat).annotate({ description: "csv (default) or ndjson" }),
  bestEffort: Schema.optionalKey(Schema.Boolean).annotate({
    description: "Publish the valid rows even when some are invalid (default false: any invalid row publishes nothing)"
  })
}).annotate({ identifier: "UploadUrlRequest" })

/**
 * Where to send a file and where to watch it: PUT the file to `uploadUrl` (no API key needed: the
 * URL carries a signed, single-use token that expires at `expiresAt`), then poll `pollingUrl`.
 */
export const UploadTicket = Schema.Struct({
  uploadId: Schema.String,
  file: BulkFile,
  format: UploadFormat,
  method: Schema.Literal("PUT"),
  uploadUrl: Schema.String,
  pollingUrl: Schema.String,
  expiresAt: IsoDateTime,
  maxBytes: Schema.Int
}).annotate({ identifier: "UploadTicket" })

/** The answer to an accepted upload: the ingest run that processes it. */
export const UploadAccepted = Schema.Struct({
  uploadId: Schema.String,
  runId: Schema.String,
  pollingUrl: Schema.String,
  bytes: Schema.Int,
  replayed: Schema.Boolean.annotate({ description: "true when this upload had already been received: nothing was ingested twice" })
}).annotate({ identifier: "UploadAccepted" })

/**
 * The processing report of an upload: whether its data was published, how many rows were read
 * and kept, and the rows at fault (line and reason) as the run's warnings.
 */
export const UploadReport = Schema.Struct({
  uploadId: Schema.String,
  integrationId: Schema.String,
  status: Schema.Literals(["succeeded", "failed", "cancelled"]),
  published: Schema.Boolean,
  message: Schema.String,
  counts: Schema.Struct({ entities: Schema.Int, relations: Schema.Int }),
  errors: Schema.Array(RunWarning),
  run: RunView
}).annotate({ identifier: "UploadReport" })

export const UploadParams = Schema.Struct({ id: Schema.String, uploadId: Schema.String })
export const UploadTokenParams = Schema.Struct({ uploadId: Schema.String })
export const TokenQuery = Schema.Struct({ token: Schema.String.annotate({ description: "The signed token of the URL" }) })

/** JSON batches for clients that do not want files; the same validation and processing as uploads. */
export const BatchRequest = Schema.Struct({
  entities: Schema.optionalKey(Schema.Array(Entity)),
  relations: Schema.optionalKey(Schema.Array(EntityRelation)),
  syncMode: Schema.optionalKey(Schema.Literals(["full", "incremental"])).annotate({
    description: "full (default when entities are sent): replaces the snapshot; incremental (default for relations only): applied on top"
  }),
  bestEffort: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "BatchRequest" })

export const ManualUploadQuery = Schema.Struct({
  file: Schema.optionalKey(BulkFile).annotate({ description: "For a raw (non-multipart) body: which file it is (default entities)" }),
  bestEffort: Schema.optionalKey(Schema.Literals(["true", "false"]))
})

/** A prepared export: GET `downloadUrl` (signed, no API key needed) before `expiresAt`. */
export const DownloadTicket = Schema.Struct({
  file: BulkFile,
  downloadUrl: Schema.String,
  pollingUrl: Schema.String,
  expiresAt: IsoDateTime,
  runId: Schema.String.annotate({ description: "The run whose snapshot the file holds" })
}).annotate({ identifier: "DownloadTicket" })

export const DownloadStatus = Schema.Struct({
  status: Schema.Literal("ready"),
  file: BulkFile,
  downloadUrl: Schema.String,
  expiresAt: IsoDateTime,
  runId: Schema.String
}).annotate({ identifier: "DownloadStatus" })

export const DownloadParams = Schema.Struct({ id: Schema.String, file: BulkFile })
