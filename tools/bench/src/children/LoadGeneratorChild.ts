import { createRequire } from "node:module"
import { childMain } from "../ChildMain.ts"

/**
 * The external load generator of scenario 5: autocannon (programmatic API) in a process of its own,
 * sending requests at a fixed overall rate so latency is measured at a steady load rather than at
 * saturation (autocannon corrects for coordinated omission at a fixed rate). Only 127.0.0.1 targets.
 */
export interface LoadInput {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly ratePerSecond: number
  readonly connections: number
  readonly durationSeconds: number
}

export interface LoadOutput {
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly requests: number
  readonly ratePerSecond: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
}

interface AutocannonResult {
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly requests: { readonly total: number; readonly average: number }
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
}

const autocannon = createRequire(import.meta.url)("autocannon") as (options: object) => Promise<AutocannonResult>

childMain<LoadInput, LoadOutput>(async (input) => {
  const host = new URL(input.url).hostname
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`load generator refuses ${host}: only loopback targets`)
  const result = await autocannon({
    url: input.url,
    headers: input.headers,
    connections: input.connections,
    overallRate: input.ratePerSecond,
    duration: input.durationSeconds
  })
  return {
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    ratePerSecond: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts
  }
})
