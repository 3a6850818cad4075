import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { decodeScimConfig, makeTestMode } from "./support/Fixtures.ts"
import { seedStandard } from "./support/ScimStore.ts"
import { selfSignedCertificate } from "./support/SelfSignedCert.ts"
import { STATIC_TOKEN, startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
let caFile: string
beforeAll(async () => {
  const tls = await selfSignedCertificate()
  caFile = join(mkdtempSync(join(tmpdir(), "scim-ca-")), "ca.pem")
  writeFileSync(caFile, tls.certPem)
  server = await startScimTestServer({ tls })
  seedStandard()
})
afterAll(() => server.close())

const mode = makeTestMode()
const config = (extra: Record<string, unknown> = {}) => decodeScimConfig({ baseUrl: server.baseUrl, auth: { type: "bearer", token: STATIC_TOKEN }, ...extra })

describe("HTTPS", () => {
  it.live("a server certificate from a private CA is refused unless caFile names that CA", () =>
    Effect.gen(function* () {
      const untrusted = yield* mode.read!.check(yield* config())
      assert.strictEqual(untrusted.status, "Error")
      assert.strictEqual(untrusted.details?.field, "caFile")
      assert.include(untrusted.message, "not trusted")
      const trusted = yield* mode.read!.check(yield* config({ caFile }))
      assert.strictEqual(trusted.status, "Connected")
    }))

  it.live("an unreadable caFile is a config error naming it", () =>
    Effect.gen(function* () {
      const report = yield* mode.read!.check(yield* config({ caFile: "/nonexistent/ca.pem" }))
      assert.strictEqual(report.details?.field, "caFile")
    }))
})
