import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { checkUrl, forbiddenAddressReason, isLoopbackAddress } from "../src/BaseUrlPolicy.ts"
import { decodeScimConfig, makeTestMode } from "./support/Fixtures.ts"

const refused = (url: string, allowInsecureLoopback = false, field = "baseUrl") =>
  Effect.flip(checkUrl(url, field, { allowInsecureLoopback }))

describe("base URL policy", () => {
  it.effect.each([
    ["http://127.0.0.1:8080/scim/v2", "allowInsecureLoopback"],
    ["http://10.0.0.5/scim", "only allowed to a loopback"],
    ["ftp://scim.example.com/", "must use https"],
    ["https://user:pw@scim.example.com/", "must not contain credentials"],
    ["https://169.254.169.254/latest/meta-data", "cloud metadata"],
    ["http://2852039166/", "cloud metadata"],
    ["https://[::ffff:169.254.169.254]/", "cloud metadata"],
    ["https://169.254.10.20/scim", "link-local"],
    ["https://[fe80::1]/scim", "link-local"],
    ["https://100.100.100.200/", "cloud metadata"],
    ["https://[fd00:ec2::254]/", "cloud metadata"],
    ["https://metadata.google.internal/computeMetadata/v1", "metadata service"],
    ["https://0.0.0.0/", "not a routable address"],
    ["scim.example.com/scim/v2", "not an absolute URL"]
  ] as const)("refuses %s", ([url, why]) =>
    Effect.gen(function* () {
      const error = yield* refused(url)
      assert.strictEqual(error.code, "ConfigInvalid")
      assert.strictEqual(error.reason._tag === "ConfigInvalid" ? error.reason.field : "", "baseUrl")
      assert.include(error.message, why)
    }))

  it.effect("allows plain http to loopback only when the config says so, also through DNS (localhost)", () =>
    Effect.gen(function* () {
      const ip = yield* checkUrl("http://127.0.0.1:9/scim/v2", "baseUrl", { allowInsecureLoopback: true })
      assert.strictEqual(ip.host, "127.0.0.1:9")
      const name = yield* checkUrl("http://localhost:9/scim/v2", "baseUrl", { allowInsecureLoopback: true })
      assert.strictEqual(name.hostname, "localhost")
      const v6 = yield* checkUrl("http://[::1]:9/scim", "baseUrl", { allowInsecureLoopback: true })
      assert.strictEqual(v6.hostname, "[::1]")
    }))

  it.effect("allows https to private and public addresses (on-premises SCIM servers live there)", () =>
    Effect.gen(function* () {
      const url = yield* checkUrl("https://10.1.2.3:8443/scim/v2", "baseUrl", {})
      assert.strictEqual(url.protocol, "https:")
    }))

  it.effect("a host that does not resolve is a config error naming the field", () =>
    Effect.gen(function* () {
      const error = yield* refused("https://scim.does-not-exist.invalid/", false, "auth.tokenUrl")
      assert.strictEqual(error.reason._tag === "ConfigInvalid" ? error.reason.field : "", "auth.tokenUrl")
      assert.include(error.message, "does not resolve")
    }))

  it("classifies addresses", () => {
    assert.isTrue(isLoopbackAddress("127.0.0.1"))
    assert.isTrue(isLoopbackAddress("127.8.9.10"))
    assert.isTrue(isLoopbackAddress("::1"))
    assert.isTrue(isLoopbackAddress("::ffff:127.0.0.1"))
    assert.isFalse(isLoopbackAddress("10.0.0.1"))
    assert.isDefined(forbiddenAddressReason("169.254.169.254"))
    assert.isDefined(forbiddenAddressReason("::ffff:a9fe:a9fe"))
    assert.isDefined(forbiddenAddressReason("FE80::abcd"))
    assert.isUndefined(forbiddenAddressReason("192.168.1.10"))
    assert.isUndefined(forbiddenAddressReason("2001:db8::1"))
  })

  it.live("check reports the refused URL with the field, and sends nothing", () =>
    Effect.gen(function* () {
      const config = yield* decodeScimConfig({ baseUrl: "https://169.254.169.254/scim", auth: { type: "bearer", token: "t0ken" } })
      const report = yield* makeTestMode().read!.check(config)
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.details?.field, "baseUrl")
      assert.strictEqual(report.findings[0]?.code, "ConfigInvalid")
    }))
})
