import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { ConnectorError, ConnectorErrors, failureClassOf } from "../src/ConnectorError.ts"

// The runner's retry policy, the CLI's exit codes and the API's error codes all read these: each
// reason has one stable code and one failure class.
const table: ReadonlyArray<[error: ConnectorError, code: string, failureClass: string, retryable: boolean]> = [
  [ConnectorErrors.configInvalid({ field: "tenantId", message: "m" }), "ConfigInvalid", "config", false],
  [ConnectorErrors.credentialsRejected({ code: "AADSTS7000215", message: "m" }), "CredentialsRejected", "config", false],
  [ConnectorErrors.permissionMissing({ permission: "User.Read.All", message: "m" }), "PermissionMissing", "config", false],
  [ConnectorErrors.licenseMissing({ feature: "signInActivity", message: "m" }), "LicenseMissing", "config", false],
  [ConnectorErrors.notFound({ target: "/users/x", message: "m" }), "NotFound", "config", false],
  [ConnectorErrors.rateLimited({ retryAfterSeconds: 5, message: "m" }), "RateLimited", "transient", true],
  [ConnectorErrors.unavailable({ status: 503, message: "m" }), "Unavailable", "transient", true],
  [ConnectorErrors.checkpointInvalid({ message: "m" }), "CheckpointInvalid", "transient", true],
  [ConnectorErrors.unsupported({ feature: "delta", message: "m" }), "Unsupported", "config", false],
  [ConnectorErrors.invalidInput({ field: "params.groupId", message: "m" }), "InvalidInput", "config", false],
  [ConnectorErrors.unexpected({ detail: "HTTP 418", message: "m" }), "Unexpected", "system", false]
]

describe("ConnectorError", () => {
  for (const [error, code, failureClass, retryable] of table) {
    it(`${code} is ${failureClass}${retryable ? " and retryable" : ""}`, () => {
      assert.strictEqual(error.code, code)
      assert.strictEqual(error.failureClass, failureClass)
      assert.strictEqual(error.isRetryable, retryable)
      assert.strictEqual(failureClassOf(error), failureClass)
    })
  }

  it("covers every reason of the vocabulary", () => {
    const reasons = ConnectorError.fields.reason.members.map((m) => String(m.fields._tag.ast.literal))
    assert.deepStrictEqual([...reasons].sort(), table.map(([, code]) => code).sort())
  })

  it("carries the source's Retry-After for throttling and outages only", () => {
    assert.strictEqual(ConnectorErrors.rateLimited({ retryAfterSeconds: 7, message: "m" }).retryAfterSeconds, 7)
    assert.strictEqual(ConnectorErrors.unavailable({ retryAfterSeconds: 3, message: "m" }).retryAfterSeconds, 3)
    assert.strictEqual(ConnectorErrors.rateLimited({ message: "m" }).retryAfterSeconds, undefined)
    assert.strictEqual(ConnectorErrors.notFound({ target: "x", message: "m" }).retryAfterSeconds, undefined)
  })

  it("anything that is not a ConnectorError is a system failure (a bug)", () => {
    assert.strictEqual(failureClassOf(new Error("boom")), "system")
    assert.strictEqual(failureClassOf("string"), "system")
  })

  it("crosses process boundaries (job results, API bodies) as JSON and comes back whole", () => {
    const error = ConnectorErrors.permissionMissing({ permission: "Group.Read.All", message: "Needs Group.Read.All", fix: "Grant it" }, "GET /groups")
    const json = JSON.parse(JSON.stringify(Schema.encodeSync(ConnectorError)(error)))
    const back = Schema.decodeUnknownSync(ConnectorError)(json)
    assert.instanceOf(back, ConnectorError)
    assert.strictEqual(back.message, "Needs Group.Read.All")
    assert.strictEqual(back.failureClass, "config")
    assert.deepStrictEqual(back.reason, error.reason)
    assert.strictEqual(back.context, "GET /groups")
  })
})
