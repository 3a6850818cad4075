import { assert, describe, it } from "@effect/vitest"
import { ScimConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { formatAjvIssues, makeAjvValidator } from "../src/AjvValidation.ts"
import { decodeConfig, decodeWithIssues } from "../src/ConfigDecoder.ts"
import { trustCaFile } from "../src/TrustCa.ts"

// Bad input gets an error naming the field at fault, from both validators: the Effect decoder
// (dotted paths, authoritative) and ajv at the edges (JSON pointers).

const bearer = { baseUrl: "https://scim.example.com/v2", auth: { type: "bearer", token: "t0ken" } }

describe("decodeWithIssues / decodeConfig", () => {
  it("reports every problem with its dotted path", () => {
    const result = decodeWithIssues(ScimConfig, { baseUrl: "", auth: { type: "bearer" }, extra: 1 })
    assert.isFalse(result.ok)
    if (!result.ok) {
      assert.deepStrictEqual(result.issues.map((i) => i.path).sort(), ["auth.token", "baseUrl", "extra"])
    }
  })

  it.effect("decodeConfig fails with ConfigInvalid naming the first field, listing all", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeConfig(ScimConfig, { auth: { type: "bearer", token: "x" }, quirks: { pageSize: "ten" } }))
      assert.strictEqual(error.code, "ConfigInvalid")
      assert.strictEqual(error.reason._tag === "ConfigInvalid" ? error.reason.field : "", "baseUrl")
      assert.include(error.message, "quirks.pageSize")
    })
  )

  it.effect("decodes secrets to Redacted", () =>
    Effect.gen(function* () {
      const config = yield* decodeConfig(ScimConfig, bearer)
      assert.isTrue(config.auth.type === "bearer" && Redacted.value(config.auth.token) === "t0ken")
    })
  )
})

describe("makeAjvValidator", () => {
  const validator = makeAjvValidator(ScimConfig)

  it("accepts what the decoder accepts", () => {
    assert.deepStrictEqual(validator.validate(bearer), { ok: true })
  })

  it("points at the missing, excess or mistyped field with a JSON pointer", () => {
    const result = validator.validate({ baseUrl: "https://s", auth: { type: "basic", username: "u" }, quirks: { pageSize: "x" }, extra: true })
    assert.isFalse(result.ok)
    if (!result.ok) {
      const paths = result.issues.map((i) => i.path)
      assert.include(paths, "/extra")
      assert.include(paths, "/quirks/pageSize")
      assert.include(paths, "/auth/password")
      assert.include(formatAjvIssues(result.issues), "/extra: is not an allowed field")
    }
  })

  it("escapes keys in pointers (RFC 6901)", () => {
    const result = makeAjvValidator(Schema.Struct({ a: Schema.String })).validate({ a: "x", "b/c~d": 1 })
    assert.isFalse(result.ok)
    if (!result.ok) assert.strictEqual(result.issues[0]?.path, "/b~1c~0d")
  })

  it("points into arrays by index", () => {
    const result = makeAjvValidator(Schema.Array(Schema.Struct({ name: Schema.String }))).validate([{ name: "a" }, { name: 2 }])
    assert.isFalse(result.ok)
    if (!result.ok) assert.deepStrictEqual(result.issues.map((i) => i.path), ["/1/name"])
  })
})

describe("trustCaFile", () => {
  it.effect("a missing file is a config error naming the field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(trustCaFile("/nonexistent/ca.pem", "caFile"))
      assert.strictEqual(error.code, "ConfigInvalid")
      assert.strictEqual(error.reason._tag === "ConfigInvalid" ? error.reason.field : "", "caFile")
    })
  )

  it.effect("a file without a PEM certificate is a config error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(trustCaFile(new URL(import.meta.url).pathname, "caFile"))
      assert.include(error.message, "contains no PEM certificate")
    })
  )
})
