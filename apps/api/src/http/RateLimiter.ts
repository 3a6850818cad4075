/**
 * A token bucket per API key, in memory: `capacity` requests in a burst, refilled at
 * `refillPerSecond`. Memory is bounded by dropping buckets that have been full (idle) for a while.
 * Each API process limits on its own; behind several processes the effective limit is per process.
 */
export interface RateLimiterOptions {
  readonly capacity: number
  readonly refillPerSecond: number
  /** Milliseconds since an arbitrary origin; injectable so tests drive time without sleeping. */
  readonly now?: () => number
}

export type Admission = { readonly allowed: true; readonly remaining: number } | { readonly allowed: false; readonly retryAfterSeconds: number }

export interface RateLimiter {
  readonly take: (key: string) => Admission
  readonly capacity: number
}

export const makeRateLimiter = (options: RateLimiterOptions): RateLimiter => {
  const now = options.now ?? (() => performance.now())
  const buckets = new Map<string, { tokens: number; at: number }>()
  let lastSweep = now()
  const refill = (b: { tokens: number; at: number }, t: number) => {
    b.tokens = Math.min(options.capacity, b.tokens + ((t - b.at) / 1000) * options.refillPerSecond)
    b.at = t
  }
  const sweep = (t: number) => {
    if (t - lastSweep < 60_000) return
    lastSweep = t
    for (const [key, b] of buckets) {
      refill(b, t)
      if (b.tokens >= options.capacity) buckets.delete(key)
    }
  }
  return {
    capacity: options.capacity,
    take: (key) => {
      const t = now()
      sweep(t)
      let b = buckets.get(key)
      if (b === undefined) {
        b = { tokens: options.capacity, at: t }
        buckets.set(key, b)
      } else refill(b, t)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return { allowed: true, remaining: Math.floor(b.tokens) }
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / options.refillPerSecond)) }
    }
  }
}
