import { trustCaPem } from "@idconnect/core/TrustCa"
import { type NaiveConfig, type NaivePhase, type NaiveSample, runNaiveExtraction } from "../baselines/NaiveGraphExtraction.ts"
import { childMain } from "../ChildMain.ts"

/** Runs the naive baseline extraction (sampled) in its own process. */
export interface NaiveInput {
  readonly config: NaiveConfig
  readonly caPem: string
  readonly sample: NaiveSample
}

export interface NaiveOutput {
  readonly phases: ReadonlyArray<NaivePhase>
  readonly totalMs: number
}

childMain<NaiveInput, NaiveOutput>(async (input) => {
  trustCaPem(input.caPem)
  const started = performance.now()
  const phases = await runNaiveExtraction(input.config, input.sample)
  return { phases, totalMs: performance.now() - started }
})
