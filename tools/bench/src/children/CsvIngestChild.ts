import { fileInput } from "@idconnect/ingest/FileInput"
import { ingestFiles, type IngestReport } from "@idconnect/ingest/Ingest"
import { KnownEntities } from "@idconnect/ingest/ReferenceCheck"
import { SinkError } from "@idconnect/core/ExtractionSink"
import { Snapshots } from "@idconnect/store/Snapshots"
import { Integrations } from "@idconnect/store/Integrations"
import { Runs } from "@idconnect/store/Runs"
import type { PublishResult } from "@idconnect/store/SnapshotWriter"
import { Store } from "@idconnect/store/Store"
import { makeStoreSink } from "@idconnect/store/StoreSink"
import { Tenants } from "@idconnect/store/Tenants"
import * as Effect from "effect/Effect"
import { benchStoreSettings, type StoreTarget } from "../BenchStore.ts"
import { childMain } from "../ChildMain.ts"

/**
 * Our CSV ingestion as the worker runs it for an upload: `ingestFiles` (streaming parse, row
 * validation, duplicate and reference checks) into the store's sink on PostgreSQL, then the
 * publish, for a new csv-mode integration.
 */
export interface CsvIngestInput extends StoreTarget {
  readonly entitiesFile: string
  readonly relationsFile: string
}

export interface CsvIngestOutput {
  readonly report: IngestReport
  readonly published: PublishResult | undefined
  /** Parse, validate and stage (COPY into staging) until the last batch is written. */
  readonly ingestMs: number
  readonly publishMs: number
  readonly totalMs: number
}

const OWNER = "bench-worker"

const program = (input: CsvIngestInput) =>
  Effect.gen(function* () {
    const { tenant } = yield* (yield* Tenants).create({ name: "Bench tenant" })
    const integration = yield* (yield* Integrations).create(
      tenant.id,
      { name: "CSV upload (bench)", app: "bench", primaryOwner: { email: "bench@example.com" }, mode: "csv", config: {} },
      []
    )
    const runs = yield* Runs
    const run = yield* runs.create({ tenantId: tenant.id, integrationId: integration.id, kind: "ingest", trigger: "upload" })
    const claim = yield* runs.claim(run.id, OWNER, 3600)
    if (claim._tag !== "Claimed") return yield* Effect.die(new Error(`could not claim run ${run.id}: ${claim._tag}`))
    const storeSink = yield* makeStoreSink(run.id, OWNER)
    const snapshots = yield* Snapshots

    const started = performance.now()
    let publishStarted = Number.NaN
    const report = yield* ingestFiles({
      entities: fileInput(input.entitiesFile),
      relations: fileInput(input.relationsFile),
      // As the worker does: relations may also point at entities of the last published snapshot.
      known: KnownEntities.of({
        exists: (refs) =>
          snapshots.existing(integration.id, refs).pipe(Effect.mapError((e) => new SinkError({ message: e.message, retryable: e.isRetryable, cause: e })))
      }),
      sink: {
        ...storeSink,
        complete: () =>
          Effect.suspend(() => {
            publishStarted = performance.now()
            return storeSink.complete()
          })
      }
    })
    const ended = performance.now()
    if (!report.published) {
      const first = report.errors.slice(0, 3).map((e) => `${e.file}:${e.line}${e.column === undefined ? "" : ` ${e.column}`}: ${e.reason}`)
      return yield* Effect.die(new Error(`the upload was not published: ${report.notPublishedReason ?? "?"}; ${first.join("; ")}`))
    }
    return {
      report: { ...report, errors: report.errors.slice(0, 5) },
      published: storeSink.published(),
      ingestMs: publishStarted - started,
      publishMs: ended - publishStarted,
      totalMs: ended - started
    } satisfies CsvIngestOutput
  })

childMain<CsvIngestInput, CsvIngestOutput>((input) =>
  Effect.runPromise(Effect.scoped(program(input).pipe(Effect.provide(Store.layer(benchStoreSettings(input.databaseUrl, input.encryptionKey))))))
)
