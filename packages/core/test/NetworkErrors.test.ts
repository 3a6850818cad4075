import { assert, describe, it } from "@effect/vitest"
import { isUntrustedCertificateCode } from "../src/NetworkErrors.ts"

// Both the Entra and the SCIM transports read this: a certificate problem must send the user to
// `caFile`, while an outage must stay retryable.
const table: ReadonlyArray<[code: string | undefined, untrusted: boolean]> = [
  ["DEPTH_ZERO_SELF_SIGNED_CERT", true],
  ["SELF_SIGNED_CERT_IN_CHAIN", true],
  ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", true],
  ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", true],
  ["CERT_HAS_EXPIRED", true],
  ["CERT_NOT_YET_VALID", true],
  ["ERR_TLS_CERT_ALTNAME_INVALID", true],
  ["ECONNRESET", false],
  ["ECONNREFUSED", false],
  ["ETIMEDOUT", false],
  ["ENOTFOUND", false],
  ["", false],
  [undefined, false]
]

describe("isUntrustedCertificateCode", () => {
  for (const [code, untrusted] of table) {
    it(`${code ?? "no code"} -> ${untrusted ? "untrusted certificate" : "not a certificate problem"}`, () => {
      assert.strictEqual(isUntrustedCertificateCode(code), untrusted)
    })
  }
})
