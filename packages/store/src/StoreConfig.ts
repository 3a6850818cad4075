import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/**
 * Where the data lives: a PostgreSQL server (`DATABASE_URL`) or the embedded PGlite engine in a
 * data folder (the default, so `npm start` needs no server). `dataDir: undefined` keeps PGlite in
 * memory, for tests.
 */
export type DatabaseTarget =
  | { readonly _tag: "postgres"; readonly url: Redacted.Redacted<string>; readonly poolSize: number }
  | { readonly _tag: "pglite"; readonly dataDir: string | undefined }

export interface StoreSettings {
  readonly database: DatabaseTarget
  /** AES-256 key (32 bytes) that encrypts integration secrets at rest. */
  readonly encryptionKey: Redacted.Redacted<Uint8Array>
  /** How many published snapshots per integration stay readable and diffable. */
  readonly retentionRuns: number
  /** How deep nested group membership is expanded into effective access. */
  readonly effectiveAccessMaxDepth: number
}

/** Environment variables the store reads (see packages/store/README.md). */
export const StoreEnv = {
  databaseUrl: "DATABASE_URL",
  dataDir: "IDCONNECT_DATA_DIR",
  key: "IDCONNECT_ENCRYPTION_KEY",
  keyFile: "IDCONNECT_ENCRYPTION_KEY_FILE",
  retention: "IDCONNECT_RETENTION_RUNS",
  maxDepth: "IDCONNECT_EFFECTIVE_ACCESS_MAX_DEPTH",
  poolSize: "IDCONNECT_DB_POOL_SIZE"
} as const

const KEY_HINT =
  `Set ${StoreEnv.key} to 32 random bytes in base64 or hex (e.g. \`openssl rand -base64 32\`), ` +
  `or ${StoreEnv.keyFile} to a file holding them.`

/** Decodes a key given as base64 or 64 hex characters; anything but 32 bytes is refused. */
export const parseEncryptionKey = (text: string, source: string): Effect.Effect<Uint8Array, StoreError> => {
  const trimmed = text.trim()
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64")
  return bytes.length === 32
    ? Effect.succeed(new Uint8Array(bytes))
    : Effect.fail(StoreErrors.keyInvalid(`The encryption key from ${source} is ${bytes.length} bytes; it must be 32. ${KEY_HINT}`))
}

const readKeyFile = (file: string): Effect.Effect<Uint8Array, StoreError> =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8"),
    catch: (cause) => StoreErrors.keyInvalid(`Cannot read the encryption key file ${file}: ${String(cause)}. ${KEY_HINT}`)
  }).pipe(Effect.flatMap((text) => parseEncryptionKey(text, file)))

/**
 * The embedded mode's key: `<dataDir>/encryption.key`, created (mode 0600) on first start. A real
 * deployment passes its key from a secret manager instead.
 */
const embeddedKey = (dataDir: string): Effect.Effect<Uint8Array, StoreError> =>
  Effect.suspend(() => {
    const file = path.join(dataDir, "encryption.key")
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dataDir, { recursive: true })
      fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" })
    }
    return readKeyFile(file)
  })

/**
 * The store's settings. Build it from the environment with `StoreConfig.layerFromEnv`, or from
 * values with `StoreConfig.layer(settings)` (tests, the embedded demo).
 *
 * @category config
 */
export class StoreConfig extends Context.Service<StoreConfig, StoreSettings>()("idconnect/store/StoreConfig") {
  static readonly layer = (settings: StoreSettings) => Layer.succeed(StoreConfig, settings)

  /**
   * Reads `DATABASE_URL` (absent: PGlite in `IDCONNECT_DATA_DIR`, default `.data/pglite`), the
   * encryption key (`IDCONNECT_ENCRYPTION_KEY` or `IDCONNECT_ENCRYPTION_KEY_FILE`; embedded mode
   * generates `.data/encryption.key` when neither is set), retention and expansion depth.
   */
  static readonly fromEnv: Effect.Effect<StoreSettings, StoreError | Config.ConfigError> = Effect.gen(function* () {
    const url = yield* Config.option(Config.Redacted(StoreEnv.databaseUrl))
    const dataDir = yield* Config.String(StoreEnv.dataDir).pipe(Config.withDefault(".data"))
    const poolSize = yield* Config.Int(StoreEnv.poolSize).pipe(Config.withDefault(10))
    const database: DatabaseTarget =
      Option.isSome(url) && Redacted.value(url.value) !== ""
        ? { _tag: "postgres", url: url.value, poolSize }
        : { _tag: "pglite", dataDir: path.resolve(dataDir, "pglite") }
    const keyText = yield* Config.option(Config.Redacted(StoreEnv.key))
    const keyFile = yield* Config.option(Config.String(StoreEnv.keyFile))
    const key = Option.isSome(keyText)
      ? yield* parseEncryptionKey(Redacted.value(keyText.value), StoreEnv.key)
      : Option.isSome(keyFile)
        ? yield* readKeyFile(keyFile.value)
        : database._tag === "pglite"
          ? yield* embeddedKey(path.resolve(dataDir))
          : yield* Effect.fail(StoreErrors.keyInvalid(`DATABASE_URL is set but no encryption key is. ${KEY_HINT}`))
    const retentionRuns = yield* Config.Int(StoreEnv.retention).pipe(Config.withDefault(10))
    const effectiveAccessMaxDepth = yield* Config.Int(StoreEnv.maxDepth).pipe(Config.withDefault(12))
    if (retentionRuns < 1) return yield* Effect.fail(StoreErrors.invalidInput(StoreEnv.retention, `${StoreEnv.retention} must be at least 1`))
    return { database, encryptionKey: Redacted.make(key), retentionRuns, effectiveAccessMaxDepth }
  })

  static readonly layerFromEnv = Layer.effect(StoreConfig, StoreConfig.fromEnv)
}
