import type { TenantSize } from "../tenant/Records.ts"

/** A token bucket: `capacity` units refilled evenly over `windowMs`. */
export class TokenBucket {
  readonly capacity: number
  readonly windowMs: number
  private tokens: number
  private last: number

  constructor(capacity: number, windowMs: number, now: number) {
    this.capacity = capacity
    this.windowMs = windowMs
    this.tokens = capacity
    this.last = now
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last)
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.capacity) / this.windowMs)
    this.last = now
  }

  /** Fraction of the bucket consumed (0 = full bucket, 1 = empty, >1 = in debt). */
  usage(now: number): number {
    this.refill(now)
    return (this.capacity - this.tokens) / this.capacity
  }

  /**
   * Takes `cost` units. When the bucket cannot cover it the request is throttled, and (as Microsoft
   * documents) the usage is still counted, so clients that retry immediately stay throttled longer.
   * Returns the seconds to wait before the request would fit, or 0 when admitted.
   */
  take(cost: number, now: number, countWhenThrottled: boolean): number {
    this.refill(now)
    if (this.tokens >= cost) {
      this.tokens -= cost
      return 0
    }
    if (countWhenThrottled) this.tokens = Math.max(-this.capacity, this.tokens - cost)
    const deficit = cost - this.tokens
    return Math.max(1, Math.ceil((deficit * this.windowMs) / this.capacity / 1000))
  }

  /** Empties (or refills) the bucket, for tests that need a 429 on the next request. */
  set(tokens: number, now: number): void {
    this.refill(now)
    this.tokens = tokens
  }
}

/** Which limit family a request falls under. */
export type LimitClass = "read" | "write" | "reports" | "identityProtection"

export interface ThrottleConfig {
  readonly enabled: boolean
  /** Multiplies every documented quota (0.01 = 1% of Microsoft's budget). */
  readonly budgetScale: number
}

export type ThrottleDecision =
  | { readonly ok: true; readonly limitPercentage: number | undefined }
  | {
      readonly ok: false
      /** Seconds; null for limits that send no Retry-After (identity protection). */
      readonly retryAfter: number | null
      readonly scope: string
      readonly information: string
    }

/** Identity & access quotas per app+tenant by tenant size (resource units per 10 s). */
export const RU_PER_10S: Readonly<Record<TenantSize, number>> = { S: 3_500, M: 5_000, L: 8_000 }
const WRITES_PER_150S = 3_000
const TENANT_WRITES_PER_300S = 18_000
const REPORTS_PER_10S = 5
const IDENTITY_PROTECTION_PER_1S = 1
const APP_RU_PER_20S = 150_000

/** Buckets shared by all tenants of one simulator (the per-application, all-tenants limits). */
export class GlobalThrottle {
  private readonly appRu = new Map<string, TokenBucket>()

  appBucket(appId: string, scale: number, now: number): TokenBucket {
    let b = this.appRu.get(appId)
    if (b === undefined || b.capacity !== APP_RU_PER_20S * scale) {
      b = new TokenBucket(APP_RU_PER_20S * scale, 20_000, now)
      this.appRu.set(appId, b)
    }
    return b
  }
}

/**
 * Microsoft Graph throttling for one tenant: the identity & access RU bucket per app+tenant sized by
 * tenant size, the write quota, the tenant-wide write quota, the reports limit (5 per 10 s per app per
 * tenant) and the identity-protection limit (1 per second per tenant, all apps, no Retry-After).
 */
export class TenantThrottle {
  private readonly buckets = new Map<string, TokenBucket>()
  private readonly global: GlobalThrottle
  config: ThrottleConfig

  constructor(config: ThrottleConfig, global: GlobalThrottle) {
    this.config = config
    this.global = global
  }

  private bucket(key: string, capacity: number, windowMs: number, now: number): TokenBucket {
    let b = this.buckets.get(key)
    if (b === undefined || b.capacity !== capacity || b.windowMs !== windowMs) {
      b = new TokenBucket(capacity, windowMs, now)
      this.buckets.set(key, b)
    }
    return b
  }

  /** The RU bucket of an app in this tenant (exposed so tests can drain it). */
  ruBucket(appId: string, size: TenantSize, now: number): TokenBucket {
    return this.bucket(`ru|${appId}`, Math.max(1, RU_PER_10S[size] * this.config.budgetScale), 10_000, now)
  }

  reset(): void {
    this.buckets.clear()
  }

  charge(appId: string, tenantId: string, size: TenantSize, cls: LimitClass, ru: number, now: number): ThrottleDecision {
    if (!this.config.enabled) return { ok: true, limitPercentage: undefined }
    const scale = this.config.budgetScale
    if (cls === "identityProtection") {
      const b = this.bucket("idp", Math.max(1, IDENTITY_PROTECTION_PER_1S * scale), 1_000, now)
      const wait = b.take(1, now, false)
      if (wait > 0) return { ok: false, retryAfter: null, scope: `Tenant/Read/${appId}/${tenantId}`, information: "ResourceUnitLimitExceeded" }
      return { ok: true, limitPercentage: undefined }
    }
    if (cls === "reports") {
      const b = this.bucket(`reports|${appId}`, Math.max(1, REPORTS_PER_10S * scale), 10_000, now)
      const wait = b.take(1, now, true)
      if (wait > 0) return { ok: false, retryAfter: wait, scope: `Tenant_Application/Read/${appId}/${tenantId}`, information: "ResourceUnitLimitExceeded" }
      return { ok: true, limitPercentage: percentage(b.usage(now)) }
    }
    const appWide = this.global.appBucket(appId, scale, now)
    const appWait = appWide.take(ru, now, true)
    if (appWait > 0) return { ok: false, retryAfter: appWait, scope: `Application/ReadWrite/${appId}/${tenantId}`, information: "ResourceUnitLimitExceeded" }
    const ruBucket = this.ruBucket(appId, size, now)
    if (cls === "write") {
      const w = this.bucket(`write|${appId}`, Math.max(1, WRITES_PER_150S * scale), 150_000, now)
      const tw = this.bucket("tenantWrite", Math.max(1, TENANT_WRITES_PER_300S * scale), 300_000, now)
      const waitW = w.take(1, now, true)
      if (waitW > 0) return { ok: false, retryAfter: waitW, scope: `Tenant_Application/Write/${appId}/${tenantId}`, information: "WriteLimitExceeded" }
      const waitT = tw.take(1, now, true)
      if (waitT > 0) return { ok: false, retryAfter: waitT, scope: `Tenant/Write/${appId}/${tenantId}`, information: "WriteLimitExceeded" }
    }
    const wait = ruBucket.take(ru, now, true)
    if (wait > 0) {
      return { ok: false, retryAfter: wait, scope: `Tenant_Application/${cls === "write" ? "Write" : "ReadWrite"}/${appId}/${tenantId}`, information: "ResourceUnitLimitExceeded" }
    }
    return { ok: true, limitPercentage: percentage(ruBucket.usage(now)) }
  }
}

/** `x-ms-throttle-limit-percentage` is only sent once more than 80% of a limit is consumed. */
const percentage = (usage: number): number | undefined => (usage > 0.8 ? Math.min(1.8, Math.round(usage * 100) / 100) : undefined)
