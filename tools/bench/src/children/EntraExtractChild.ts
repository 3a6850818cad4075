import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { runExtraction, type RunSummary } from "@idconnect/core/ExtractionRunner"
import { makeEntraPlugin } from "@idconnect/connector-entra/EntraPlugin"
import type { Checkpoint } from "@idconnect/schemas/Run"
import { Integrations } from "@idconnect/store/Integrations"
import { Runs } from "@idconnect/store/Runs"
import { Store } from "@idconnect/store/Store"
import { makeStoreSink } from "@idconnect/store/StoreSink"
import type { PublishResult } from "@idconnect/store/SnapshotWriter"
import { Tenants } from "@idconnect/store/Tenants"
import * as Effect from "effect/Effect"
import { benchStoreSettings, type StoreTarget } from "../BenchStore.ts"
import { childMain } from "../ChildMain.ts"

/**
 * Our Entra extraction as the worker runs it: the plugin's read capability driven by core's
 * `runExtraction` into the store's sink (staging by COPY, publish at the end) on PostgreSQL. Without
 * `integrationId` it creates a tenant and an Entra integration first (a full sync); with it and a
 * `checkpoint` (the final checkpoint of a full sync) it runs the incremental sync.
 */
export interface ExtractInput extends StoreTarget {
  /** The Entra config in its JSON form (as a user enters it; the secret is encrypted by the store). */
  readonly config: Record<string, unknown>
  readonly integrationId?: string
  readonly checkpoint?: Checkpoint
}

export interface ExtractOutput {
  readonly tenantId: string
  readonly integrationId: string
  readonly runId: string
  readonly summary: RunSummary
  readonly published: PublishResult | undefined
  /** From start until the plugin's stream ended and its last batch was staged. */
  readonly extractMs: number
  /** The publish (snapshot swap and effective-access rebuild) at the end. */
  readonly publishMs: number
  readonly totalMs: number
  readonly finalCheckpoint: Checkpoint | undefined
}

const OWNER = "bench-worker"

const program = (input: ExtractInput) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const integrations = yield* Integrations
    const runs = yield* Runs
    let tenantId: string
    let integrationId: string
    if (input.integrationId === undefined) {
      const { tenant } = yield* tenants.create({ name: "Bench tenant" })
      const created = yield* integrations.create(
        tenant.id,
        { name: "Woodgrove (bench)", app: "entra", primaryOwner: { email: "bench@example.com" }, mode: "direct", config: input.config },
        ["clientSecret", "certificate"]
      )
      tenantId = tenant.id
      integrationId = created.id
    } else {
      integrationId = input.integrationId
      tenantId = (yield* integrations.loadForRun(integrationId)).tenantId
    }
    const loaded = yield* integrations.loadForRun(integrationId)
    const plugin = makeEntraPlugin()
    const mode = plugin.modes.direct!
    const config = yield* decodeConfig(mode.config, loaded.config)

    const run = yield* runs.create({ tenantId, integrationId, kind: "extract", trigger: "manual" })
    const claim = yield* runs.claim(run.id, OWNER, 3600)
    if (claim._tag !== "Claimed") return yield* Effect.die(new Error(`could not claim run ${run.id}: ${claim._tag}`))
    const storeSink = yield* makeStoreSink(run.id, OWNER)

    const started = performance.now()
    let publishStarted = Number.NaN
    let finalCheckpoint: Checkpoint | undefined
    const summary = yield* runExtraction({
      read: mode.read!,
      config,
      checkpoint: input.checkpoint,
      sink: {
        ...storeSink,
        complete: () =>
          Effect.suspend(() => {
            publishStarted = performance.now()
            return storeSink.complete()
          })
      },
      onCheckpoint: (checkpoint) => Effect.sync(() => void (finalCheckpoint = checkpoint))
    })
    const ended = performance.now()
    return {
      tenantId,
      integrationId,
      runId: run.id,
      summary,
      published: storeSink.published(),
      extractMs: publishStarted - started,
      publishMs: ended - publishStarted,
      totalMs: ended - started,
      finalCheckpoint
    } satisfies ExtractOutput
  })

childMain<ExtractInput, ExtractOutput>((input) =>
  Effect.runPromise(Effect.scoped(program(input).pipe(Effect.provide(Store.layer(benchStoreSettings(input.databaseUrl, input.encryptionKey))))))
)
