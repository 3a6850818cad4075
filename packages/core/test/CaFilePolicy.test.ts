import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { restrictCaFilesFromEnv, trustCaFile } from "../src/TrustCa.ts"

// Server processes serve many tenants, and trusting a CA is process-wide: an integration may only
// name a CA file the operator listed. (This file's module state is isolated from other test files.)
describe("CA file policy of server processes", () => {
  it.effect("refuses an unlisted caFile without reading it, naming the field and the setting", () =>
    Effect.gen(function* () {
      restrictCaFilesFromEnv({ IDCONNECT_ALLOWED_CA_FILES: "/etc/idconnect/sim-ca.pem" })
      const error = yield* Effect.flip(trustCaFile("/etc/passwd"))
      assert.strictEqual(error.code, "ConfigInvalid")
      assert.strictEqual(error.failureClass, "config")
      assert.match(error.message, /does not allow the CA file '\/etc\/passwd'/)
      assert.match(error.message, /IDCONNECT_ALLOWED_CA_FILES/)
      assert.notMatch(error.message, /root:/)
    }))

  it.effect("still reads a listed file (and reports what is wrong with it)", () =>
    Effect.gen(function* () {
      const self = new URL(import.meta.url).pathname
      restrictCaFilesFromEnv({ IDCONNECT_ALLOWED_CA_FILES: `/x.pem,${self}` })
      const error = yield* Effect.flip(trustCaFile(self))
      assert.match(error.message, /contains no PEM certificate/)
    }))
})
