import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { ExtractionSink } from "@idconnect/core/ExtractionSink"
import { runExtraction, type RunSummary } from "@idconnect/core/ExtractionRunner"
import { makeMemorySink } from "@idconnect/core/MemorySink"
import { type GraphSimHandle, type SimAppInfo, type TenantSpec, startGraphSim } from "@idconnect/graph-sim/GraphSim"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import { type EntraPluginOptions, makeEntraPlugin } from "../../src/EntraPlugin.ts"

/** Starts the Graph simulator on 127.0.0.1 with these tenants; stop it in afterAll. */
export const startSim = (...tenants: ReadonlyArray<TenantSpec>): Promise<GraphSimHandle> => startGraphSim({ host: "127.0.0.1", tenants })

/** The raw config an admin would write for an app of a simulated tenant (the first by default). */
export const rawConfig = (
  sim: GraphSimHandle,
  app: SimAppInfo | string,
  extra: Record<string, unknown> = {},
  tenantIndex = 0
): Record<string, unknown> => {
  const tenant = sim.tenants[tenantIndex]!
  const a = typeof app === "string" ? tenant.apps.find((x) => x.name === app)! : app
  return {
    tenantId: tenant.tenantId,
    clientId: a.clientId,
    clientSecret: a.clientSecret,
    authorityHost: sim.authorityHost,
    graphBaseUrl: sim.graphBaseUrl,
    caFile: sim.caFile,
    ...extra
  }
}

export const decode = (raw: Record<string, unknown>): Promise<EntraDirectConfig> => {
  const mode = makeEntraPlugin().modes.direct!
  return Effect.runPromise(decodeConfig(mode.config, raw))
}

/** Runs an extraction through the platform's runner into a memory sink (the store's semantics). */
export const runToSink = async (
  raw: Record<string, unknown>,
  options: {
    readonly plugin?: EntraPluginOptions
    readonly checkpoint?: Checkpoint
    readonly sink?: ExtractionSink
    readonly onCheckpoint?: (checkpoint: Checkpoint, committed: number) => Effect.Effect<void>
  } = {}
) => {
  const plugin = makeEntraPlugin(options.plugin)
  const read = plugin.modes.direct!.read!
  const config = await decode(raw)
  const memory = options.sink === undefined ? makeMemorySink() : undefined
  const sink = options.sink ?? memory!.sink
  const summary: RunSummary = await Effect.runPromise(
    runExtraction({
      read,
      config,
      sink,
      retryBaseDelay: "50 millis",
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      ...(options.onCheckpoint === undefined ? {} : { onCheckpoint: options.onCheckpoint })
    })
  )
  return { summary, state: memory?.state }
}

/** Requests (batch items counted one by one, as Graph's budget does) the tenant has served so far. */
export const requestsServed = (sim: GraphSimHandle): number => sim.counters()[sim.tenants[0]!.tenantId]!.requests
