import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreConfig } from "./StoreConfig.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/**
 * AES-256-GCM for secrets at rest. An envelope is `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url);
 * the additional data binds it to where it is stored (e.g. `integration:<id>:clientSecret`), so a
 * ciphertext copied to another row or field does not decrypt.
 *
 * @category services
 */
export class SecretBox extends Context.Service<
  SecretBox,
  {
    /** First 8 hex characters of the key's SHA-256: tells which key wrote an envelope, reveals nothing. */
    readonly keyId: string
    readonly encrypt: (plaintext: Redacted.Redacted<string>, aad: string) => string
    readonly decrypt: (envelope: string, aad: string) => Effect.Effect<Redacted.Redacted<string>, StoreError>
  }
>()("idconnect/store/SecretBox") {
  static readonly make = (key: Uint8Array): SecretBox["Service"] => {
    const keyId = createHash("sha256").update(key).digest("hex").slice(0, 8)
    return SecretBox.of({
      keyId,
      encrypt: (plaintext, aad) => {
        const iv = randomBytes(12)
        const cipher = createCipheriv("aes-256-gcm", key, iv)
        cipher.setAAD(Buffer.from(aad))
        const ct = Buffer.concat([cipher.update(Redacted.value(plaintext), "utf8"), cipher.final()])
        return ["v1", keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".")
      },
      decrypt: (envelope, aad) =>
        Effect.suspend(() => {
          const [version, writtenBy, iv, tag, ct] = envelope.split(".")
          if (version !== "v1" || iv === undefined || tag === undefined || ct === undefined) {
            return Effect.fail(StoreErrors.keyInvalid("A stored secret is not in a format this version understands"))
          }
          if (writtenBy !== keyId) {
            return Effect.fail(
              StoreErrors.keyInvalid(
                `A stored secret was encrypted with key ${writtenBy}, but the configured key is ${keyId}. Start with the original key.`
              )
            )
          }
          try {
            const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"))
            decipher.setAAD(Buffer.from(aad))
            decipher.setAuthTag(Buffer.from(tag, "base64url"))
            const plain = Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8")
            return Effect.succeed(Redacted.make(plain))
          } catch {
            return Effect.fail(StoreErrors.keyInvalid("A stored secret failed its integrity check (tampered, or moved to another row)"))
          }
        })
    })
  }

  /**
   * The box for the configured key. On first start it stores a check value; later starts refuse a
   * different key up front, rather than failing on the first secret read.
   */
  static readonly layer: Layer.Layer<SecretBox, StoreError, StoreConfig | SqlDriver> = Layer.effect(
    SecretBox,
    Effect.gen(function* () {
      const config = yield* StoreConfig
      const db = yield* SqlDriver
      const box = SecretBox.make(Redacted.value(config.encryptionKey))
      const CHECK = "encryption-key-check"
      const rows = yield* db.query<{ value: string }>("select value from store_meta where key = $1", [CHECK])
      if (rows.length === 0) {
        yield* db.query("insert into store_meta (key, value) values ($1, $2) on conflict (key) do nothing", [
          CHECK,
          box.encrypt(Redacted.make("idconnect"), CHECK)
        ])
      } else {
        yield* box.decrypt(rows[0]!.value, CHECK).pipe(
          Effect.mapError((e) =>
            StoreErrors.keyInvalid(`The configured encryption key is not the one this database was set up with (${e.message})`)
          )
        )
      }
      return box
    })
  )
}
