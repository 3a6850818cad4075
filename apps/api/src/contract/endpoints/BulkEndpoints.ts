import { endpoint, json, jsonBody } from "../Endpoint.ts"
import {
  BatchRequest,
  DownloadStatus,
  DownloadTicket,
  ManualUploadQuery,
  TokenQuery,
  UploadAccepted,
  UploadParams,
  UploadReport,
  UploadTicket,
  UploadTokenParams,
  UploadUrlRequest
} from "../BulkViews.ts"
import { IntegrationParams } from "../IntegrationPatch.ts"
import * as Schema from "effect/Schema"

const idempotencyKey = {
  name: "Idempotency-Key",
  description: "Any unique string; a retried request with the same key returns the first answer instead of doing the work twice"
}

const UPLOAD_FLOW =
  "PUT the file to `uploadUrl` (no API key: the URL is signed, single-use and expires), then poll `pollingUrl`: HEAD answers 404 until the upload is processed and 200 after; GET returns the processing report. An Entities upload replaces the integration's snapshot; an Entity Relations upload is applied on top of the entities already there."

const DOWNLOAD_FLOW =
  "GET `downloadUrl` (signed, no API key) for the file in the BalkanID download format (BRN, Timestamp, Integration columns); `pollingUrl` answers HEAD 200 once it is ready (at once: files are streamed from the pinned snapshot)."

/** Issue 8: the bulk API (BalkanID convention) on the ingestion engine; processing happens in the worker. */
export const bulkEndpoints = [
  endpoint({
    name: "createEntitiesUploadUrl",
    method: "post",
    path: "/v1/integrations/{id}/entities/upload-url",
    tag: "Bulk",
    summary: "Get a URL to upload an Entities file (CSV or NDJSON)",
    description: UPLOAD_FLOW,
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(UploadUrlRequest),
    headers: [idempotencyKey],
    success: json(UploadTicket, 201),
    errors: ["not-found", "unsupported"]
  }),
  endpoint({
    name: "createRelationsUploadUrl",
    method: "post",
    path: "/v1/integrations/{id}/entity-relations/upload-url",
    tag: "Bulk",
    summary: "Get a URL to upload an Entity Relations file (CSV or NDJSON)",
    description: UPLOAD_FLOW,
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(UploadUrlRequest),
    headers: [idempotencyKey],
    success: json(UploadTicket, 201),
    errors: ["not-found", "unsupported"]
  }),
  endpoint({
    name: "putUpload",
    method: "put",
    path: "/v1/uploads/{uploadId}",
    tag: "Bulk",
    summary: "Upload the file of an upload URL (signed, single-use)",
    description: "A retried PUT of a URL already used answers with the first upload's run (`replayed: true`) and ingests nothing again.",
    auth: "signedUrl",
    params: UploadTokenParams,
    query: TokenQuery,
    body: {
      kind: "raw",
      contentTypes: ["text/csv", "application/x-ndjson", "application/ndjson", "application/octet-stream", "text/plain"],
      description: "The file's bytes (UTF-8)"
    },
    success: json(UploadAccepted, 202),
    errors: ["unauthorized", "gone", "not-found", "conflict", "validation-failed"]
  }),
  endpoint({
    name: "getUpload",
    method: "get",
    path: "/v1/integrations/{id}/uploads/{uploadId}",
    tag: "Bulk",
    summary: "The processing report of an upload (404 until it is processed)",
    auth: "apiKey",
    params: UploadParams,
    alsoHead: true,
    success: json(UploadReport),
    errors: ["not-found"]
  }),
  endpoint({
    name: "postBatch",
    method: "post",
    path: "/v1/integrations/{id}/batches",
    tag: "Bulk",
    summary: "Send entities and relations as JSON (no files); processed like an upload",
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(BatchRequest, 32 * 1024 * 1024),
    headers: [idempotencyKey],
    success: json(UploadAccepted, 202),
    errors: ["not-found", "unsupported", "conflict"]
  }),
  endpoint({
    name: "uploadFiles",
    method: "post",
    path: "/v1/integrations/{id}/uploads",
    tag: "Bulk",
    summary: "Manual CSV upload: multipart (fields `entities`, `relations`) or one raw file",
    description: "A multipart body may carry both files (one full snapshot). A raw body is one file, named by `?file=`.",
    auth: "apiKey",
    params: IntegrationParams,
    query: ManualUploadQuery,
    body: {
      kind: "raw",
      contentTypes: ["multipart/form-data", "text/csv", "application/x-ndjson", "application/ndjson"],
      description: "multipart/form-data with `entities` and/or `relations` files, or the raw CSV/NDJSON of one file"
    },
    headers: [idempotencyKey],
    success: json(UploadAccepted, 202),
    errors: ["not-found", "unsupported", "validation-failed", "conflict"]
  }),
  endpoint({
    name: "createEntitiesDownloadUrl",
    method: "post",
    path: "/v1/integrations/{id}/entities/download-url",
    tag: "Bulk",
    summary: "Get a URL to download the snapshot's entities (download CSV format)",
    description: DOWNLOAD_FLOW,
    auth: "apiKey",
    params: IntegrationParams,
    success: json(DownloadTicket, 201),
    errors: ["not-found"]
  }),
  endpoint({
    name: "createRelationsDownloadUrl",
    method: "post",
    path: "/v1/integrations/{id}/entity-relations/download-url",
    tag: "Bulk",
    summary: "Get a URL to download the snapshot's entity relations (download CSV format)",
    description: DOWNLOAD_FLOW,
    auth: "apiKey",
    params: IntegrationParams,
    success: json(DownloadTicket, 201),
    errors: ["not-found"]
  }),
  endpoint({
    name: "getDownloadStatus",
    method: "get",
    path: "/v1/downloads/{token}/status",
    tag: "Bulk",
    summary: "Whether a download is ready (HEAD: 200 ready, 404 not yet)",
    auth: "signedUrl",
    params: Schema.Struct({ token: Schema.String }),
    alsoHead: true,
    success: json(DownloadStatus),
    errors: ["unauthorized", "gone", "not-found"]
  }),
  endpoint({
    name: "download",
    method: "get",
    path: "/v1/downloads/{token}",
    tag: "Bulk",
    summary: "Download a prepared file (signed URL)",
    auth: "signedUrl",
    params: Schema.Struct({ token: Schema.String }),
    success: { kind: "raw", status: 200, contentType: "text/csv; charset=utf-8", description: "The CSV file" },
    errors: ["unauthorized", "gone", "not-found"]
  })
] as const
