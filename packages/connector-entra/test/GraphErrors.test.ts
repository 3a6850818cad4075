import { assert, describe, it } from "@effect/vitest"
import { classifyGraphError, classifyTransportError, retryAfterSeconds } from "../src/GraphErrors.ts"

const body = (code: string, message = "") => ({ error: { code, message, innerError: { "request-id": "r" } } })

describe("classifyGraphError", () => {
  const cases: ReadonlyArray<{
    name: string
    method?: string
    path: string
    status: number
    body?: unknown
    headers?: Record<string, string>
    code: string
    failureClass: "config" | "transient" | "system"
    retryAfter?: number
    permission?: string
    feature?: RegExp
  }> = [
    { name: "429 with Retry-After", path: "/users", status: 429, body: body("TooManyRequests"), headers: { "retry-after": "7" }, code: "RateLimited", failureClass: "transient", retryAfter: 7 },
    { name: "429 without Retry-After (identity protection)", path: "/identityProtection/riskyUsers", status: 429, code: "RateLimited", failureClass: "transient" },
    { name: "503 with Retry-After", path: "/groups", status: 503, body: body("serviceNotAvailable"), headers: { "retry-after": "3" }, code: "Unavailable", failureClass: "transient", retryAfter: 3 },
    { name: "504 gateway timeout", path: "/groups", status: 504, code: "Unavailable", failureClass: "transient" },
    { name: "500 internal error", path: "/users", status: 500, body: body("Service_InternalServerError"), code: "Unavailable", failureClass: "transient" },
    { name: "401 invalid token", path: "/users", status: 401, body: body("InvalidAuthenticationToken", "Access token has expired or is not yet valid."), code: "CredentialsRejected", failureClass: "config" },
    { name: "403 insufficient privileges names the endpoint's permission", path: "/groups/g1/members?$select=id", status: 403, body: body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), code: "PermissionMissing", failureClass: "config", permission: "GroupMember.Read.All" },
    { name: "403 names the permission Graph reports", path: "/users?$select=id,signInActivity", status: 403, body: body("Authentication_MSGraphPermissionMissing", "Calling principal does not have required MSGraph permissions AuditLog.Read.All"), code: "PermissionMissing", failureClass: "config", permission: "AuditLog.Read.All" },
    { name: "403 on signInActivity without a premium licence", path: "/users?$select=id,signInActivity", status: 403, body: body("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license"), code: "LicenseMissing", failureClass: "config", feature: /P1/u },
    { name: "403 on risky users without P2", path: "/identityProtection/riskyUsers", status: 403, body: body("Authentication_RequestFromNonPremiumTenantOrB2CTenant"), code: "LicenseMissing", failureClass: "config", feature: /P2/u },
    { name: "403 on a write names the write permission", method: "POST", path: "/groups/g1/members/$ref", status: 403, body: body("Authorization_RequestDenied"), code: "PermissionMissing", failureClass: "config", permission: "GroupMember.ReadWrite.All" },
    { name: "400 AadPremiumLicenseRequired on PIM", path: "/roleManagement/directory/roleEligibilitySchedules", status: 400, body: body("AadPremiumLicenseRequired", "The tenant needs to have Microsoft Entra ID P2"), code: "LicenseMissing", failureClass: "config", feature: /Privileged Identity Management/u },
    { name: "404", path: "/groups/gone/members", status: 404, body: body("Request_ResourceNotFound"), code: "NotFound", failureClass: "config" },
    { name: "410 delta reset", path: "/users/delta?$deltatoken=x", status: 410, code: "CheckpointInvalid", failureClass: "transient" },
    { name: "400 syncStateNotFound", path: "/groups/delta?$deltatoken=x", status: 400, body: body("syncStateNotFound", "The sync state generation is not found."), code: "CheckpointInvalid", failureClass: "transient" },
    { name: "400 on a read is a bug", path: "/users?$top=1000", status: 400, body: body("Request_UnsupportedQuery"), code: "Unexpected", failureClass: "system" },
    { name: "400 on a write is invalid input", method: "POST", path: "/groups/g1/members/$ref", status: 400, body: body("Request_BadRequest", "One or more added object references already exist"), code: "InvalidInput", failureClass: "config" },
    { name: "501 not implemented", path: "/users?$select=aboutMe", status: 501, code: "Unsupported", failureClass: "config" }
  ]
  for (const c of cases) {
    it(c.name, () => {
      const error = classifyGraphError(c.method ?? "GET", c.path, { status: c.status, headers: c.headers ?? {}, body: c.body ?? "" })
      assert.strictEqual(error.code, c.code)
      assert.strictEqual(error.failureClass, c.failureClass)
      if (c.retryAfter !== undefined) assert.strictEqual(error.retryAfterSeconds, c.retryAfter)
      if (c.permission !== undefined) {
        assert.strictEqual(error.reason._tag === "PermissionMissing" ? error.reason.permission : undefined, c.permission)
        assert.include(error.message, c.permission)
      }
      if (c.feature !== undefined) assert.match(error.reason._tag === "LicenseMissing" ? error.reason.feature : "", c.feature)
    })
  }
})

describe("classifyTransportError", () => {
  const err = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) })
  const cases: ReadonlyArray<{ code: string; expected: string; text: RegExp }> = [
    { code: "ECONNRESET", expected: "Unavailable", text: /reset/u },
    { code: "ECONNREFUSED", expected: "Unavailable", text: /refused/u },
    { code: "ENOTFOUND", expected: "Unavailable", text: /resolve/u },
    { code: "ETIMEDOUT", expected: "Unavailable", text: /timed out/u },
    { code: "UND_ERR_SOCKET", expected: "Unavailable", text: /reset/u },
    { code: "DEPTH_ZERO_SELF_SIGNED_CERT", expected: "ConfigInvalid", text: /caFile/u },
    { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", expected: "ConfigInvalid", text: /caFile/u }
  ]
  for (const c of cases) {
    it(c.code, () => {
      const error = classifyTransportError("graph.example", err(c.code))
      assert.strictEqual(error.code, c.expected)
      assert.match(error.message, c.text)
    })
  }
})

describe("retryAfterSeconds", () => {
  it("reads seconds and HTTP dates", () => {
    assert.strictEqual(retryAfterSeconds({ "retry-after": "12" }), 12)
    assert.strictEqual(retryAfterSeconds({ "retry-after": new Date(10_000 + 5_000).toUTCString() }, 10_000), 5)
    assert.isUndefined(retryAfterSeconds({}))
  })
})
