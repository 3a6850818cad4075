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
}

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
}

const PART_BYTES = 1 << 20

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
     * Takes an open upload for one request (open -> received, atomically): of two concurrent
     * requests exactly one gets `Some`; the other gets `None` (already received or later).
     */
    readonly claim: (tenantId: string, uploadId: string) => Effect.Effect<Option.Option<UploadView>, StoreError>
    /** Gives a claimed upload back (received -> open) and drops its bytes, after a failed write. */
    readonly release: (uploadId: string) => Effect.Effect<void, StoreError>
    /**
     * Writes a file of an open or claimed upload from a stream, replacing what an earlier write of
     * that file left; returns the bytes written.
     */
    readonly write: <E>(
      tenantId: string,
      uploadId: string,
      file: string,
      bytes: Stream.Stream<Uint8Array, E>
    ) => Effect.Effect<number, StoreError | E>
    readonly read: (uploadId: string, file: string) => Stream.Stream<Uint8Array, StoreError>
    readonly setStatus: (uploadId: string, status: UploadStatus) => Effect.Effect<void, StoreError>
    /** Deletes an upload's bytes (after ingestion, or when abandoned). */
    readonly remove: (uploadId: string) => Effect.Effect<void, StoreError>
  }
>()("idconnect/store/Uploads") {
  static readonly layer = Layer.effect(
    Uploads,
    Effect.gen(function* () {
      const db = yield* SqlDriver

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
          receivedBytes: row.received_bytes === null ? null : Number(row.received_bytes)
        }
        return out
      })

      const get = Effect.fn("Uploads.get")(function* (tenantId: string, uploadId: string) {
        const rows = yield* db.query<UploadRow>("select * from uploads where id = $1 and tenant_id = $2", [uploadId, tenantId])
        const row = rows[0]
        if (row === undefined) return yield* StoreErrors.notFound("upload", uploadId)
        return yield* view(row)
      })

      const flushPart = (uploadId: string, file: string, data: Uint8Array) =>
        db.query(
          `insert into upload_parts (upload_id, file, seq, data)
           values ($1, $2, (select coalesce(max(seq), -1) + 1 from upload_parts where upload_id = $1 and file = $2), $3)`,
          [uploadId, file, data]
        )

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
          const rows = yield* db.query<UploadRow>(
            "update uploads set status = 'received' where id = $1 and tenant_id = $2 and status = 'open' returning *",
            [uploadId, tenantId]
          )
          if (rows[0] !== undefined) return Option.some(yield* view(rows[0]))
          yield* get(tenantId, uploadId) // NotFound when it does not exist (or is another tenant's)
          return Option.none()
        }),
        release: Effect.fn("Uploads.release")(function* (uploadId) {
          yield* db.transaction((tx) =>
            Effect.gen(function* () {
              yield* tx.query("delete from upload_parts where upload_id = $1", [uploadId])
              yield* tx.query("update uploads set status = 'open', received_bytes = null where id = $1 and status = 'received'", [uploadId])
            })
          )
        }),
        write: (tenantId, uploadId, file, bytes) =>
          Effect.gen(function* () {
            const upload = yield* get(tenantId, uploadId)
            if (upload.status !== "open" && upload.status !== "received") {
              return yield* StoreErrors.conflict({ what: "upload", message: `Upload ${uploadId} is ${upload.status}; files can only be written until it is submitted` })
            }
            yield* db.query("delete from upload_parts where upload_id = $1 and file = $2", [uploadId, file])
            let pending: Array<Uint8Array> = []
            let pendingBytes = 0
            let total = 0
            const flush = Effect.suspend(() => {
              if (pendingBytes === 0) return Effect.void
              const data = Buffer.concat(pending)
              pending = []
              pendingBytes = 0
              return Effect.asVoid(flushPart(uploadId, file, data))
            })
            yield* Stream.runForEach(bytes, (chunk) => {
              pending.push(chunk)
              pendingBytes += chunk.length
              total += chunk.length
              return pendingBytes >= PART_BYTES ? flush : Effect.void
            })
            yield* flush
            yield* db.query(
              "update uploads set received_bytes = (select coalesce(sum(length(data)), 0) from upload_parts where upload_id = $1) where id = $1",
              [uploadId]
            )
            return total
          }).pipe(Effect.withSpan("Uploads.write")),
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
