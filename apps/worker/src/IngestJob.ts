import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { SinkError } from "@idconnect/core/ExtractionSink"
import { ingestFiles, type IngestInput, type IngestReport } from "@idconnect/ingest/Ingest"
import { formatRowIssue, type IngestInputError } from "@idconnect/ingest/IngestErrors"
import { KnownEntities } from "@idconnect/ingest/ReferenceCheck"
import type { RunError } from "@idconnect/store/Runs"
import { Runs } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import type { SnapshotWriter } from "@idconnect/store/SnapshotWriter"
import { makeStoreSink } from "@idconnect/store/StoreSink"
import { Uploads } from "@idconnect/store/Uploads"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { modeOf, type RunContext } from "./RunContext.ts"

/**
 * The payload of an ingest run, as the API writes it: the upload's files are stored under the names
 * `entities` and `relations`. An Entities file makes a full snapshot; relations alone apply on top.
 */
export const IngestPayload = Schema.Struct({
  uploadId: Schema.String,
  files: Schema.Struct({
    entities: Schema.optionalKey(Schema.Struct({ format: Schema.Literals(["csv", "ndjson"]) })),
    relations: Schema.optionalKey(Schema.Struct({ format: Schema.Literals(["csv", "ndjson"]) }))
  }),
  syncMode: Schema.Literals(["full", "incremental"]),
  /** What a full upload replaces (absent: everything): an Entities-only or Relations-only upload keeps the other kind. */
  scope: Schema.optionalKey(Schema.Literals(["all", "entities", "relations"])),
  bestEffort: Schema.Boolean
})
export type IngestPayload = typeof IngestPayload.Type

/** What an ingest job ended with: published, or rejected with the reason and the first row problems. */
export type IngestOutcome =
  | { readonly _tag: "Published"; readonly report: IngestReport }
  | { readonly _tag: "Rejected"; readonly report: IngestReport; readonly error: RunError }

const MAX_WARNINGS = 100

/**
 * An ingest job (csv and bulk modes): stream the upload's files out of the store into the ingest
 * engine, which validates every row and writes to the run's staging; it publishes only what may be
 * published (strict: all rows valid; best effort: the valid ones). Ingestion has no checkpoints, so
 * a retried or resumed job starts over from an empty staging.
 */
export const runIngestJob = (
  ctx: RunContext
): Effect.Effect<IngestOutcome, ConnectorError | SinkError | IngestInputError, SnapshotWriter | Runs | Snapshots | Uploads> =>
  Effect.gen(function* () {
    const def = yield* modeOf(ctx)
    yield* decodeConfig(def.config, ctx.integration.config)
    const payload = yield* Schema.decodeUnknownEffect(IngestPayload)(ctx.run.payload).pipe(
      Effect.mapError(() => ConnectorErrors.invalidInput({ field: "payload", message: "The run does not name an upload to ingest" }))
    )
    const uploads = yield* Uploads
    const snapshots = yield* Snapshots
    const runs = yield* Runs
    const sink = yield* makeStoreSink(ctx.run.id, ctx.workerId)
    yield* sink.rewind(true)

    const input = (file: "entities" | "relations"): IngestInput | undefined => {
      const spec = payload.files[file]
      return spec === undefined
        ? undefined
        : { name: `${file}.${spec.format}`, format: spec.format, open: () => Stream.toAsyncIterable(uploads.read(payload.uploadId, file)) }
    }
    const entities = input("entities")
    const relations = input("relations")
    const known = KnownEntities.of({
      exists: (refs) =>
        snapshots.existing(ctx.integration.integration.id, refs).pipe(
          Effect.mapError((e) => new SinkError({ message: e.message, retryable: e.isRetryable, cause: e }))
        )
    })
    const report = yield* ingestFiles({
      ...(entities === undefined ? {} : { entities }),
      ...(relations === undefined ? {} : { relations }),
      sink,
      known,
      bestEffort: payload.bestEffort,
      syncMode: payload.syncMode,
      scope: payload.scope ?? "all"
    })
    for (const issue of report.errors.slice(0, MAX_WARNINGS)) {
      yield* runs.warning(ctx.run.id, { code: "RowRejected", message: formatRowIssue(issue), stream: issue.file, objectId: String(issue.line) })
    }
    yield* uploads.setStatus(payload.uploadId, report.published ? "ingested" : "failed")
    // The bytes are not needed once the upload reached an end the user sees; a retry re-reads them.
    yield* uploads.remove(payload.uploadId)
    if (report.published) return { _tag: "Published", report } as IngestOutcome
    const first = report.errors[0]
    const error: RunError = {
      code: "UploadRejected",
      failureClass: "config",
      message:
        `${report.notPublishedReason ?? "nothing was published"} (${report.totalErrors} problem(s))` +
        (first === undefined ? "" : `; first: ${formatRowIssue(first)}`)
    }
    return { _tag: "Rejected", report, error } as IngestOutcome
  }).pipe(
    Effect.mapError((e) => (e._tag === "StoreError" ? new SinkError({ message: e.message, retryable: e.isRetryable, cause: e }) : e)),
    Effect.withSpan("Worker.ingest", { attributes: { runId: ctx.run.id, mode: ctx.job.mode } })
  )
