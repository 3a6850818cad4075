import { AuthenticationRequiredError } from "@azure/identity"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { generateAppCertificate } from "../src/Ca.ts"
import type { GraphSimHandle } from "../src/GraphSim.ts"
import { appOf, certificateCredential, clientFor, decodeJwtPayload, GRAPH_SCOPE, graphClient, raw, secretCredential, startSim, tokenRequest } from "./support.ts"

let sim: GraphSimHandle

beforeAll(async () => {
  sim = await startSim({ tenants: [{ preset: "demo" }, { preset: "demo", seed: 2 }] })
})
afterAll(async () => {
  await sim?.stop()
})

/**
 * @azure/identity 4.14 wraps STS errors from MSAL (ServerError) in AuthenticationRequiredError whose
 * message carries the AADSTS code, so that is what a connector sees for real Entra errors too.
 */
const stsError = async (p: Promise<unknown>): Promise<AuthenticationRequiredError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err
  )
  expect(e).toBeInstanceOf(AuthenticationRequiredError)
  return e as AuthenticationRequiredError
}

describe("token endpoint", () => {
  it("serves OIDC metadata on the caller's host:port, JWKS and instance discovery", async () => {
    const t = sim.tenants[0]
    const meta = await raw(sim, `/${t.tenantId}/v2.0/.well-known/openid-configuration`)
    expect(meta.status).toBe(200)
    expect(meta.body.issuer).toBe(`${sim.authorityHost}/${t.tenantId}/v2.0`)
    expect(meta.body.token_endpoint).toBe(`${sim.authorityHost}/${t.tenantId}/oauth2/v2.0/token`)
    expect(meta.body.authorization_endpoint).toBe(`${sim.authorityHost}/${t.tenantId}/oauth2/v2.0/authorize`)
    expect(meta.body.jwks_uri).toBe(`${sim.authorityHost}/${t.tenantId}/discovery/v2.0/keys`)
    const viaLocalhost = await fetch(`https://localhost:${sim.port}/${t.tenantId}/v2.0/.well-known/openid-configuration`).then((r) => r.json())
    expect(viaLocalhost.issuer).toBe(`https://localhost:${sim.port}/${t.tenantId}/v2.0`)
    const jwks = await raw(sim, `/${t.tenantId}/discovery/v2.0/keys`)
    expect(jwks.body.keys[0].kty).toBe("RSA")
    const discovery = await raw(sim, "/common/discovery/instance?api-version=1.1")
    expect(discovery.status).toBe(200)
    const unknown = await raw(sim, "/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration")
    expect(unknown.status).toBe(400)
  })

  it("issues app tokens with roles, tid, oid, appid, aud and a 60-90 minute lifetime", async () => {
    const t = sim.tenants[0]
    const app = appOf(t)
    const tok = await secretCredential(sim, t).getToken(GRAPH_SCOPE)
    const claims = decodeJwtPayload(tok!.token)
    expect(claims.roles).toEqual(app.permissions)
    expect(claims.tid).toBe(t.tenantId)
    expect(claims.oid).toBe(app.servicePrincipalId)
    expect(claims.appid).toBe(app.clientId)
    expect(claims.aud).toBe("https://graph.microsoft.com")
    expect(claims.scp).toBeUndefined()
    for (let i = 0; i < 5; i++) {
      const r = await tokenRequest(sim, t.tenantId, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.clientSecret, scope: GRAPH_SCOPE })
      expect(r.status).toBe(200)
      expect(r.body.token_type).toBe("Bearer")
      expect(r.body.expires_in).toBeGreaterThanOrEqual(3600)
      expect(r.body.expires_in).toBeLessThanOrEqual(5400)
    }
  })

  it("accepts the tenant's domain name in the authority path", async () => {
    const t = sim.tenants[0]
    const app = appOf(t)
    const r = await tokenRequest(sim, t.domain, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.clientSecret, scope: GRAPH_SCOPE })
    expect(r.status).toBe(200)
  })

  it("AADSTS7000215 for a wrong secret and for the secret ID sent instead of its value", async () => {
    const t = sim.tenants[0]
    const app = appOf(t)
    const e = await stsError(secretCredential(sim, t, "main", "not-the-secret").getToken(GRAPH_SCOPE))
    expect(e.message).toContain("AADSTS7000215")
    const r = await tokenRequest(sim, t.tenantId, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.secretId, scope: GRAPH_SCOPE })
    expect(r.status).toBe(401)
    expect(r.body.error).toBe("invalid_client")
    expect(r.body.error_codes).toEqual([7000215])
    expect(r.body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\. Ensure the secret being sent in the request is the client secret value, not the client secret ID/)
    expect(r.body.error_description).toMatch(/Trace ID: .*\r\nCorrelation ID: .*\r\nTimestamp: /)
    expect(typeof r.body.trace_id).toBe("string")
    expect(typeof r.body.correlation_id).toBe("string")
    expect(typeof r.body.timestamp).toBe("string")
  })

  it("AADSTS7000222 for an expired secret", async () => {
    const t = sim.tenants[0]
    const e = await stsError(secretCredential(sim, t, "expired").getToken(GRAPH_SCOPE))
    expect(e.message).toContain("AADSTS7000222")
    const app = appOf(t, "expired")
    const r = await tokenRequest(sim, t.tenantId, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.clientSecret, scope: GRAPH_SCOPE })
    expect(r.status).toBe(401)
    expect(r.body.error).toBe("invalid_client")
    expect(r.body.error_codes).toEqual([7000222])
  })

  it("AADSTS90002 for an unknown tenant and AADSTS700016 for an app of another tenant", async () => {
    const [a, b] = sim.tenants
    const unknown = await tokenRequest(sim, "11111111-2222-4333-8444-555555555555", { grant_type: "client_credentials", client_id: appOf(a).clientId, client_secret: appOf(a).clientSecret, scope: GRAPH_SCOPE })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toBe("invalid_request")
    expect(unknown.body.error_codes).toEqual([90002])
    expect(unknown.body.error_description).toMatch(/^AADSTS90002: Tenant '11111111-2222-4333-8444-555555555555' not found\./)
    const wrong = await tokenRequest(sim, a.tenantId, { grant_type: "client_credentials", client_id: appOf(b).clientId, client_secret: appOf(b).clientSecret, scope: GRAPH_SCOPE })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toBe("unauthorized_client")
    expect(wrong.body.error_codes).toEqual([700016])
    expect(wrong.body.error_description).toContain(`Application with identifier '${appOf(b).clientId}' was not found in the directory '${a.displayName}'`)
    const e = await stsError(new (await import("@azure/identity")).ClientSecretCredential(a.tenantId, appOf(b).clientId, appOf(b).clientSecret, { authorityHost: sim.authorityHost, disableInstanceDiscovery: true }).getToken(GRAPH_SCOPE))
    expect(e.message).toContain("AADSTS700016")
  })

  it("rejects non-.default scopes and requests without a credential", async () => {
    const t = sim.tenants[0]
    const app = appOf(t)
    const scope = await tokenRequest(sim, t.tenantId, { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.clientSecret, scope: "https://graph.microsoft.com/User.Read.All" })
    expect(scope.status).toBe(400)
    expect(scope.body.error).toBe("invalid_scope")
    const none = await tokenRequest(sim, t.tenantId, { grant_type: "client_credentials", client_id: app.clientId, scope: GRAPH_SCOPE })
    expect(none.status).toBe(401)
    expect(none.body.error_codes).toEqual([7000218])
  })

  it("certificate credential: MSAL's signed client assertion is verified with the registered certificate", async () => {
    const t = sim.tenants[0]
    const app = appOf(t)
    const cred = certificateCredential(sim, t, app.certificate!.pem)
    const tok = await cred.getToken(GRAPH_SCOPE)
    expect(decodeJwtPayload(tok!.token).appid).toBe(app.clientId)
    const me = await graphClient(sim, cred).api("/organization").get()
    expect(me.value[0].id).toBe(t.tenantId)
    const stranger = await generateAppCertificate("not-registered")
    const e = await stsError(certificateCredential(sim, t, stranger.pem).getToken(GRAPH_SCOPE))
    expect(e.message).toContain("AADSTS700027")
  })

  it("revoked tokens get 401 InvalidAuthenticationToken from Graph; a new credential works again", async () => {
    const t = sim.tenants[1]
    const cred = secretCredential(sim, t)
    const client = graphClient(sim, cred)
    await client.api("/users").select("id").top(1).get()
    sim.tenant(t.tenantId).revokeTokens()
    const err = await client.api("/users").select("id").top(1).get().then(() => undefined, (x: any) => x)
    expect(err.statusCode).toBe(401)
    expect(err.code).toBe("InvalidAuthenticationToken")
    expect(err.message).toBe("Access token has expired or is not yet valid.")
    const fresh = clientFor(sim, t)
    expect((await fresh.api("/users").select("id").top(1).get()).value).toHaveLength(1)
  })

  it("401 for missing and malformed tokens", async () => {
    const none = await raw(sim, "/v1.0/users")
    expect(none.status).toBe(401)
    expect(none.body.error.code).toBe("InvalidAuthenticationToken")
    expect(none.body.error.message).toBe("Access token is empty.")
    const bad = await raw(sim, "/v1.0/users", { token: "garbage" })
    expect(bad.body.error.message).toBe("CompactToken parsing failed with error code: 80049217")
  })
})
