import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { defaultHttpOptions, type HttpOptions } from "./http/App.ts"

/** Where the API listens and how its HTTP edge behaves. */
export interface ApiSettings {
  readonly host: string
  readonly port: number
  readonly http: HttpOptions
}

/** The environment variables the API reads; everything has a default except the admin token. */
export const ApiEnv = {
  host: "IDCONNECT_API_HOST",
  port: "IDCONNECT_API_PORT",
  adminToken: "IDCONNECT_ADMIN_TOKEN",
  corsOrigins: "IDCONNECT_CORS_ORIGINS",
  rateBurst: "IDCONNECT_RATE_LIMIT_BURST",
  ratePerSecond: "IDCONNECT_RATE_LIMIT_PER_SECOND",
  maxJsonBytes: "IDCONNECT_MAX_JSON_BYTES",
  maxUploadBytes: "IDCONNECT_MAX_UPLOAD_BYTES",
  maxJsonDepth: "IDCONNECT_MAX_JSON_DEPTH",
  publicUrl: "IDCONNECT_PUBLIC_URL"
} as const

/**
 * Reads the API settings. CORS stays off unless `IDCONNECT_CORS_ORIGINS` lists origins (comma
 * separated); a rate of 0 per second turns rate limiting off; without `IDCONNECT_ADMIN_TOKEN` the
 * admin endpoints answer 401.
 */
export const readApiSettings: Effect.Effect<ApiSettings, Config.ConfigError> = Effect.gen(function* () {
  const d = defaultHttpOptions
  const host = yield* Config.String(ApiEnv.host).pipe(Config.withDefault("127.0.0.1"))
  const port = yield* Config.Int(ApiEnv.port).pipe(Config.withDefault(8080))
  const adminToken = yield* Config.option(Config.Redacted(ApiEnv.adminToken))
  const cors = yield* Config.String(ApiEnv.corsOrigins).pipe(Config.withDefault(""))
  const burst = yield* Config.Int(ApiEnv.rateBurst).pipe(Config.withDefault(d.rateLimit?.capacity ?? 200))
  const perSecond = yield* Config.Number(ApiEnv.ratePerSecond).pipe(Config.withDefault(d.rateLimit?.refillPerSecond ?? 100))
  const maxJson = yield* Config.Int(ApiEnv.maxJsonBytes).pipe(Config.withDefault(d.jsonBodyLimitBytes))
  const maxUpload = yield* Config.Int(ApiEnv.maxUploadBytes).pipe(Config.withDefault(d.rawBodyLimitBytes))
  const depth = yield* Config.Int(ApiEnv.maxJsonDepth).pipe(Config.withDefault(d.maxJsonDepth))
  const publicUrl = yield* Config.option(Config.String(ApiEnv.publicUrl))
  const token = Option.isSome(adminToken) && Redacted.value(adminToken.value).trim() !== "" ? adminToken.value : undefined
  return {
    host,
    port,
    http: {
      jsonBodyLimitBytes: maxJson,
      rawBodyLimitBytes: maxUpload,
      maxJsonDepth: depth,
      rateLimit: perSecond > 0 ? { capacity: Math.max(1, burst), refillPerSecond: perSecond } : undefined,
      corsOrigins: cors.split(",").map((s) => s.trim()).filter((s) => s !== ""),
      adminToken: token,
      publicUrl: Option.isSome(publicUrl) ? publicUrl.value.replace(/\/+$/, "") : undefined
    }
  }
})
