import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Semaphore from "effect/Semaphore"
import { graphRelativePath } from "./Permissions.ts"

/**
 * Graph's separate throttling limits that an identity connector meets:
 * - `directory`: identity & access, a token bucket of resource units (RU) per app+tenant per 10 s,
 *   sized by tenant: S (< 50 users) 3,500, M (50-500) 5,000, L (> 500) 8,000;
 * - `writes`: 3,000 write requests per app+tenant per 2.5 min;
 * - `reports`: audit and sign-in logs, 5 requests per 10 s;
 * - `identityProtection`: risky users and detections, 1 request per second (and no Retry-After).
 */
export type Lane = "directory" | "writes" | "reports" | "identityProtection"

export type TenantSize = "S" | "M" | "L"

const DIRECTORY_RU: Readonly<Record<TenantSize, number>> = { S: 3_500, M: 5_000, L: 8_000 }

/** We share the tenant's budget with every other app: aim below the documented limit. */
const SAFETY = 0.9

interface LaneLimit {
  readonly capacity: number
  readonly windowMs: number
}

const limitFor = (lane: Lane, size: TenantSize, scale: number): LaneLimit => {
  switch (lane) {
    case "directory":
      return { capacity: DIRECTORY_RU[size] * SAFETY * scale, windowMs: 10_000 }
    case "writes":
      return { capacity: 3_000 * SAFETY * scale, windowMs: 150_000 }
    case "reports":
      return { capacity: Math.max(1, Math.floor(5 * scale)), windowMs: 10_000 }
    case "identityProtection":
      return { capacity: Math.max(1, Math.floor(1 * scale)), windowMs: 1_000 }
  }
}

/** The tenant size class from its user count, as Graph defines it. */
export const tenantSizeOf = (users: number): TenantSize => (users < 50 ? "S" : users <= 500 ? "M" : "L")

/** Which lane a request is paced in. */
export const laneOf = (method: string, pathOrUrl: string): Lane => {
  const path = graphRelativePath(pathOrUrl)
  if (/^(auditLogs|reports)\//iu.test(path)) return "reports"
  if (/^identityProtection\//iu.test(path)) return "identityProtection"
  return method.toUpperCase() === "GET" || READ_ACTIONS.test(path) ? "directory" : "writes"
}

/** POSTs that only read (and `$batch`, whose items are paced on their own). */
const READ_ACTIONS = /^(\$batch|directoryObjects\/(getByIds|getObjectsById)|[^?]*\/(getMemberGroups|getMemberObjects|checkMemberGroups|checkMemberObjects))\b/iu

const ID_SEGMENT = /^([0-9a-f]{8}-[0-9a-f-]{27}|[^/]*\(.*\)|[^/]*@[^/]*)$/iu

/**
 * A request's kind, for learning its real cost: the method, the path with object ids replaced by
 * `{id}`, and the query options that change the cost. `GET /groups/3f..../members?$select=id&$top=999`
 * -> `GET groups/{id}/members?$select`.
 */
export const requestKind = (method: string, pathOrUrl: string): string => {
  const relative = graphRelativePath(pathOrUrl)
  const [path = "", query = ""] = relative.split("?", 2)
  const segments = path.split("/").map((s) => (ID_SEGMENT.test(decodeURIComponent(s)) ? "{id}" : s))
  const flags = ["$select", "$expand", "$filter", "$deltatoken", "$skiptoken"].filter((f) => query.includes(`${f}=`) || query.includes(`${encodeURIComponent(f)}=`))
  return `${method.toUpperCase()} ${segments.join("/")}${flags.length > 0 ? `?${flags.join("&")}` : ""}`
}

/** Documented base costs of identity & access reads (anything else costs 1). */
const BASE_COSTS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^users(\/delta)?$/iu, 2],
  [/^applications$/iu, 2],
  [/^groups\/\{id\}\/members$/iu, 3],
  [/^groups\/\{id\}\/transitiveMembers$/iu, 5],
  [/^users\/\{id\}\/(memberOf|transitiveMemberOf|ownedObjects|licenseDetails)$/iu, 2],
  [/^oauth2PermissionGrants(\/\{id\})?$/iu, 2],
  [/^servicePrincipals\/\{id\}\/appRoleAssignments$/iu, 2],
  [/^directoryObjects\/(getByIds|getObjectsById)$/iu, 3],
  [/^(subscribedSkus|contracts)$/iu, 3]
]

/**
 * What a request costs before Graph tells us (`x-ms-resource-unit`): the base cost, -1 for `$select`,
 * +1 for `$expand`, -1 for `$top` below 20, never below 1. Writes cost 1 RU.
 */
export const estimateCost = (method: string, pathOrUrl: string): number => {
  const relative = graphRelativePath(pathOrUrl)
  if (method.toUpperCase() !== "GET") return /^directoryObjects\/(getByIds|getObjectsById)/iu.test(relative) ? 3 : 1
  const [, query = ""] = relative.split("?", 2)
  const kindPath = requestKind("GET", relative).slice(4).split("?")[0] ?? ""
  let cost = BASE_COSTS.find(([re]) => re.test(kindPath))?.[1] ?? 1
  if (/(^|&)\$select=/u.test(query)) cost -= 1
  if (/(^|&)\$expand=/u.test(query)) cost += 1
  const top = /(^|&)\$top=(\d+)/u.exec(query)?.[2]
  if (top !== undefined && Number(top) < 20) cost -= 1
  return Math.max(1, cost)
}

interface Bucket {
  tokens: number
  updatedAt: number
  pausedUntil: number
  consecutiveThrottles: number
  /** Shrinks on every 429 (we misjudged the shared budget) and recovers slowly with successes. */
  factor: number
  readonly lock: Semaphore.Semaphore
}

export interface ResourceBudgetOptions {
  /** Starting size class; `setTenantSize` adjusts it once the user count is known. Default S. */
  readonly tenantSize?: TenantSize
  /** Multiplies every limit (tests run the simulator with a scaled budget). Default 1. */
  readonly scale?: number
}

/**
 * Paces every Graph call so the plugin stays inside Graph's budget instead of finding the limit by
 * being throttled: a token bucket per lane, charged an estimate before the call and corrected with
 * the `x-ms-resource-unit` Graph reports after it (and the real cost of each request kind is
 * learned for later estimates). A 429 pauses the whole lane for Retry-After (or an exponential
 * backoff where Graph sends none, as Identity Protection does), empties the bucket and shrinks it,
 * so concurrent workers never hammer after a 429.
 *
 * @category services
 */
export class ResourceBudget extends Context.Service<
  ResourceBudget,
  {
    /** Waits until `cost` units are available in the lane, then takes them. */
    readonly acquire: (lane: Lane, cost: number) => Effect.Effect<void>
    /**
     * Corrects the charge with the real cost Graph reported. A successful answer also teaches the
     * request kind's cost and ends a run of 429s (errors and throttled answers teach nothing).
     */
    readonly settle: (lane: Lane, kind: string, charged: number, actual: number | undefined, succeeded: boolean) => Effect.Effect<void>
    /** The cost to charge for a request kind: what Graph charged last time, else the estimate. */
    readonly costOf: (kind: string, estimate: number) => number
    /**
     * Graph's `x-ms-throttle-limit-percentage` (sent once more than 80% of a limit is used, up to 1.8):
     * above 90% the lane slows down before Graph has to say 429.
     */
    readonly nearLimit: (lane: Lane, percentage: number) => Effect.Effect<void>
    /** Graph answered 429: the lane pauses; returns how long (ms). */
    readonly throttled: (lane: Lane, retryAfterSeconds: number | undefined) => Effect.Effect<number>
    readonly setTenantSize: (size: TenantSize) => Effect.Effect<void>
  }
>()("idconnect/connector-entra/ResourceBudget") {
  static readonly make = (options: ResourceBudgetOptions = {}) =>
    Effect.gen(function* () {
      let size: TenantSize = options.tenantSize ?? "S"
      const scale = options.scale ?? 1
      const now0 = yield* Clock.currentTimeMillis
      const learned = new Map<string, number>()
      const buckets = new Map<Lane, Bucket>()
      for (const lane of ["directory", "writes", "reports", "identityProtection"] as const) {
        buckets.set(lane, {
          tokens: limitFor(lane, size, scale).capacity,
          updatedAt: now0,
          pausedUntil: 0,
          consecutiveThrottles: 0,
          factor: 1,
          lock: yield* Semaphore.make(1)
        })
      }
      const bucketOf = (lane: Lane): Bucket => buckets.get(lane)!

      const refill = (lane: Lane, bucket: Bucket, now: number): number => {
        const { capacity, windowMs } = limitFor(lane, size, scale)
        const cap = capacity * bucket.factor
        if (now > bucket.updatedAt) {
          bucket.tokens = Math.min(cap, bucket.tokens + ((now - bucket.updatedAt) * cap) / windowMs)
          bucket.updatedAt = now
        }
        return cap / windowMs
      }

      const acquire = (lane: Lane, cost: number) => {
        const bucket = bucketOf(lane)
        const loop: Effect.Effect<void> = Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          if (bucket.pausedUntil > now) {
            yield* Effect.sleep(bucket.pausedUntil - now)
            return yield* loop
          }
          const ratePerMs = refill(lane, bucket, now)
          // A request larger than the bucket can never fit: let it go once the bucket is full.
          const need = Math.min(cost, limitFor(lane, size, scale).capacity * bucket.factor)
          if (bucket.tokens >= need) {
            bucket.tokens -= cost
            return
          }
          yield* Effect.sleep(Math.ceil((need - bucket.tokens) / ratePerMs))
          return yield* loop
        })
        return bucket.lock.withPermits(1)(loop)
      }

      const settle = (lane: Lane, kind: string, charged: number, actual: number | undefined, succeeded: boolean) =>
        Effect.sync(() => {
          const bucket = bucketOf(lane)
          if (actual !== undefined) bucket.tokens -= actual - charged
          if (!succeeded) return
          if (actual !== undefined && actual > 0) learned.set(kind, actual)
          bucket.consecutiveThrottles = 0
          bucket.factor = Math.min(1, bucket.factor + 0.002)
        })

      const throttled = (lane: Lane, retryAfterSeconds: number | undefined) =>
        Effect.gen(function* () {
          const bucket = bucketOf(lane)
          const now = yield* Clock.currentTimeMillis
          bucket.consecutiveThrottles++
          const backoff = Math.min(60_000, 1_000 * 2 ** (bucket.consecutiveThrottles - 1))
          const wait = retryAfterSeconds !== undefined ? Math.max(retryAfterSeconds * 1000, 100) : backoff
          bucket.pausedUntil = Math.max(bucket.pausedUntil, now + wait)
          bucket.tokens = 0
          bucket.updatedAt = now + wait
          bucket.factor = Math.max(0.01, bucket.factor * 0.75)
          return wait
        })

      const nearLimit = (lane: Lane, percentage: number) =>
        Effect.sync(() => {
          const bucket = bucketOf(lane)
          if (percentage >= 0.9) bucket.factor = Math.max(0.01, bucket.factor * 0.9)
        })

      return ResourceBudget.of({
        acquire,
        settle,
        nearLimit,
        costOf: (kind, estimate) => learned.get(kind) ?? estimate,
        throttled,
        setTenantSize: (next) =>
          Effect.sync(() => {
            size = next
          })
      })
    })

  static readonly layer = (options: ResourceBudgetOptions = {}) => Layer.effect(ResourceBudget, ResourceBudget.make(options))

  /**
   * The budget of one app in one tenant, shared by everything this process does with it (an
   * extraction, a check, lifecycle operations, concurrent runs): Graph counts them all against the
   * same limits, so a 429 seen by one pauses the others. The first caller's options size it.
   */
  static readonly layerShared = (key: string, options: ResourceBudgetOptions = {}) =>
    Layer.effect(
      ResourceBudget,
      Effect.suspend(() => {
        const existing = shared.get(key)
        if (existing !== undefined) return Effect.succeed(existing)
        return ResourceBudget.make(options).pipe(Effect.tap((budget) => Effect.sync(() => void shared.set(key, budget))))
      })
    )
}

const shared = new Map<string, ResourceBudget["Service"]>()
