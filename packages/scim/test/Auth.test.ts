import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { EntraScimConfig, makeEntraScimMode } from "../src/EntraScim.ts"
import { collect, configFor, configJson, decodeScimConfig, makeTestMode, summarize } from "./support/Fixtures.ts"
import { seedStandard } from "./support/ScimStore.ts"
import { OAUTH_CLIENT, startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  seedStandard()
})

const scimCalls = () => server.requests.length

describe("authentication", () => {
  it.live("static bearer token", () =>
    Effect.gen(function* () {
      const mode = makeTestMode()
      const report = yield* mode.read!.check(yield* configFor(server, "bearer"))
      assert.strictEqual(report.status, "Connected")
      assert.isTrue(server.requests.every((r) => r.headers.authorization === "Bearer test-static-token"))
      assert.isTrue(server.requests.every((r) => r.headers.accept === "application/scim+json, application/json"))
    }))

  it.live("HTTP Basic", () =>
    Effect.gen(function* () {
      const mode = makeTestMode()
      const records = yield* collect(mode, yield* configFor(server, "basic"))
      assert.strictEqual(summarize(records).entities.size, 8)
      assert.isTrue(server.requests.every((r) => r.headers.authorization?.startsWith("Basic ")))
    }))

  it.live("a wrong bearer token is a CredentialsRejected config error, in check and in extract", () =>
    Effect.gen(function* () {
      const mode = makeTestMode()
      const config = yield* decodeScimConfig({ ...configJson(server), auth: { type: "bearer", token: "not-the-token" } })
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.findings[0]?.code, "CredentialsRejected")
      assert.isDefined(report.findings[0]?.fix)
      const error = yield* Effect.flip(collect(mode, config))
      assert.strictEqual(error.code, "CredentialsRejected")
      assert.strictEqual(error.failureClass, "config")
      assert.notInclude(JSON.stringify(report), "not-the-token")
      assert.notInclude(error.message, "not-the-token")
    }))

  it.live("a wrong Basic password is refused without echoing it", () =>
    Effect.gen(function* () {
      const config = yield* decodeScimConfig({ ...configJson(server), auth: { type: "basic", username: "scim-admin", password: "wrong-pass" } })
      const error = yield* Effect.flip(collect(makeTestMode(), config))
      assert.strictEqual(error.code, "CredentialsRejected")
      assert.notInclude(JSON.stringify(error), "wrong-pass")
    }))

  it.live("OAuth client credentials: one token serves check, extract, plan and apply", () =>
    Effect.gen(function* () {
      const mode = makeTestMode()
      const config = yield* configFor(server, "oauth")
      assert.strictEqual((yield* mode.read!.check(config)).status, "Connected")
      yield* collect(mode, config)
      yield* mode.lifecycle!.plan(config, [{ operation: "deactivateUser", params: { userName: "alice" } }])
      yield* mode.lifecycle!.apply(config, [{ operation: "deactivateUser", params: { userName: "alice" } }])
      assert.strictEqual(server.oauth.tokenRequests, 1)
      assert.deepStrictEqual(server.oauth.scopes, ["scim"])
      assert.isTrue(server.requests.every((r) => r.headers.authorization?.startsWith("Bearer ") && r.headers.authorization !== "Bearer test-static-token"))
    }))

  it.live("OAuth: a 401 makes the client fetch a new token and retry once", () =>
    Effect.gen(function* () {
      const mode = makeTestMode()
      const config = yield* configFor(server, "oauth")
      assert.strictEqual((yield* mode.read!.check(config)).status, "Connected")
      assert.strictEqual(server.oauth.tokenRequests, 1)
      server.oauth.revokeAll()
      const records = yield* collect(mode, config)
      assert.strictEqual(summarize(records).entities.size, 8)
      assert.strictEqual(server.oauth.tokenRequests, 2)
    }))

  it.live("OAuth: a token about to expire is replaced before use", () =>
    Effect.gen(function* () {
      server.oauth.expiresIn = 0
      const mode = makeTestMode()
      const config = yield* configFor(server, "oauth")
      yield* mode.read!.discover(config)
      // Every SCIM call needed a fresh token: the cached one was already past its refresh time.
      assert.strictEqual(server.oauth.tokenRequests, scimCalls())
    }))

  it.live("OAuth: a wrong client secret is CredentialsRejected with the authority's code, never the secret", () =>
    Effect.gen(function* () {
      const json = configJson(server, "oauth")
      const config = yield* decodeScimConfig({ ...json, auth: { ...json.auth, clientSecret: "definitely-wrong" } })
      const mode = makeTestMode()
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Error")
      const error = yield* Effect.flip(mode.read!.discover(config))
      assert.strictEqual(error.code, "CredentialsRejected")
      assert.strictEqual(error.reason._tag === "CredentialsRejected" ? error.reason.code : "", "AADSTS7000215")
      assert.notInclude(JSON.stringify(report) + error.message, "definitely-wrong")
      assert.strictEqual(server.requests.length, 0)
    }))

  it.live("secrets are Redacted in the decoded config", () =>
    Effect.gen(function* () {
      const config = yield* configFor(server, "oauth")
      assert.notInclude(JSON.stringify(config), OAUTH_CLIENT.clientSecret)
      assert.notInclude(String(config.auth.type === "oauth-client-credentials" ? config.auth.clientSecret : ""), OAUTH_CLIENT.clientSecret)
    }))

  it.live("Entra flavour: tenant, client and secret become client credentials against {authority}/{tenant}/oauth2/v2.0/token", () =>
    Effect.gen(function* () {
      const mode = makeEntraScimMode({ sourceSystem: "azure", http: { retryBaseDelayMs: 10 } })
      const config = yield* decodeConfig(EntraScimConfig, {
        tenantId: "contoso",
        clientId: OAUTH_CLIENT.clientId,
        clientSecret: OAUTH_CLIENT.clientSecret,
        authorityHost: server.origin,
        baseUrl: server.baseUrl,
        allowInsecureLoopback: true
      })
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Connected")
      const records = yield* collect(mode, config)
      const user = [...summarize(records).entities.values()].find((e) => e.sourceType === "user")
      assert.strictEqual(user?.sourceSystem, "azure")
      assert.strictEqual(server.oauth.tokenRequests, 1)
      assert.deepStrictEqual(server.oauth.scopes, ["https://graph.microsoft.com/.default"])
      assert.deepStrictEqual(mode.secretFields, ["clientSecret"])
    }))

  it.live("Entra flavour: the token URL obeys the same policy (no plain http off loopback)", () =>
    Effect.gen(function* () {
      const mode = makeEntraScimMode()
      const config = yield* decodeConfig(EntraScimConfig, {
        tenantId: "contoso",
        clientId: OAUTH_CLIENT.clientId,
        clientSecret: OAUTH_CLIENT.clientSecret,
        baseUrl: server.baseUrl,
        allowInsecureLoopback: true,
        authorityHost: "http://10.20.30.40"
      })
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.details?.field, "auth.tokenUrl")
    }))
})
