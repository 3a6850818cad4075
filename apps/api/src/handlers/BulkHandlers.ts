import { entitiesDownloadHeader, entityDownloadRow, relationDownloadRow, relationsDownloadHeader } from "@idconnect/ingest/CsvWriter"
import type { IntegrationView } from "@idconnect/schemas/Integration"
import type { RunView } from "@idconnect/schemas/Run"
import { AuditLog } from "@idconnect/store/AuditLog"
import { Integrations } from "@idconnect/store/Integrations"
import type { JobQueue } from "@idconnect/store/JobQueue"
import { Runs } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import { UPLOAD_CLAIM_LEASE_SECONDS, type UploadClaim, Uploads, type UploadView } from "@idconnect/store/Uploads"
import * as Duration from "effect/Duration"
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
 * Runs `work` holding a claim on the upload: of two concurrent requests for one upload (a
 * single-use URL PUT twice, a key retried while the first attempt still runs) only one gets the
 * claim and runs `work`; the other answers from the upload as a replay. The claim is renewed
 * while `work` runs (a slow client or a large multipart body keeps it). If `work` fails or is
 * interrupted (shutdown mid-write), the claim is given back with the bytes, so a retry of the same
 * URL or key starts clean; if the process dies instead, the claim lapses and a retry takes it over.
 */
const whileClaimed = <A, E, R>(tenantId: string, uploadId: string, origin: string, work: (claim: UploadClaim) => Effect.Effect<A, E, R>) =>
  Uploads.use((uploads) =>
    Effect.gen(function* () {
      const claimed = yield* uploads.claim(tenantId, uploadId)
      if (Option.isNone(claimed)) return yield* replay(tenantId, yield* uploads.get(tenantId, uploadId), origin)
      const { claim } = claimed.value
      const heartbeat = Effect.forever(Effect.andThen(Effect.sleep(CLAIM_RENEWAL), Effect.ignore(uploads.renew(claim))))
      return yield* Effect.raceFirst(work(claim), heartbeat).pipe(
        Effect.onError(() => uploads.release(claim).pipe(Effect.ignore))
      )
    })
  )

/** A third of the claim's lease: two renewals can fail (a database hiccup) before it lapses. */
const CLAIM_RENEWAL = Duration.seconds(UPLOAD_CLAIM_LEASE_SECONDS / 3)

/** Writes the files of a claimed upload (see `whileClaimed`); returns the bytes written. */
const writeFiles = (claim: UploadClaim, files: ReadonlyArray<{ readonly file: BulkFile; readonly bytes: Stream.Stream<Uint8Array, ApiError> }>) =>
  Uploads.use((uploads) =>
    Effect.gen(function* () {
      let total = 0
      for (const { file, bytes } of files) {
        const n = yield* uploads.write(claim, file, bytes)
        if (n === 0) return yield* ApiErrors.validation([{ field: file, message: "The file is empty" }])
        total += n
      }
      return total
    })
  )

const pollingUrl = (origin: string, integrationId: string, uploadId: string) => `${origin}/v1/integrations/${integrationId}/uploads/${uploadId}`

const accepted = (origin: string, upload: { readonly id: string; readonly integrationId: string }, run: RunView, bytes: number, replayed: boolean) =>
  reply(
    { uploadId: upload.id, runId: run.id, pollingUrl: pollingUrl(origin, upload.integrationId, upload.id), bytes, replayed },
    { status: replayed ? 200 : 202, headers: { location: pollingUrl(origin, upload.integrationId, upload.id) } }
  )

/** The answer for an upload received before: its run, never a second ingestion. */
const replay = (tenantId: string, seen: UploadView, origin: string) =>
  Effect.gen(function* () {
    const upload = yield* Uploads.use((uploads) => uploads.get(tenantId, seen.id))
    const run = yield* findUploadRun(tenantId, upload)
    if (run === undefined && upload.status === "received") {
      const until = upload.claimedUntil ?? new Date().toISOString()
      return yield* new ApiError({
        code: "conflict",
        message: `Upload '${upload.id}' is being written by another request; if that request failed, retry after ${until}`,
        retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000))
      })
    }
    if (run === undefined && (upload.status === "open" || upload.status === "submitted")) {
      // Between two steps of another request: given back a moment ago, or its ingest run being created.
      return yield* new ApiError({ code: "conflict", message: `Upload '${upload.id}' is changing hands; retry in a second`, retryAfterSeconds: 1 })
    }
    if (run === undefined) return yield* ApiErrors.conflict(`Upload '${upload.id}' was already used (${upload.status}); request a new upload URL`)
    // The worker drops an upload's bytes once processed; the upload keeps the size it received.
    return accepted(origin, upload, run, upload.receivedBytes ?? upload.files.reduce((n, f) => n + f.bytes, 0), true)
  })

interface UploadedFile {
  readonly file: BulkFile
  readonly format: Format
  readonly stream: ReadableStream<Uint8Array>
}

const MULTIPART_FIELDS = [["entities", "entities"], ["relations", "relations"], ["entityRelations", "relations"], ["entity-relations", "relations"]] as const

/** The files of an upload request: the multipart fields `entities` and/or `relations`, or the raw body as one file. */
const uploadedFiles = (body: { contentType: string; stream: () => ReadableStream<Uint8Array> }, request: Request, file: BulkFile | undefined) =>
  Effect.gen(function* () {
    if (body.contentType !== "multipart/form-data") {
      return [{ file: file ?? "entities", format: formatOf(body.contentType), stream: body.stream() }] satisfies ReadonlyArray<UploadedFile>
    }
    const form = yield* Effect.tryPromise({
      try: () => new Response(body.stream(), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData(),
      catch: () => ApiErrors.validation([{ field: "(body)", message: "The multipart body could not be read" }])
    })
    const files: Array<UploadedFile> = []
    for (const [field, target] of MULTIPART_FIELDS) {
      const part = form.get(field)
      if (part === null) continue
      const blob = typeof part === "string" ? new Blob([part]) : part
      files.push({ file: target, format: formatOf(blob.type, typeof part === "string" ? undefined : part.name), stream: blob.stream() })
    }
    const unknown = [...form.keys()].filter((k) => !MULTIPART_FIELDS.some(([field]) => field === k))
    if (unknown.length > 0 || files.length === 0) {
      return yield* ApiErrors.validation([{ field: unknown[0] ?? "entities", message: "Send the files in multipart fields named `entities` and/or `relations`" }])
    }
    return files
  })

/** Hands a written upload to ingestion and queues its run. */
const submit = (claim: UploadClaim, integrationId: string, payload: Omit<IngestPayload, "uploadId">, caller: Caller, details: Record<string, unknown>) =>
  Effect.gen(function* () {
    const tenantId = claim.tenantId
    yield* (yield* Uploads).submit(claim)
    const run = yield* startIngest(tenantId, integrationId, { uploadId: claim.uploadId, ...payload })
    yield* (yield* AuditLog).append({
      tenantId,
      actor: actorOf(caller),
      action: "upload.received",
      targetType: "upload",
      targetId: claim.uploadId,
      integrationId,
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
      return yield* whileClaimed(claims.tenantId, claims.uploadId, origin, (claim) =>
        Effect.gen(function* () {
          const integration = yield* (yield* Integrations).get(claims.tenantId, claims.integrationId)
          const limited = limitStream(body.stream(), maxBytesOf(integration, Number.MAX_SAFE_INTEGER))
          const bytes = yield* writeFiles(claim, [{ file: claims.file, bytes: bytesOf(limited.stream) }])
          const run = yield* submit(
            claim,
            integration.id,
            { files: { [claims.file]: { format: claims.format } }, syncMode: "full", scope: claims.file, bestEffort: claims.bestEffort },
            caller,
            { bytes }
          )
          return accepted(origin, { id: claims.uploadId, integrationId: integration.id }, run, bytes, false)
        })
      )
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
      return yield* whileClaimed(tenantId, created.id, origin, (claim) =>
        Effect.gen(function* () {
          const bytes = yield* writeFiles(claim, [{ file: "entities", bytes: ndjsonOf(entities, relations) }])
          const run = yield* submit(
            claim,
            integration.id,
            {
              files: { entities: { format: "ndjson" } },
              syncMode: body.syncMode ?? (entities.length > 0 ? "full" : "incremental"),
              bestEffort: body.bestEffort ?? integration.config.bestEffort === true
            },
            caller,
            { bytes, entities: entities.length, relations: relations.length, ...(key === undefined ? {} : { idempotencyKey: key }) }
          )
          return accepted(origin, created, run, bytes, false)
        })
      )
    }),

  uploadFiles: ({ caller, params, query, body, request, origin }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const integration = yield* (yield* Integrations).get(tenantId, params.id)
      yield* pushMode(integration)
      const key = idempotencyKeyOf(request)

      const store = (claim: UploadClaim, files: ReadonlyArray<UploadedFile>) =>
        Effect.gen(function* () {
          const bytes = yield* writeFiles(claim, files.map((f) => ({ file: f.file, bytes: bytesOf(f.stream) })))
          const run = yield* submit(
            claim,
            integration.id,
            {
              files: Object.fromEntries(files.map((f) => [f.file, { format: f.format }])),
              syncMode: "full",
              scope: new Set(files.map((f) => f.file)).size > 1 ? "all" : files[0]!.file,
              bestEffort: query.bestEffort === undefined ? integration.config.bestEffort === true : query.bestEffort === "true"
            },
            caller,
            { bytes, ...(key === undefined ? {} : { idempotencyKey: key }) }
          )
          return accepted(origin, { id: claim.uploadId, integrationId: integration.id }, run, bytes, false)
        })
      const filesOf = uploadedFiles(body, request, query.file)
      const uploads = yield* Uploads
      if (key === undefined) {
        // Nothing to replay: read (and validate) the body before anything is written.
        const files = yield* filesOf
        const created = yield* uploads.create(tenantId, integration.id)
        return yield* whileClaimed(tenantId, created.id, origin, (claim) => store(claim, files))
      }
      // A retried key is answered from its upload before the body is read.
      const created = yield* uploads.create(tenantId, integration.id, { idempotencyKey: `post:${key}` })
      return yield* whileClaimed(tenantId, created.id, origin, (claim) => Effect.flatMap(filesOf, (files) => store(claim, files)))
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
