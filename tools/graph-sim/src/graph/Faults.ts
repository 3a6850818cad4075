import { gaussian, mulberry32 } from "../internal/Random.ts"

/** Fault injection for one tenant's Graph traffic. Rates are probabilities per request (0..1). */
export interface FaultSpec {
  /** Seed of the fault sequence (defaults to the tenant seed). Same seed + same request order = same faults. */
  readonly seed?: number
  /** Added response latency: normal around `medianMs` with `jitterMs` standard deviation (never negative). */
  readonly latency?: { readonly medianMs: number; readonly jitterMs?: number }
  /** Requests answered 503 Service Unavailable (with Retry-After) without being processed. */
  readonly rate503?: number
  /** Requests answered 504 Gateway Timeout without being processed. */
  readonly rate504?: number
  /** Writes that are applied but answered 504 (the caller cannot know it succeeded). */
  readonly rate504AfterApply?: number
  /** Requests whose TCP connection is destroyed without a response. */
  readonly resetRate?: number
  /** Access tokens that stop working at a random point of their lifetime (Graph answers 401). */
  readonly earlyTokenExpiryRate?: number
  /** When set, tokens picked by earlyTokenExpiryRate die this many ms after issue (0 = at once) instead of at a random point. */
  readonly earlyTokenExpiryAfterMs?: number
  /** nextLink pages served with zero items (and a nextLink to the same position). */
  readonly emptyPageRate?: number
  /** Retry-After seconds on injected 503s (default 1). */
  readonly retryAfterSeconds?: number
}

export type FaultOutcome = "none" | "503" | "504" | "reset"

/** Deterministic fault decisions: one PRNG stream per tenant, consumed in request order. */
export class FaultInjector {
  spec: FaultSpec
  private next: () => number

  constructor(spec: FaultSpec, defaultSeed: number) {
    this.spec = spec
    this.next = mulberry32(spec.seed ?? defaultSeed)
  }

  configure(spec: FaultSpec, defaultSeed: number): void {
    this.spec = spec
    this.next = mulberry32(spec.seed ?? defaultSeed)
  }

  latencyMs(): number {
    const l = this.spec.latency
    if (l === undefined || l.medianMs <= 0) return 0
    return Math.max(0, Math.round(l.medianMs + (l.jitterMs ?? 0) * gaussian(this.next)))
  }

  /** Outcome decided before a request is processed. */
  before(): FaultOutcome {
    const s = this.spec
    if ((s.resetRate ?? 0) > 0 && this.next() < s.resetRate!) return "reset"
    if ((s.rate503 ?? 0) > 0 && this.next() < s.rate503!) return "503"
    if ((s.rate504 ?? 0) > 0 && this.next() < s.rate504!) return "504"
    return "none"
  }

  /** Whether an applied write should be answered 504 anyway. */
  afterWrite(): boolean {
    const r = this.spec.rate504AfterApply ?? 0
    return r > 0 && this.next() < r
  }

  emptyPage(): boolean {
    const r = this.spec.emptyPageRate ?? 0
    return r > 0 && this.next() < r
  }

  /** Milliseconds after issue at which a new token dies, or undefined for a healthy token. */
  tokenDeathAfterMs(lifetimeMs: number): number | undefined {
    const r = this.spec.earlyTokenExpiryRate ?? 0
    if (r <= 0 || this.next() >= r) return undefined
    return this.spec.earlyTokenExpiryAfterMs ?? Math.floor(this.next() * 0.5 * lifetimeMs)
  }
}
