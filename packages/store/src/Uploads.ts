import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { newId } from "./internal/Ids.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

export type UploadStatus = "open" | "submitted" | "ingested" | "failed"

export interface UploadView {
  readonly id: string
  readonly tenantId: string
  readonly integrationId: string
  readonly status: UploadStatus
  readonly createdAt: string
  readonly files: ReadonlyArray<{ readonly file: string; readonly bytes: number }>
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
    readonly create: (tenantId: string, integrationId: string) => Effect.Effect<UploadView, StoreError>
    readonly get: (tenantId: string, uploadId: string) => Effect.Effect<UploadView, StoreError>
    /** Appends a stream's bytes to a file of the upload; returns the bytes written. */
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

      const get = Effect.fn("Uploads.get")(function* (tenantId: string, uploadId: string) {
        const rows = yield* db.query<{ id: string; tenant_id: string; integration_id: string; status: UploadStatus; created_at: string }>(
          "select * from uploads where id = $1 and tenant_id = $2",
          [uploadId, tenantId]
        )
        const row = rows[0]
        if (row === undefined) return yield* StoreErrors.notFound("upload", uploadId)
        const files = yield* db.query<{ file: string; bytes: number }>(
          "select file, sum(length(data))::int8 as bytes from upload_parts where upload_id = $1 group by file order by file",
          [uploadId]
        )
        const view: UploadView = {
          id: row.id,
          tenantId: row.tenant_id,
          integrationId: row.integration_id,
          status: row.status,
          createdAt: row.created_at,
          files
        }
        return view
      })

      const flushPart = (uploadId: string, file: string, data: Uint8Array) =>
        db.query(
          `insert into upload_parts (upload_id, file, seq, data)
           values ($1, $2, (select coalesce(max(seq), -1) + 1 from upload_parts where upload_id = $1 and file = $2), $3)`,
          [uploadId, file, data]
        )

      return Uploads.of({
        create: Effect.fn("Uploads.create")(function* (tenantId, integrationId) {
          const id = newId("up")
          const rows = yield* db.query(
            "insert into uploads (id, tenant_id, integration_id) select $1, tenant_id, id from integrations where id = $2 and tenant_id = $3 returning id",
            [id, integrationId, tenantId]
          )
          if (rows.length === 0) return yield* StoreErrors.notFound("integration", integrationId)
          return yield* get(tenantId, id)
        }),
        get,
        write: (tenantId, uploadId, file, bytes) =>
          Effect.gen(function* () {
            const upload = yield* get(tenantId, uploadId)
            if (upload.status !== "open") {
              return yield* StoreErrors.conflict({ what: "upload", message: `Upload ${uploadId} is ${upload.status}; files can only be added while it is open` })
            }
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
