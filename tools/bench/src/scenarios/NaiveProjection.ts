/**
 * How the sampled naive baseline is scaled up to the whole tenant. The naive code is sequential
 * and stays far below Graph's budget (one request at a time costs at most 3 RU per ~55 ms, about
 * 55 RU/s against 800 RU/s), so it is never throttled and its time is the sum of its requests'
 * times. For each phase we know exactly how many requests the full run issues (Graph's default
 * page of 100 items and the simulator's object counts), and we measured the time and resource
 * units of the sampled requests of that phase; the projection multiplies.
 */
export interface PhaseSample {
  readonly name: string
  /** Time the phase took in the sampled run. */
  readonly ms: number
  /** Requests and resource units the simulator counted for the phase's path in the sampled run. */
  readonly sampleRequests: number
  readonly sampleResourceUnits: number
  /** Requests the same phase issues over the whole tenant. */
  readonly fullRequests: number
}

export interface Projection {
  readonly wallMs: number
  readonly requests: number
  readonly resourceUnits: number
  readonly phases: ReadonlyArray<{ readonly name: string; readonly wallMs: number; readonly requests: number; readonly sampledFraction: number }>
}

export const projectNaive = (phases: ReadonlyArray<PhaseSample>): Projection => {
  const projected = phases.map((p) => {
    const scale = p.sampleRequests > 0 ? p.fullRequests / p.sampleRequests : 1
    return {
      name: p.name,
      wallMs: p.ms * scale,
      requests: p.fullRequests,
      resourceUnits: p.sampleResourceUnits * scale,
      sampledFraction: p.fullRequests > 0 ? p.sampleRequests / p.fullRequests : 1
    }
  })
  return {
    wallMs: projected.reduce((s, p) => s + p.wallMs, 0),
    requests: projected.reduce((s, p) => s + p.requests, 0),
    resourceUnits: projected.reduce((s, p) => s + p.resourceUnits, 0),
    phases: projected.map(({ name, wallMs, requests, sampledFraction }) => ({ name, wallMs, requests, sampledFraction }))
  }
}

/** Requests to read `items` objects at Graph's default page size (an empty list still costs one). */
export const pagesOf = (items: number, pageSize = 100): number => Math.max(1, Math.ceil(items / pageSize))
