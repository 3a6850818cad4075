import { assert, describe, it } from "@effect/vitest"
import { classifyResponse, retryAfterSeconds } from "../src/ClassifyResponse.ts"
import { asBoolean, getCi, readErrorBody, readListPage } from "../src/Envelope.ts"

const scimError = (status: string, scimType?: string, detail = "boom") =>
  JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status, ...(scimType ? { scimType } : {}), detail })

describe("classifyResponse", () => {
  const cases: ReadonlyArray<[string, number, Record<string, string>, string, string | undefined, string | undefined]> = [
    // name, status, headers, body, expected code, expected failure class
    ["200 is success", 200, {}, "{}", undefined, undefined],
    ["204 is success", 204, {}, "", undefined, undefined],
    ["429 with Retry-After", 429, { "retry-after": "7" }, scimError("429"), "RateLimited", "transient"],
    ["503 with Retry-After", 503, { "retry-after": "3" }, "", "Unavailable", "transient"],
    ["HTML 502 from a gateway", 502, { "content-type": "text/html" }, "<html><body>Bad Gateway</body></html>", "Unavailable", "transient"],
    ["500 with a SCIM body", 500, {}, scimError("500"), "Unavailable", "transient"],
    ["401", 401, {}, scimError("401"), "CredentialsRejected", "config"],
    ["403", 403, {}, scimError("403"), "PermissionMissing", "config"],
    ["404 with an empty body", 404, {}, "", "NotFound", "config"],
    ["400 invalidFilter", 400, {}, scimError("400", "invalidFilter"), "Unsupported", "config"],
    ["400 expiredCursor", 400, {}, scimError("400", "expiredCursor"), "CheckpointInvalid", "transient"],
    ["400 invalidCursor", 400, {}, scimError("400", "invalidCursor"), "CheckpointInvalid", "transient"],
    ["400 invalidValue", 400, {}, scimError("400", "invalidValue"), "InvalidInput", "config"],
    ["409 uniqueness", 409, {}, scimError("409", "uniqueness"), "InvalidInput", "config"]
  ]
  for (const [name, status, headers, text, code, failureClass] of cases) {
    it(name, () => {
      const error = classifyResponse({ status, headers, text }, "GET /Users")
      assert.strictEqual(error?.code, code)
      assert.strictEqual(error?.failureClass, failureClass)
    })
  }

  it("keeps Retry-After seconds and the SCIM detail", () => {
    const error = classifyResponse({ status: 429, headers: { "retry-after": "7" }, text: scimError("429", undefined, "slow down") }, "GET /Users")
    assert.strictEqual(error?.retryAfterSeconds, 7)
    assert.include(error?.message, "slow down")
    assert.include(error?.message, "GET /Users")
  })

  it("says when a proxy answered with HTML", () => {
    const error = classifyResponse({ status: 502, headers: {}, text: "<!DOCTYPE html><title>502</title>" }, "GET /Groups")
    assert.include(error?.message, "HTML page")
  })

  it("reads Retry-After as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.strictEqual(retryAfterSeconds({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, now), 5)
    assert.isUndefined(retryAfterSeconds({ "retry-after": "soon" }, now))
  })
})

describe("envelope", () => {
  it("reads list keys case-insensitively, numbers from strings", () => {
    const page = readListPage({ resources: [{ id: "1" }], TOTALRESULTS: "3", itemsperpage: 1, nextcursor: "abc" })
    assert.deepStrictEqual([page.resources.length, page.totalResults, page.itemsPerPage, page.nextCursor], [1, 3, 1, "abc"])
  })

  it("reads a bare array and a single resource as lists", () => {
    assert.strictEqual(readListPage([{ id: "a" }, { id: "b" }]).resources.length, 2)
    assert.strictEqual(readListPage({ id: "a", userName: "x" }).resources.length, 1)
  })

  it("normalises string booleans", () => {
    assert.deepStrictEqual(["True", "false", " TRUE ", true, "yes", 1].map(asBoolean), [true, false, true, true, undefined, undefined])
  })

  it("prefers an exact key, then any case", () => {
    const user = { Meta: { Created: "x" } }
    assert.strictEqual(getCi(getCi(user, "meta"), "created"), "x")
    assert.strictEqual(getCi({ a: 1, A: 2 }, "A"), 2)
  })

  it("reads SCIM error bodies with a string or numeric status", () => {
    assert.deepStrictEqual(readErrorBody({ status: "400", scimType: "invalidFilter", detail: "d" }), { status: 400, scimType: "invalidFilter", detail: "d" })
    assert.strictEqual(readErrorBody({ status: 404 })?.status, 404)
    assert.isUndefined(readErrorBody({ hello: "world" }))
  })
})
