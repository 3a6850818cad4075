import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto"
import { StoreConfig } from "@idconnect/store/StoreConfig"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ApiErrors, type ApiError } from "../http/ApiError.ts"

/** What a signed URL grants: one upload of one file, or the download of one snapshot's file. */
export type SignedClaims =
  | {
      readonly purpose: "upload"
      readonly tenantId: string
      readonly integrationId: string
      readonly uploadId: string
      readonly file: "entities" | "relations"
      readonly format: "csv" | "ndjson"
      readonly bestEffort: boolean
      /** Expiry, seconds since the epoch. */
      readonly expires: number
    }
  | {
      readonly purpose: "download"
      readonly tenantId: string
      readonly integrationId: string
      readonly file: "entities" | "relations"
      readonly runId: string
      readonly expires: number
    }

const encode = (s: string | Buffer) => Buffer.from(s).toString("base64url")

/**
 * Signs and verifies the tokens of upload and download URLs (HMAC-SHA256). The key is derived
 * with HKDF from the store's encryption key under its own label, so every API process of a
 * deployment verifies the others' URLs and no key is configured twice. A token is readable (its
 * claims are not secret) but cannot be altered or extended.
 *
 * @category services
 */
export class UrlSigner extends Context.Service<
  UrlSigner,
  {
    readonly sign: (claims: SignedClaims) => string
    readonly verify: <P extends SignedClaims["purpose"]>(token: string, purpose: P) => Effect.Effect<Extract<SignedClaims, { purpose: P }>, ApiError>
  }
>()("idconnect/api/UrlSigner") {
  static readonly make = (secret: Uint8Array, now: () => number = Date.now): UrlSigner["Service"] => {
    const key = Buffer.from(hkdfSync("sha256", secret, "idconnect", "idconnect/api/signed-urls/v1", 32))
    const mac = (payload: string) => createHmac("sha256", key).update(payload).digest()
    return UrlSigner.of({
      sign: (claims) => {
        const payload = encode(JSON.stringify(claims))
        return `${payload}.${mac(payload).toString("base64url")}`
      },
      verify: (token, purpose) =>
        Effect.suspend(() => {
          const [payload, signature] = token.split(".")
          const invalid = ApiErrors.unauthorized("The URL's token is not valid: request a new URL")
          if (payload === undefined || signature === undefined) return Effect.fail(invalid)
          const expected = mac(payload)
          const given = Buffer.from(signature, "base64url")
          if (given.length !== expected.length || !timingSafeEqual(given, expected)) return Effect.fail(invalid)
          const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SignedClaims
          if (claims.purpose !== purpose) return Effect.fail(invalid)
          if (claims.expires * 1000 < now()) {
            return Effect.fail(ApiErrors.gone(`The URL expired at ${new Date(claims.expires * 1000).toISOString()}: request a new one`))
          }
          return Effect.succeed(claims as Extract<SignedClaims, { purpose: typeof purpose }>)
        })
    })
  }

  static readonly layer = Layer.effect(
    UrlSigner,
    StoreConfig.use((config) => Effect.succeed(UrlSigner.make(Redacted.value(config.encryptionKey))))
  )
}
