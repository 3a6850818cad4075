import { assert, describe, it } from "@effect/vitest"
import { classifyTokenError, looksLikeGuid, type TokenContext } from "../src/TokenErrors.ts"

const context = (over: Partial<TokenContext> = {}): TokenContext => ({
  tenantId: "11111111-2222-3333-4444-555555555555",
  clientId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  authorityHost: "https://login.microsoftonline.com",
  auth: "secret",
  secretLooksLikeGuid: false,
  ...over
})

/** What @azure/identity throws: the STS description (with its AADSTS code) inside the message. */
const sts = (code: number, description: string) =>
  Object.assign(new Error(`ClientSecretCredential authentication failed: AADSTS${code}: ${description} Trace ID: x`), { name: "AuthenticationError" })

describe("classifyTokenError", () => {
  const cases: ReadonlyArray<{ name: string; error: unknown; ctx?: Partial<TokenContext>; code: string; fix: RegExp }> = [
    { name: "secret ID pasted instead of the value", error: sts(7000215, "Invalid client secret provided."), ctx: { secretLooksLikeGuid: true }, code: "secret-id-instead-of-value", fix: /Value column/u },
    { name: "wrong secret value", error: sts(7000215, "Invalid client secret provided."), code: "invalid-client-secret", fix: /create a new secret/u },
    { name: "expired secret", error: sts(7000222, "The provided client secret keys are expired."), code: "client-secret-expired", fix: /new client secret/u },
    { name: "wrong tenant ID", error: sts(90002, "Tenant 'x' not found."), code: "tenant-not-found", fix: /Directory \(tenant\) ID/u },
    { name: "app not registered or consented in the tenant", error: sts(700016, "Application with identifier 'a' was not found in the directory 't'."), code: "app-not-in-tenant", fix: /adminconsent\?client_id=/u },
    { name: "wrong cloud", error: sts(500011, "The resource principal named https://graph.microsoft.us was not found."), code: "wrong-cloud", fix: /cloud/u },
    { name: "certificate not registered", error: sts(700027, "Client assertion contains an invalid signature."), ctx: { auth: "certificate" }, code: "certificate-not-registered", fix: /upload/u },
    { name: "unknown AADSTS code", error: sts(12345, "Something else."), code: "token-request-failed", fix: /AADSTS12345/u },
    {
      name: "sign-in endpoint unreachable",
      error: Object.assign(new Error("endpoints_resolution_error: Could not resolve endpoints."), { cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }) }),
      code: "authority-unreachable",
      fix: /network path/u
    },
    {
      name: "sign-in endpoint certificate not trusted",
      error: Object.assign(new Error("endpoints_resolution_error"), { cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }) }),
      code: "authority-certificate-untrusted",
      fix: /caFile/u
    }
  ]
  for (const c of cases) {
    it(c.name, () => {
      const problem = classifyTokenError(context(c.ctx), c.error)
      assert.strictEqual(problem.code, c.code)
      assert.match(problem.fix, c.fix)
      assert.strictEqual(problem.error.failureClass === "config" || problem.error.code === "Unavailable", true)
    })
  }

  it("a secret ID is GUID-shaped, a secret value is not", () => {
    assert.strictEqual(looksLikeGuid("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), true)
    assert.strictEqual(looksLikeGuid("Qx8Q~abcdefghijklmnopqrstuvwxyz0123456789"), false)
  })
})
