import { createHash, generateKeyPairSync, type KeyObject, randomUUID, X509Certificate } from "node:crypto"
import { mulberry32 } from "../internal/Random.ts"
import { MICROSOFT_GRAPH_APP_ID } from "../tenant/GraphPermissions.ts"
import type { SimApp, SimTenant } from "../tenant/SimTenant.ts"
import { decodeJwt, signJwt, verifyJwtSignature } from "./Jwt.ts"
import {
  appNotFound,
  assertionExpired,
  assertionSubjectMismatch,
  badAssertionSignature,
  certificateNotRegistered,
  expiredSecret,
  invalidScope,
  invalidSecret,
  malformedAssertion,
  missingCredential,
  missingParameter,
  resourceNotFound,
  StsError,
  tenantNotFound,
  unsupportedGrant
} from "./StsError.ts"

const GRAPH_AUDIENCES = new Set(["https://graph.microsoft.com", "https://graph.microsoft.com/", MICROSOFT_GRAPH_APP_ID])
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** Claims the simulator puts in (and reads back from) a Graph access token. */
export interface AccessTokenClaims {
  readonly aud: string
  readonly iss: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
  readonly appid: string
  readonly azp: string
  readonly oid: string
  readonly sub: string
  readonly tid: string
  readonly roles: ReadonlyArray<string>
  readonly uti: string
  readonly idtyp: "app"
  readonly ver: "1.0"
  readonly app_displayname: string
  readonly appidacr: "1" | "2"
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: AccessTokenClaims; readonly tenant: SimTenant }
  | { readonly ok: false; readonly message: string }

/**
 * The Entra token side: OIDC metadata, JWKS, client-credentials token issuance (secret or certificate
 * assertion) with AADSTS errors, and validation of the tokens it issued for the Graph side.
 */
export class TokenService {
  private readonly privateKey: KeyObject
  private readonly publicKey: KeyObject
  readonly kid: string
  private readonly tenants: () => ReadonlyArray<SimTenant>
  /** Tokens chosen by fault injection to die early: uti -> epoch ms. */
  private readonly earlyDeath = new Map<string, number>()
  private readonly lifetimes = new Map<string, () => number>()
  /** Exact issue time (ms) per token; `iat` has only second precision and revocation needs better. */
  private readonly issuedAt = new Map<string, number>()

  constructor(tenants: () => ReadonlyArray<SimTenant>) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    this.privateKey = privateKey
    this.publicKey = publicKey
    this.kid = createHash("sha1").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url")
    this.tenants = tenants
  }

  /** Tenant by GUID or verified domain name (both work in the authority path, as with Entra). */
  findTenant(idOrDomain: string): SimTenant | undefined {
    const low = idOrDomain.toLowerCase()
    return this.tenants().find((t) => t.tenantId === low || t.domain === low)
  }

  openIdConfiguration(origin: string, tenantSegment: string): { status: number; body: unknown } {
    const generic = tenantSegment === "common" || tenantSegment === "organizations"
    const tenant = generic ? undefined : this.findTenant(tenantSegment)
    if (!generic && tenant === undefined) return { status: 400, body: { error: "invalid_tenant", error_description: tenantNotFound(tenantSegment).message } }
    const base = `${origin}/${tenantSegment}`
    const issuerTenant = tenant?.tenantId ?? "{tenantid}"
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${origin}/${issuerTenant}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: "NA",
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net"
      }
    }
  }

  jwks(): unknown {
    const jwk = this.publicKey.export({ format: "jwk" }) as { n: string; e: string }
    return { keys: [{ kty: "RSA", use: "sig", kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" }] }
  }

  /** Harmless instance-discovery answer, for clients that do not disable it. */
  instanceDiscovery(origin: string): unknown {
    const host = new URL(origin).host
    return {
      tenant_discovery_endpoint: `${origin}/common/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
    }
  }

  /** `POST /{tenant}/oauth2/v2.0/token`. Throws StsError for every Entra failure. */
  issue(origin: string, tenantSegment: string, form: URLSearchParams): { body: Record<string, unknown>; tenant: SimTenant } {
    const tenant = this.findTenant(tenantSegment)
    if (tenant === undefined) throw tenantNotFound(tenantSegment)
    const grant = form.get("grant_type")
    if (grant === null || grant === "") throw missingParameter("grant_type")
    if (grant !== "client_credentials") throw unsupportedGrant(grant)
    const clientId = form.get("client_id")
    if (clientId === null || clientId === "") throw missingParameter("client_id")
    const app = tenant.app(clientId)
    if (app === undefined) throw appNotFound(clientId, tenant.displayName)
    const scope = form.get("scope")
    if (scope === null || scope.trim() === "") throw missingParameter("scope")
    const scopes = scope.trim().split(/\s+/)
    const resource = scopes[0]
    if (scopes.length !== 1 || !resource.endsWith("/.default")) throw invalidScope(scope)
    const audience = resource.slice(0, -"/.default".length)
    if (!GRAPH_AUDIENCES.has(audience)) throw resourceNotFound(audience, tenant.tenantId)
    const secret = form.get("client_secret")
    const assertion = form.get("client_assertion")
    let acr: "1" | "2"
    if (secret !== null && secret !== "") {
      this.checkSecret(app, secret, tenant)
      acr = "1"
    } else if (assertion !== null && assertion !== "") {
      const type = form.get("client_assertion_type")
      if (type !== JWT_BEARER) throw missingParameter("client_assertion_type")
      this.checkAssertion(app, assertion, `${origin}/${tenantSegment}/oauth2/v2.0/token`)
      acr = "2"
    } else {
      throw missingCredential()
    }
    const lifetime = this.lifetime(tenant)
    const now = Math.floor(Date.now() / 1000)
    const servicePrincipal = app.servicePrincipalId
    const claims: AccessTokenClaims = {
      aud: audience === MICROSOFT_GRAPH_APP_ID ? MICROSOFT_GRAPH_APP_ID : "https://graph.microsoft.com",
      iss: `https://sts.windows.net/${tenant.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: app.clientId,
      azp: app.clientId,
      oid: servicePrincipal,
      sub: servicePrincipal,
      tid: tenant.tenantId,
      roles: [...app.permissionsNow],
      uti: randomUUID().replace(/-/g, "").slice(0, 22),
      idtyp: "app",
      ver: "1.0",
      app_displayname: app.displayName,
      appidacr: acr
    }
    this.issuedAt.set(claims.uti, Date.now())
    if (this.issuedAt.size > 50_000) this.sweep()
    const death = tenant.faults.tokenDeathAfterMs(lifetime * 1000)
    if (death !== undefined) {
      this.earlyDeath.set(claims.uti, Date.now() + death)
      if (this.earlyDeath.size > 10_000) this.sweep()
    }
    const accessToken = signJwt({ typ: "JWT", alg: "RS256", x5t: this.kid, kid: this.kid }, { ...claims }, this.privateKey)
    return { body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }, tenant }
  }

  private lifetime(tenant: SimTenant): number {
    let next = this.lifetimes.get(tenant.tenantId)
    if (next === undefined) {
      next = mulberry32(tenant.seed ^ 0x746f6b)
      this.lifetimes.set(tenant.tenantId, next)
    }
    // Entra's default access-token lifetime is a random 60-90 minutes.
    return 3600 + Math.floor(next() * 1801)
  }

  private checkSecret(app: SimApp, secret: string, tenant: SimTenant): void {
    const match = app.secrets.find((s) => s.value === secret)
    if (match === undefined) throw invalidSecret(app.clientId)
    if (match.endDateTime <= tenant.now()) throw expiredSecret(app.clientId)
  }

  private checkAssertion(app: SimApp, assertion: string, tokenEndpoint: string): void {
    const jwt = decodeJwt(assertion)
    if (jwt === undefined) throw malformedAssertion()
    const x5tS256 = typeof jwt.header["x5t#S256"] === "string" ? (jwt.header["x5t#S256"] as string) : undefined
    const x5t = typeof jwt.header.x5t === "string" ? (jwt.header.x5t as string) : undefined
    const cert = app.certificates.find((c) => (x5tS256 !== undefined && c.x5tS256 === x5tS256) || (x5t !== undefined && c.x5t === x5t))
    if (cert === undefined) {
      const shown = x5t !== undefined ? Buffer.from(x5t, "base64url").toString("hex").toUpperCase() : x5tS256 !== undefined ? Buffer.from(x5tS256, "base64url").toString("hex").toUpperCase() : ""
      throw certificateNotRegistered(shown, app.clientId)
    }
    const key = new X509Certificate(cert.certificatePem).publicKey
    if (!verifyJwtSignature(jwt, key)) throw badAssertionSignature()
    const p = jwt.payload
    if (p.iss !== app.clientId || p.sub !== app.clientId) throw assertionSubjectMismatch()
    const now = Date.now() / 1000
    if (typeof p.exp !== "number" || p.exp < now - 300 || (typeof p.nbf === "number" && p.nbf > now + 300)) throw assertionExpired()
    const aud = typeof p.aud === "string" ? p.aud : ""
    if (aud !== tokenEndpoint && !aud.endsWith("/oauth2/v2.0/token") && !aud.endsWith("/oauth2/token")) throw badAssertionSignature()
  }

  private sweep(): void {
    const now = Date.now()
    for (const [k, v] of this.earlyDeath) if (v < now - 3_600_000) this.earlyDeath.delete(k)
    for (const [k, v] of this.issuedAt) if (v < now - 2 * 3_600_000) this.issuedAt.delete(k)
  }

  /** Validates a bearer token presented to Graph. */
  verify(token: string): TokenCheck {
    const jwt = decodeJwt(token)
    if (jwt === undefined) return { ok: false, message: "CompactToken parsing failed with error code: 80049217" }
    if (jwt.header.kid !== this.kid || !verifyJwtSignature(jwt, this.publicKey)) {
      return { ok: false, message: "Access token validation failure. Invalid signature." }
    }
    const claims = jwt.payload as unknown as AccessTokenClaims
    if (!GRAPH_AUDIENCES.has(claims.aud)) return { ok: false, message: "Access token validation failure. Invalid audience." }
    const tenant = this.findTenant(claims.tid)
    if (tenant === undefined) return { ok: false, message: "Access token validation failure. Invalid tenant." }
    const nowMs = Date.now()
    const expired =
      claims.exp * 1000 <= nowMs ||
      claims.nbf * 1000 > nowMs + 300_000 ||
      (this.issuedAt.get(claims.uti) ?? claims.iat * 1000) < tenant.tokensValidFrom ||
      (this.earlyDeath.get(claims.uti) ?? Infinity) <= nowMs
    if (expired) return { ok: false, message: "Access token has expired or is not yet valid." }
    return { ok: true, claims, tenant }
  }
}

export { StsError }
