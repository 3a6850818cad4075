import type { SyncScope } from "@idconnect/core/ExtractionSink"
import { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import type { UploadView } from "@idconnect/store/Uploads"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * The payload of an ingest run, the contract between the API (which stores the files of an upload
 * under the names `entities` and `relations`) and the worker (which ingests them). An Entities
 * file makes a full snapshot; a Relations-only upload is applied on top of the last one.
 */
export interface IngestPayload {
  readonly uploadId: string
  readonly files: { readonly entities?: { readonly format: "csv" | "ndjson" }; readonly relations?: { readonly format: "csv" | "ndjson" } }
  readonly syncMode: "full" | "incremental"
  /**
   * What a full upload replaces: `entities` (an Entities-only upload keeps the relations, except
   * those whose ends disappeared), `relations` (a Relations-only upload keeps the entities), `all`.
   */
  readonly scope?: SyncScope
  readonly bestEffort: boolean
}

/** Queues the ingest run of a received upload. */
export const startIngest = (tenantId: string, integrationId: string, payload: IngestPayload) =>
  JobQueue.use((queue) =>
    queue.startRun({ tenantId, integrationId, kind: "ingest", trigger: "upload", payload: { ...payload } })
  ).pipe(Effect.map(({ run }) => run))

/** The ingest run of an upload, if one was started. */
export const findUploadRun = (tenantId: string, upload: UploadView) =>
  Runs.use((runs) => runs.findByUpload(tenantId, upload.id)).pipe(Effect.map(Option.getOrUndefined))
