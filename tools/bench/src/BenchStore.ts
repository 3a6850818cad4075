import * as Redacted from "effect/Redacted"
import type { StoreSettings } from "@idconnect/store/StoreConfig"

/**
 * Store settings for a bench process: the PostgreSQL database of this run and the bench run's
 * encryption key (random per `npm run bench`, handed to children on stdin, never printed).
 */
export const benchStoreSettings = (databaseUrl: string, encryptionKeyBase64: string): StoreSettings => ({
  database: { _tag: "postgres", url: Redacted.make(databaseUrl), poolSize: 4 },
  encryptionKey: Redacted.make(new Uint8Array(Buffer.from(encryptionKeyBase64, "base64"))),
  retentionRuns: 3,
  effectiveAccessMaxDepth: 12
})

/** Where a bench child finds its database and key. */
export interface StoreTarget {
  readonly databaseUrl: string
  readonly encryptionKey: string
}
