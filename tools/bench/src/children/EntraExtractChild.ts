import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
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
import { makeCountingSink } from "../CountingSink.ts"

/**
 * Our Entra extraction as the worker runs it: the plugin's read capability driven by core's
 * `runExtraction`. With `store`, into the store's sink (staging by COPY, publish at the end) on
 * PostgreSQL, for a tenant and Entra integration it creates; without, into a counting sink (the
 * connector and runner alone). With a `checkpoint` (the final checkpoint of a full sync) it runs
 * the incremental sync.
 */
export interface ExtractInput {
  /** The Entra config in its JSON form (as a user enters it; with a store, the secret is encrypted there). */
  readonly config: Record<string, unknown>
  readonly store?: StoreTarget
  readonly checkpoint?: Checkpoint
}

export interface ExtractOutput {
  /** Set when extracted into the store. */
  readonly tenantId?: string
  readonly integrationId?: string
  readonly runId?: string
  readonly summary: RunSummary
  readonly published: PublishResult | undefined
  /** From start until the plugin's stream ended and its last batch was staged. */
  readonly extractMs: number
  /** The publish (snapshot swap and effective-access rebuild) at the end. */
  readonly publishMs: number
  readonly totalMs: number
  readonly finalCheckpoint: Checkpoint | undefined
  /** Seconds per stream (from the runner's progress phases), counting sink only. */
  readonly streamSeconds: Readonly<Record<string, number>>
}

const OWNER = "bench-worker"

/** Runs the extraction into `sink`, timing the extract phase and the publish (`complete`) apart. */
const timedExtraction = (config: unknown, checkpoint: Checkpoint | undefined, sink: ExtractionSink) =>
  Effect.gen(function* () {
    const mode = makeEntraPlugin().modes.direct!
    const decoded = yield* decodeConfig(mode.config, config)
    const started = performance.now()
    let publishStarted = Number.NaN
    let finalCheckpoint: Checkpoint | undefined
    const summary = yield* runExtraction({
      read: mode.read!,
      config: decoded,
      checkpoint,
      sink: {
        ...sink,
        complete: () =>
          Effect.suspend(() => {
            publishStarted = performance.now()
            return sink.complete()
          })
      },
      onCheckpoint: (c) => Effect.sync(() => void (finalCheckpoint = c))
    })
    const ended = performance.now()
    return { summary, finalCheckpoint, extractMs: publishStarted - started, publishMs: ended - publishStarted, totalMs: ended - started }
  })

const intoCountingSink = (input: ExtractInput) =>
  Effect.gen(function* () {
    const { sink, state } = makeCountingSink()
    const timed = yield* timedExtraction(input.config, input.checkpoint, sink)
    const ended = performance.now()
    // A phase lasts until the next one starts; the runner reports the stream it is in as "full sync: users".
    const streamSeconds: Record<string, number> = {}
    state.phases.forEach((p, i) => {
      const name = p.phase.includes(": ") ? p.phase.slice(p.phase.indexOf(": ") + 2) : p.phase
      streamSeconds[name] = (streamSeconds[name] ?? 0) + ((state.phases[i + 1]?.atMs ?? ended) - p.atMs) / 1000
    })
    return { ...timed, published: undefined, streamSeconds } satisfies ExtractOutput
  })

const intoStore = (input: ExtractInput) =>
  Effect.gen(function* () {
    const { tenant } = yield* (yield* Tenants).create({ name: "Bench tenant" })
    const integrations = yield* Integrations
    const created = yield* integrations.create(
      tenant.id,
      { name: "Woodgrove (bench)", app: "entra", primaryOwner: { email: "bench@example.com" }, mode: "direct", config: input.config },
      ["clientSecret", "certificate"]
    )
    const loaded = yield* integrations.loadForRun(created.id)
    const runs = yield* Runs
    const run = yield* runs.create({ tenantId: tenant.id, integrationId: created.id, kind: "extract", trigger: "manual" })
    const claim = yield* runs.claim(run.id, OWNER, 3600)
    if (claim._tag !== "Claimed") return yield* Effect.die(new Error(`could not claim run ${run.id}: ${claim._tag}`))
    const storeSink = yield* makeStoreSink(run.id, OWNER)
    const timed = yield* timedExtraction(loaded.config, input.checkpoint, storeSink)
    return { ...timed, tenantId: tenant.id, integrationId: created.id, runId: run.id, published: storeSink.published(), streamSeconds: {} } satisfies ExtractOutput
  })

childMain<ExtractInput, ExtractOutput>((input) =>
  input.store === undefined
    ? Effect.runPromise(intoCountingSink(input))
    : Effect.runPromise(Effect.scoped(intoStore(input).pipe(Effect.provide(Store.layer(benchStoreSettings(input.store.databaseUrl, input.store.encryptionKey))))))
)
