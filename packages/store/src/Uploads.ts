import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { newId } from "./internal/Ids.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/**
 * `open` (waiting for its file), `received` (a request is writing it: claimed, see `claim`),
 * `submitted` (queued for ingestion), then `ingested` or `failed`.
 */
export type UploadStatus = "open" | "received" | "submitted" | "ingested" | "failed"

export interface UploadView {
  readonly id: string
  readonly tenantId: string
  readonly integrationId: string
  readonly status: UploadStatus
  readonly createdAt: string
  readonly files: ReadonlyArray<{ readonly file: string; readonly bytes: number }>
  /** The key the client sent with the request that created it, if any. */
  readonly idempotencyKey: string | null
  /** What the creator chose to remember about it (e.g. the format of the file it expects). */
  readonly details: Readonly<Record<string, unknown>>
  /** Bytes received over all files, kept after the worker drops the parts; null before any write. */
  readonly receivedBytes: number | null
  /**
   * While `received`: until when the request writing it holds it. The request renews it while it
   * runs (`renew`, and every part written); after it passes (the process died), another request may
   * take the upload over.
   */
  readonly claimedUntil: string | null
}

/** One request's hold on an upload (see `Uploads.claim`); writes, release and submit go through it. */
export interface UploadClaim {
  readonly tenantId: string
  readonly uploadId: string
  readonly claimId: string
}

/** How long a claim lasts unless renewed; after it lapses a retry of the same URL or key takes the upload over. */
export const UPLOAD_CLAIM_LEASE_SECONDS = 120

export interface CreateUploadOptions {
  /** Unique per integration: a second create with the same key returns the first upload. */
  readonly idempotencyKey?: string
  readonly details?: Readonly<Record<string, unknown>>
}

interface UploadRow {
  id: string
  tenant_id: string
  integration_id: string
  status: UploadStatus
  created_at: string
  idempotency_key: string | null
  details: Record<string, unknown>
  received_bytes: string | number | null
  claim_id: string | null
  claimed_until: string | Date | null
}

const PART_BYTES = 1 << 20

/** The ingest run of upload `$1`: once it exists, the upload is the run's and no claim can undo it. */
const INGEST_RUN = "select 1 from runs where kind = 'ingest' and payload->>'uploadId' = $1"

const lostClaim = (claim: UploadClaim) =>
  StoreErrors.conflict({
    what: "upload",
    message: `Upload ${claim.uploadId} was taken over by a later request after this one stopped making progress; nothing of this request was kept`
  })

/**
 * Uploaded files (CSV and bulk modes), kept in Postgres in 1 MiB parts so the API and the worker
 * that ingests them can be different processes. Files are written and read as byte streams.
 *
 * @category services
 */
export class Uploads extends Context.Service<
  Uploads,
  {
    /**
     * A new open upload. With an idempotency key already used on this integration it returns that
     * upload instead (`created: false`), whatever its status.
     */
    readonly create: (
      tenantId: string,
      integrationId: string,
      options?: CreateUploadOptions
    ) => Effect.Effect<UploadView & { readonly created: boolean }, StoreError>
    readonly get: (tenantId: string, uploadId: string) => Effect.Effect<UploadView, StoreError>
    /**
     * Takes an upload for one request (open -> received, atomically): of two concurrent requests
     * exactly one gets `Some`; the other gets `None` (being written, or later). An upload whose
     * claim lapsed (its process died while writing it, or after submitting it but before its
     * ingest run was created) is taken over: its bytes so far are dropped and the new claim starts
     * clean; the old writer's further writes fail.
     */
    readonly claim: (
      tenantId: string,
      uploadId: string
    ) => Effect.Effect<Option.Option<UploadView & { readonly claim: UploadClaim }>, StoreError>
    /**
     * Gives a claimed upload back (-> open) and drops its bytes, after a failed write or a failure
     * to start its ingest run. No-op if the claim was lost or the ingest run exists.
     */
    readonly release: (claim: UploadClaim) => Effect.Effect<void, StoreError>
    /** Extends the claim's lease (while a request holds it); false if the claim was lost. */
    readonly renew: (claim: UploadClaim) => Effect.Effect<boolean, StoreError>
    /**
     * Writes a file of a claimed upload from a stream, replacing what an earlier write of that file
     * left, and renews the claim with every part; returns the bytes written. Fails with Conflict if
     * the claim was taken over meanwhile.
     */
    readonly write: <E>(claim: UploadClaim, file: string, bytes: Stream.Stream<Uint8Array, E>) => Effect.Effect<number, StoreError | E>
    /**
     * Hands the written upload to ingestion (received -> submitted); Conflict if the claim was taken
     * over. The claim holds until the ingest run that reads the upload exists (see `release`).
     */
    readonly submit: (claim: UploadClaim) => Effect.Effect<void, StoreError>
    readonly read: (uploadId: string, file: string) => Stream.Stream<Uint8Array, StoreError>
    /** The ingestion's outcome (`ingested` or `failed`). */
    readonly setStatus: (uploadId: string, status: "ingested" | "failed") => Effect.Effect<void, StoreError>
    /** Deletes an upload's bytes (after ingestion, or when abandoned). */
    readonly remove: (uploadId: string) => Effect.Effect<void, StoreError>
  }
>()("idconnect/store/Uploads") {
  static readonly layer = Layer.effect(
      Uploads,
      Effect.gen(function* () {
        const db = yield* SqlDriver
        const lease = UPLOAD_CLAIM_LEASE_SECONDS

        const view = Effect.fnUntraced(function* (row: UploadRow) {
          const files = yield* db.query<{ file: string; bytes: number }>(
            "select file, sum(length(data))::int8 as bytes from upload_parts where upload_id = $1 group by file order by file",
            [row.id]
          )
          const out: UploadView = {
            id: row.id,
            tenantId: row.tenant_id,
            integrationId: row.integration_id,
            status: row.status,
            createdAt: row.created_at,
            files,
            idempotencyKey: row.idempotency_key,
            details: row.details,
            receivedBytes: row.received_bytes === null ? null : Number(row.received_bytes),
            claimedUntil: row.claimed_until === null || (row.status !== "received" && row.status !== "submitted") ? null : new Date(row.claimed_until).toISOString()
          }
          return out
        })

        const get = Effect.fn("Uploads.get")(function* (tenantId: string, uploadId: string) {
          const rows = yield* db.query<UploadRow>("select * from uploads where id = $1 and tenant_id = $2", [uploadId, tenantId])
          const row = rows[0]
          if (row === undefined) return yield* StoreErrors.notFound("upload", uploadId)
          return yield* view(row)
        })

        // Every statement a writer runs is fenced by its claim: once another request took the upload
        // over, they change nothing. Renewing the lease and the change are one statement.
        const renewed = `update uploads set claimed_until = now() + make_interval(secs => $3)
                         where id = $1 and claim_id = $2 and status = 'received' returning id`

        const flushPart = (claim: UploadClaim, file: string, data: Uint8Array) =>
          db
            .query<{ seq: number }>(
              `with renewed as (${renewed})
               insert into upload_parts (upload_id, file, seq, data)
               select id, $4, (select coalesce(max(seq), -1) + 1 from upload_parts where upload_id = $1 and file = $4), $5 from renewed
               returning seq`,
              [claim.uploadId, claim.claimId, lease, file, data]
            )
            .pipe(Effect.flatMap((rows) => (rows.length === 0 ? lostClaim(claim) : Effect.void)))

        return Uploads.of({
          create: Effect.fn("Uploads.create")(function* (tenantId, integrationId, options) {
            const key = options?.idempotencyKey ?? null
            const rows = yield* db.query<UploadRow>(
              `insert into uploads (id, tenant_id, integration_id, idempotency_key, details)
               select $1, tenant_id, id, $4, $5::jsonb from integrations where id = $2 and tenant_id = $3
               on conflict (tenant_id, integration_id, idempotency_key) where idempotency_key is not null do nothing
               returning *`,
              [newId("up"), integrationId, tenantId, key, JSON.stringify(options?.details ?? {})]
            )
            if (rows[0] !== undefined) return { ...(yield* view(rows[0])), created: true }
            if (key !== null) {
              const earlier = yield* db.query<UploadRow>(
                "select * from uploads where tenant_id = $1 and integration_id = $2 and idempotency_key = $3",
                [tenantId, integrationId, key]
              )
              if (earlier[0] !== undefined) return { ...(yield* view(earlier[0])), created: false }
            }
            return yield* StoreErrors.notFound("integration", integrationId)
          }),
          get,
          claim: Effect.fn("Uploads.claim")(function* (tenantId, uploadId) {
            const claimId = newId("uc")
            const taken = yield* db.transaction((tx) =>
              Effect.gen(function* () {
                const rows = yield* tx.query<UploadRow>(
                  `update uploads set status = 'received', claim_id = $3, claimed_until = now() + make_interval(secs => $4), received_bytes = null
                   where id = $1 and tenant_id = $2 and (status = 'open' or (status in ('received', 'submitted') and claimed_until < now()
                     and not exists (${INGEST_RUN})))
                   returning *`,
                  [uploadId, tenantId, claimId, lease]
                )
                // Taking over a lapsed claim: what its writer left is dropped, the new claim starts clean.
                if (rows[0] !== undefined) yield* tx.query("delete from upload_parts where upload_id = $1", [uploadId])
                return rows[0]
              })
            )
            if (taken !== undefined) return Option.some({ ...(yield* view(taken)), claim: { tenantId, uploadId, claimId } })
            yield* get(tenantId, uploadId) // NotFound when it does not exist (or is another tenant's)
            return Option.none()
          }),
          release: Effect.fn("Uploads.release")(function* (claim) {
            yield* db.transaction((tx) =>
              Effect.gen(function* () {
                const rows = yield* tx.query(
                  `update uploads set status = 'open', received_bytes = null, claim_id = null, claimed_until = null
                   where id = $1 and claim_id = $2 and status in ('received', 'submitted') and not exists (${INGEST_RUN})
                   returning id`,
                  [claim.uploadId, claim.claimId]
                )
                if (rows.length > 0) yield* tx.query("delete from upload_parts where upload_id = $1", [claim.uploadId])
              })
            )
          }),
          write: (claim, file, bytes) =>
            Effect.gen(function* () {
              // Renews the claim and drops what an earlier write of this file left, in one statement; answers whether the claim holds.
              const held = yield* db.query(
                `with renewed as (${renewed}),
                   cleared as (delete from upload_parts where upload_id in (select id from renewed) and file = $4)
                 select id from renewed`,
                [claim.uploadId, claim.claimId, lease, file]
              )
              if (held.length === 0) return yield* lostClaim(claim)
              let pending: Array<Uint8Array> = []
              let pendingBytes = 0
              let total = 0
              const flush = Effect.suspend(() => {
                if (pendingBytes === 0) return Effect.void
                const data = Buffer.concat(pending)
                pending = []
                pendingBytes = 0
                return flushPart(claim, file, data)
              })
              yield* Stream.runForEach(bytes, (chunk) => {
                pending.push(chunk)
                pendingBytes += chunk.length
                total += chunk.length
                return pendingBytes >= PART_BYTES ? flush : Effect.void
              })
              yield* flush
              const counted = yield* db.query(
                `update uploads set received_bytes = (select coalesce(sum(length(data)), 0) from upload_parts where upload_id = $1)
                 where id = $1 and claim_id = $2 and status = 'received' returning id`,
                [claim.uploadId, claim.claimId]
              )
              if (counted.length === 0) return yield* lostClaim(claim)
              return total
            }).pipe(Effect.withSpan("Uploads.write")),
          renew: Effect.fn("Uploads.renew")(function* (claim) {
            const rows = yield* db.query(
              `update uploads set claimed_until = now() + make_interval(secs => $3)
               where id = $1 and claim_id = $2 and status in ('received', 'submitted') returning id`,
              [claim.uploadId, claim.claimId, lease]
            )
            return rows.length > 0
          }),
          submit: Effect.fn("Uploads.submit")(function* (claim) {
            const rows = yield* db.query(
              `update uploads set status = 'submitted', claimed_until = now() + make_interval(secs => $3)
               where id = $1 and claim_id = $2 and status = 'received' returning id`,
              [claim.uploadId, claim.claimId, lease]
            )
            if (rows.length === 0) return yield* lostClaim(claim)
          }),
          read: (uploadId, file) =>
            Stream.paginate(0, (seq) =>
              db
                .query<{ data: Uint8Array }>("select data from upload_parts where upload_id = $1 and file = $2 and seq = $3", [uploadId, file, seq])
                .pipe(
                  Effect.map((rows) =>
                    rows.length === 0 ? ([[], Option.none()] as const) : ([[new Uint8Array(rows[0]!.data)], Option.some(seq + 1)] as const)
                  )
                )
            ),
          setStatus: Effect.fn("Uploads.setStatus")(function* (uploadId, status) {
            yield* db.query("update uploads set status = $2 where id = $1", [uploadId, status])
          }),
          remove: Effect.fn("Uploads.remove")(function* (uploadId) {
            yield* db.query("delete from upload_parts where upload_id = $1", [uploadId])
          })
        })
      })
    )
}
