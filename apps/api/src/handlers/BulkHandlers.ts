import { entitiesDownloadHeader, entityDownloadRow, relationDownloadRow, relationsDownloadHeader } from "@idconnect/ingest/CsvWriter"
import type { IntegrationView } from "@idconnect/schemas/Integration"
import type { RunView } from "@idconnect/schemas/Run"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Integrations } from "@idconnect/store/Integrations"
import type { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import { Uploads, type UploadView } from "@idconnect/store/Uploads"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { idempotencyKeyOf } from "../bulk/Idempotency.ts"
import { findUploadRun, startIngest, type IngestPayload } from "../bulk/IngestJob.ts"
import { UrlSigner } from "../bulk/UrlSigner.ts"
import type { BulkFile } from "../contract/BulkViews.ts"
import type { bulkEndpoints } from "../contract/endpoints/BulkEndpoints.ts"
import { ApiError, ApiErrors } from "../http/ApiError.ts"
import { limitStream } from "../http/BodyLimit.ts"
import { reply, type Caller, type Handlers, type RawReply } from "../http/Handler.ts"
import { actorOf, tenantOf } from "./CallerScope.ts"

/** How long upload and download URLs stay valid. */
const URL_TTL_SECONDS = 15 * 60

type Format = "csv" | "ndjson"

const pushMode = (integration: IntegrationView) =>
  integration.mode === "csv" || integration.mode === "bulk"
    ? Effect.void
    : Effect.fail(
        ApiErrors.unsupported(
          `Integration '${integration.id}' is in ${integration.mode} mode: it pulls its data from the source; uploads go to csv or bulk integrations`
        )
      )

/** The per-integration upload limit (BulkConfig.maxUploadBytes) within the server's. */
const maxBytesOf = (integration: IntegrationView, serverLimit: number) => {
  const own = integration.config.maxUploadBytes
  return typeof own === "number" && own > 0 ? Math.min(own, serverLimit) : serverLimit
}

const bytesOf = (stream: ReadableStream<Uint8Array>) =>
  Stream.fromReadableStream({
    evaluate: () => stream,
    onError: (e) => (e instanceof ApiError ? e : ApiErrors.invalidJson(`The upload could not be read: ${String(e)}`))
  })

/**
 * Writes the files of a claimed upload (see `claimed`). On any failure the claim is given back
 * (with the bytes), so a retry of the same URL or key starts clean.
 */
const writeFiles = (
  tenantId: string,
  upload: UploadView,
  files: ReadonlyArray<{ readonly file: BulkFile; readonly bytes: Stream.Stream<Uint8Array, ApiError> }>
) =>
  Uploads.use((uploads) =>
    Effect.gen(function* () {
      let total = 0
      for (const { file, bytes } of files) {
        const n = yield* uploads.write(tenantId, upload.id, file, bytes)
        if (n === 0) return yield* ApiErrors.validation([{ field: file, message: "The file is empty" }])
        total += n
      }
      return total
    }).pipe(
      // Failed or interrupted (shutdown mid-write): give the claim back so a retry can write.
      Effect.onError(() => uploads.release(upload.id).pipe(Effect.ignore))
    )
  )

/**
 * Takes an open upload for this request: of two concurrent requests for one upload (a single-use URL
 * PUT twice, a key retried while the first attempt still runs) only one writes; the other answers
 * from the upload as a replay.
 */
const claimed = (tenantId: string, upload: UploadView) => Uploads.use((uploads) => uploads.claim(tenantId, upload.id))

const pollingUrl = (origin: string, integrationId: string, uploadId: string) => `${origin}/v1/integrations/${integrationId}/uploads/${uploadId}`

const accepted = (origin: string, upload: UploadView, run: RunView, bytes: number, replayed: boolean) =>
  reply(
    { uploadId: upload.id, runId: run.id, pollingUrl: pollingUrl(origin, upload.integrationId, upload.id), bytes, replayed },
    { status: replayed ? 200 : 202, headers: { location: pollingUrl(origin, upload.integrationId, upload.id) } }
  )

/** The answer for an upload received before: its run, never a second ingestion. */
const replay = (tenantId: string, seen: UploadView, origin: string) =>
  Effect.gen(function* () {
    const upload = yield* Uploads.use((uploads) => uploads.get(tenantId, seen.id))
    const run = yield* findUploadRun(tenantId, upload)
    if (run === undefined) return yield* ApiErrors.conflict(`Upload '${upload.id}' was already used (${upload.status}); request a new upload URL`)
    // The worker drops an upload's bytes once processed; the upload keeps the size it received.
    return accepted(origin, upload, run, upload.receivedBytes ?? upload.files.reduce((n, f) => n + f.bytes, 0), true)
  })

/** Marks an upload received and queues its ingestion. */
const submit = (tenantId: string, upload: UploadView, payload: Omit<IngestPayload, "uploadId">, caller: Caller, details: Record<string, unknown>) =>
  Effect.gen(function* () {
    yield* (yield* Uploads).setStatus(upload.id, "submitted")
    const run = yield* startIngest(tenantId, upload.integrationId, { uploadId: upload.id, ...payload })
    yield* (yield* AuditLog).append({
      tenantId,
      actor: actorOf(caller),
      action: "upload.received",
      targetType: "upload",
      targetId: upload.id,
      integrationId: upload.integrationId,
      runId: run.id,
      details: { ...details, files: Object.keys(payload.files), syncMode: payload.syncMode, scope: payload.scope ?? "all" }
    })
    return run
  })

const issueUploadUrl = (file: BulkFile) =>
  (input: {
    caller: Caller
    params: { id: string }
    body: { format?: Format; bestEffort?: boolean }
    request: Request
    origin: string
    limits: { rawBodyLimitBytes: number }
  }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(input.caller)
      const integration = yield* (yield* Integrations).get(tenantId, input.params.id)
      yield* pushMode(integration)
      const uploads = yield* Uploads
      const key = idempotencyKeyOf(input.request)
      const upload = yield* uploads.create(tenantId, integration.id, {
        // Per file: one key reused for the entities and the relations URL must not hand out the same upload.
        ...(key === undefined ? {} : { idempotencyKey: `url:${file}:${key}` }),
        details: { file, ...(input.body.format === undefined ? {} : { format: input.body.format }) }
      })
      const format = input.body.format ?? ((upload.details.format as Format | undefined) ?? "csv")
      const bestEffort = input.body.bestEffort ?? (integration.config.bestEffort === true)
      if (upload.created) {
        yield* (yield* AuditLog).append({
          tenantId,
          actor: actorOf(input.caller),
          action: "upload.created",
          targetType: "upload",
          targetId: upload.id,
          integrationId: integration.id,
          details: { file, format, ...(key === undefined ? {} : { idempotencyKey: key }) }
        })
      }
      const expires = Math.floor(Date.now() / 1000) + URL_TTL_SECONDS
      const token = (yield* UrlSigner).sign({
        purpose: "upload",
        tenantId,
        integrationId: integration.id,
        uploadId: upload.id,
        file,
        format,
        bestEffort,
        expires
      })
      return reply(
        {
          uploadId: upload.id,
          file,
          format,
          method: "PUT" as const,
          uploadUrl: `${input.origin}/v1/uploads/${upload.id}?token=${token}`,
          pollingUrl: pollingUrl(input.origin, integration.id, upload.id),
          expiresAt: new Date(expires * 1000).toISOString(),
          maxBytes: maxBytesOf(integration, input.limits.rawBodyLimitBytes)
        },
        { status: upload.created ? 201 : 200 }
      )
    })

const issueDownloadUrl = (file: BulkFile) =>
  (input: { caller: Caller; params: { id: string }; origin: string }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(input.caller)
      const integration = yield* (yield* Integrations).get(tenantId, input.params.id)
      const latest = yield* (yield* Runs).list(tenantId, integration.id, { status: "succeeded", limit: 20 })
      const run = latest.items.find((r) => r.kind !== "lifecycle")
      if (run === undefined) return yield* ApiErrors.notFound(`Published data of integration '${integration.id}' (no sync or upload has completed yet)`)
      const expires = Math.floor(Date.now() / 1000) + URL_TTL_SECONDS
      const token = (yield* UrlSigner).sign({ purpose: "download", tenantId, integrationId: integration.id, file, runId: run.id, expires })
      return {
        file,
        downloadUrl: `${input.origin}/v1/downloads/${token}`,
        pollingUrl: `${input.origin}/v1/downloads/${token}/status`,
        expiresAt: new Date(expires * 1000).toISOString(),
        runId: run.id
      }
    })

const encoder = new TextEncoder()

/** NDJSON of a JSON batch, one record per line, in the shape the ingestion engine reads. */
const ndjsonOf = (entities: ReadonlyArray<unknown>, relations: ReadonlyArray<unknown>): Stream.Stream<Uint8Array, ApiError> =>
  Stream.fromIterable([
    ...entities.map((entity) => ({ _tag: "entity", entity })),
    ...relations.map((relation) => ({ _tag: "relation", relation }))
  ]).pipe(
    Stream.map((record) => encoder.encode(JSON.stringify(record) + "\n"))
  )

const formatOf = (contentType: string, fileName?: string): Format =>
  /ndjson/.test(contentType) || /\.(nd)?jsonl?$/i.test(fileName ?? "") ? "ndjson" : "csv"

export const bulkHandlers: Handlers<typeof bulkEndpoints, Integrations | Uploads | Runs | Snapshots | JobQueue | AuditLog | UrlSigner> = {
  createEntitiesUploadUrl: issueUploadUrl("entities"),
  createRelationsUploadUrl: issueUploadUrl("relations"),

  putUpload: ({ params, query, body, caller, origin }) =>
    Effect.gen(function* () {
      const claims = yield* (yield* UrlSigner).verify(query.token, "upload")
      if (claims.uploadId !== params.uploadId) return yield* ApiErrors.unauthorized("The URL's token is for another upload")
      const uploads = yield* Uploads
      const claim = yield* uploads.claim(claims.tenantId, claims.uploadId)
      if (Option.isNone(claim)) return yield* replay(claims.tenantId, yield* uploads.get(claims.tenantId, claims.uploadId), origin)
      const upload = claim.value
      const integration = yield* (yield* Integrations).get(claims.tenantId, claims.integrationId).pipe(Effect.tapError(() => uploads.release(upload.id)))
      const max = maxBytesOf(integration, Number.MAX_SAFE_INTEGER)
      const limited = limitStream(body.stream(), max)
      const bytes = yield* writeFiles(claims.tenantId, upload, [{ file: claims.file, bytes: bytesOf(limited.stream) }])
      const run = yield* submit(
        claims.tenantId,
        upload,
        { files: { [claims.file]: { format: claims.format } }, syncMode: "full", scope: claims.file, bestEffort: claims.bestEffort },
        caller,
        { bytes }
      )
      return accepted(origin, upload, run, bytes, false)
    }),

  getUpload: ({ caller, params }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const upload = yield* (yield* Uploads).get(tenantId, params.uploadId)
      if (upload.integrationId !== params.id) return yield* ApiErrors.notFound("Upload", params.uploadId)
      if (upload.status === "open") return yield* ApiErrors.notFound(`The file of upload '${upload.id}' (not received yet)`)
      const run = yield* findUploadRun(tenantId, upload)
      if (run === undefined || run.status === "queued" || run.status === "running") {
        return yield* new ApiError({ code: "not-found", message: `The report of upload '${upload.id}' is not ready: still processing`, retryAfterSeconds: 1 })
      }
      const published = run.status === "succeeded"
      const status = run.status === "succeeded" ? ("succeeded" as const) : run.status === "cancelled" ? ("cancelled" as const) : ("failed" as const)
      return {
        uploadId: upload.id,
        integrationId: upload.integrationId,
        status,
        published,
        message:
          run.error?.message ??
          (published ? `Published ${run.progress.entities} entities and ${run.progress.relations} relations` : `Not published (${run.status})`),
        counts: { entities: run.progress.entities, relations: run.progress.relations },
        errors: run.warnings,
        run
      }
    }),

  postBatch: ({ caller, params, body, request, origin }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integration = yield* (yield* Integrations).get(tenantId, params.id)
      yield* pushMode(integration)
      const entities = body.entities ?? []
      const relations = body.relations ?? []
      if (entities.length + relations.length === 0) {
        return yield* ApiErrors.validation([{ field: "entities", message: "Send at least one entity or relation" }])
      }
      const key = idempotencyKeyOf(request)
      const created = yield* (yield* Uploads).create(tenantId, integration.id, key === undefined ? {} : { idempotencyKey: `post:${key}` })
      const claim = yield* claimed(tenantId, created)
      if (Option.isNone(claim)) return yield* replay(tenantId, created, origin)
      const upload = claim.value
      const bytes = yield* writeFiles(tenantId, upload, [{ file: "entities", bytes: ndjsonOf(entities, relations) }])
      const run = yield* submit(
        tenantId,
        upload,
        {
          files: { entities: { format: "ndjson" } },
          syncMode: body.syncMode ?? (entities.length > 0 ? "full" : "incremental"),
          bestEffort: body.bestEffort ?? integration.config.bestEffort === true
        },
        caller,
        { bytes, entities: entities.length, relations: relations.length, ...(key === undefined ? {} : { idempotencyKey: key }) }
      )
      return accepted(origin, upload, run, bytes, false)
    }),

  uploadFiles: ({ caller, params, query, body, request, origin }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integration = yield* (yield* Integrations).get(tenantId, params.id)
      yield* pushMode(integration)
      const key = idempotencyKeyOf(request)

      const files: Array<{ file: BulkFile; format: Format; stream: ReadableStream<Uint8Array> }> = []
      if (body.contentType === "multipart/form-data") {
        const form = yield* Effect.tryPromise({
          try: () => new Response(body.stream(), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData(),
          catch: () => ApiErrors.validation([{ field: "(body)", message: "The multipart body could not be read" }])
        })
        for (const [field, file] of [["entities", "entities"], ["relations", "relations"], ["entityRelations", "relations"], ["entity-relations", "relations"]] as const) {
          const part = form.get(field)
          if (part === null) continue
          const blob = typeof part === "string" ? new Blob([part]) : part
          files.push({ file, format: formatOf(blob.type, typeof part === "string" ? undefined : part.name), stream: blob.stream() })
        }
        const unknown = [...form.keys()].filter((k) => !["entities", "relations", "entityRelations", "entity-relations"].includes(k))
        if (unknown.length > 0 || files.length === 0) {
          return yield* ApiErrors.validation([
            { field: unknown[0] ?? "entities", message: "Send the files in multipart fields named `entities` and/or `relations`" }
          ])
        }
      } else {
        files.push({ file: query.file ?? "entities", format: formatOf(body.contentType), stream: body.stream() })
      }

      const created = yield* (yield* Uploads).create(tenantId, integration.id, key === undefined ? {} : { idempotencyKey: `post:${key}` })
      const claim = yield* claimed(tenantId, created)
      if (Option.isNone(claim)) return yield* replay(tenantId, created, origin)
      const upload = claim.value
      const bytes = yield* writeFiles(tenantId, upload, files.map((f) => ({ file: f.file, bytes: bytesOf(f.stream) })))
      const run = yield* submit(
        tenantId,
        upload,
        {
          files: Object.fromEntries(files.map((f) => [f.file, { format: f.format }])),
          syncMode: "full",
          scope: new Set(files.map((f) => f.file)).size > 1 ? "all" : files[0]!.file,
          bestEffort: query.bestEffort === undefined ? integration.config.bestEffort === true : query.bestEffort === "true"
        },
        caller,
        { bytes, ...(key === undefined ? {} : { idempotencyKey: key }) }
      )
      return accepted(origin, upload, run, bytes, false)
    }),

  createEntitiesDownloadUrl: issueDownloadUrl("entities"),
  createRelationsDownloadUrl: issueDownloadUrl("relations"),

  getDownloadStatus: ({ params, origin }) =>
    Effect.gen(function* () {
      const claims = yield* (yield* UrlSigner).verify(params.token, "download")
      // Fails (410) when retention has removed the pinned snapshot.
      yield* (yield* Snapshots).resolve(claims.tenantId, claims.integrationId, claims.runId)
      return {
        status: "ready" as const,
        file: claims.file,
        downloadUrl: `${origin}/v1/downloads/${params.token}`,
        expiresAt: new Date(claims.expires * 1000).toISOString(),
        runId: claims.runId
      }
    }),

  download: ({ params }) =>
    Effect.gen(function* () {
      const claims = yield* (yield* UrlSigner).verify(params.token, "download")
      const snapshots = yield* Snapshots
      yield* snapshots.resolve(claims.tenantId, claims.integrationId, claims.runId)
      const run = yield* (yield* Runs).get(claims.tenantId, claims.runId)
      const ctx = { tenant: claims.tenantId, integration: claims.integrationId, timestamp: new Date(run.finishedAt ?? run.createdAt) }
      const rows =
        claims.file === "entities"
          ? Stream.map(snapshots.exportEntities(claims.tenantId, claims.integrationId, claims.runId), (e) => entityDownloadRow(e, ctx))
          : Stream.map(snapshots.exportRelations(claims.tenantId, claims.integrationId, claims.runId), (r) => relationDownloadRow(r, ctx))
      const header = claims.file === "entities" ? entitiesDownloadHeader() : relationsDownloadHeader()
      const out: RawReply = {
        body: Stream.toReadableStream(Stream.concat(Stream.make(header), rows).pipe(Stream.map((s) => encoder.encode(s)))),
        headers: { "content-disposition": `attachment; filename="${claims.file === "entities" ? "entities" : "entity-relations"}.csv"` }
      }
      return out
    })
}
