import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import { classifyTransportError, errorCodeOf } from "./GraphErrors.ts"

/** What went wrong getting a token, in words an admin can act on. */
export interface TokenProblem {
  /** Stable finding code, e.g. `secret-id-instead-of-value`. */
  readonly code: string
  /** The STS error code when there is one, e.g. `AADSTS7000215`. */
  readonly stsCode?: string
  readonly message: string
  readonly fix: string
  readonly error: ConnectorError
}

export interface TokenContext {
  readonly tenantId: string
  readonly clientId: string
  readonly authorityHost: string
  /** Which credential was used, and for the "secret ID pasted" heuristic, whether the secret is GUID-shaped. */
  readonly auth: "secret" | "certificate"
  readonly secretLooksLikeGuid: boolean
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu

/** A secret *ID* is a GUID; a secret *value* is a 40-character random string. */
export const looksLikeGuid = (value: string): boolean => GUID.test(value.trim())

/** Everything an @azure/identity / MSAL error says, flattened (messages of the cause chain and the STS body). */
const errorText = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const e = current as { message?: unknown; errorResponse?: { errorDescription?: unknown; error?: unknown }; errorMessage?: unknown }
      if (typeof e.message === "string") parts.push(e.message)
      if (typeof e.errorMessage === "string") parts.push(e.errorMessage)
      if (e.errorResponse !== undefined) parts.push(String(e.errorResponse.error ?? ""), String(e.errorResponse.errorDescription ?? ""))
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(" | ")
}

interface Rule {
  readonly code: string
  readonly message: (c: TokenContext) => string
  readonly fix: (c: TokenContext) => string
}

const secretsPage = "In the Entra admin center open App registrations > your app > Certificates & secrets"

/** AADSTS codes seen when an app-only token is refused, with what the admin should do. */
const STS_RULES: Readonly<Record<string, Rule>> = {
  "7000215": {
    code: "invalid-client-secret",
    message: () => "Entra rejected the client secret.",
    fix: () => `${secretsPage}: copy the secret's Value (shown only right after it is created), or create a new secret and paste its value.`
  },
  "7000222": {
    code: "client-secret-expired",
    message: () => "The client secret has expired.",
    fix: () => `${secretsPage}: create a new client secret and update the integration with its value.`
  },
  "90002": {
    code: "tenant-not-found",
    message: (c) => `Tenant '${c.tenantId}' was not found at ${c.authorityHost}.`,
    fix: () =>
      "Copy the Directory (tenant) ID from the app registration's Overview page. If the tenant is in a national cloud (US Government or China), set cloud to usgov or china."
  },
  "900023": {
    code: "tenant-not-found",
    message: (c) => `'${c.tenantId}' is not a valid tenant ID or domain.`,
    fix: () => "Copy the Directory (tenant) ID (a GUID) from the app registration's Overview page."
  },
  "700016": {
    code: "app-not-in-tenant",
    message: (c) => `Application '${c.clientId}' is not registered or consented in tenant '${c.tenantId}'.`,
    fix: (c) =>
      `Check the Application (client) ID on the app's Overview page and that it belongs to this tenant. For an app registered in another tenant, an administrator of this tenant must consent to it first: ${c.authorityHost}/${c.tenantId}/adminconsent?client_id=${c.clientId}`
  },
  "7000112": {
    code: "app-disabled",
    message: (c) => `Application '${c.clientId}' is disabled in tenant '${c.tenantId}'.`,
    fix: () => "In Enterprise applications > your app > Properties, set 'Enabled for users to sign in' to Yes."
  },
  "500011": {
    code: "wrong-cloud",
    message: () => "The tenant does not know the Microsoft Graph resource of the selected cloud.",
    fix: () => "Set cloud to the national cloud the tenant lives in (global, usgov or china)."
  },
  "7000218": {
    code: "credential-missing",
    message: () => "The token request carried no client secret or certificate.",
    fix: () => "Provide clientSecret (the secret's value) or certificate (PEM with private key)."
  },
  "700027": {
    code: "certificate-not-registered",
    message: () => "Entra did not accept the certificate: it is not registered on the app, or it expired.",
    fix: () => `${secretsPage} > Certificates: upload the certificate's public part (.cer/.pem) and use the same certificate with its private key here.`
  },
  "700024": {
    code: "certificate-not-valid-now",
    message: () => "Entra refused the certificate assertion: outside its valid time range (expired certificate or a wrong clock).",
    fix: () => "Check the certificate's validity dates and this machine's clock; renew the certificate if it expired."
  },
  "53003": {
    code: "blocked-by-conditional-access",
    message: () => "A Conditional Access policy blocked the app's sign-in.",
    fix: () => "Exclude this service principal from the Conditional Access policy for workload identities, or allow the platform's network location."
  }
}

/**
 * Translates a failed `getToken` into a finding and a `ConnectorError` (CredentialsRejected with
 * the finding code as its `code`, the AADSTS code in the message). The AADSTS code is read
 * from the error text (MSAL and @azure/identity wrap it differently by failure kind). A GUID-shaped
 * secret rejected with AADSTS7000215 almost always means the admin pasted the secret's ID.
 */
export const classifyTokenError = (context: TokenContext, error: unknown): TokenProblem => {
  const text = errorText(error)
  const sts = /AADSTS(\d+)/u.exec(text)?.[1]
  const host = new URL(context.authorityHost).host
  if (sts !== undefined) {
    const rule = STS_RULES[sts]
    const stsCode = `AADSTS${sts}`
    if (sts === "7000215" && context.auth === "secret" && context.secretLooksLikeGuid) {
      const message = "The client secret looks like the secret's ID (a GUID), not its value."
      const fix = `${secretsPage}: copy the Value column of the secret, not the Secret ID. The value is shown only right after the secret is created; if it is hidden, create a new secret.`
      return { code: "secret-id-instead-of-value", stsCode, message: `${message} (${stsCode})`, fix, error: rejected("secret-id-instead-of-value", `${message} (${stsCode})`, fix) }
    }
    if (rule !== undefined) {
      const message = `${rule.message(context)} (${stsCode})`
      const fix = rule.fix(context)
      return { code: rule.code, stsCode, message, fix, error: rejected(rule.code, message, fix) }
    }
    const message = `Entra refused the token request: ${firstLine(text)}`
    const fix = `Look up ${stsCode} at https://learn.microsoft.com/entra/identity-platform/reference-error-codes`
    return { code: "token-request-failed", stsCode, message, fix, error: rejected("token-request-failed", message, fix) }
  }
  const transport = classifyTransportError(host, transportCause(error) ?? error)
  if (transport.code === "ConfigInvalid" || errorCodeOf(error) !== undefined || /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|certificate|fetch failed|endpoints_resolution_error/iu.test(text)) {
    const tls = transport.code === "ConfigInvalid" || /certificate/iu.test(text)
    const message = tls
      ? `The TLS certificate of ${host} is not trusted.`
      : `Cannot reach the sign-in endpoint ${context.authorityHost}: ${firstLine(text)}`
    const fix = tls
      ? "For a private endpoint or the simulator, set caFile to the PEM of its certificate authority."
      : "Check the network path to the authority host, the cloud setting and any authorityHost override."
    const err = tls
      ? ConnectorErrors.configInvalid({ field: "caFile", message: `${message} ${fix}` }, host)
      : ConnectorErrors.unavailable({ message }, host)
    return { code: tls ? "authority-certificate-untrusted" : "authority-unreachable", message, fix, error: err }
  }
  const message = `Could not get a token: ${firstLine(text)}`
  const fix = "Check tenantId, clientId and the secret or certificate."
  return { code: "token-request-failed", message, fix, error: rejected("token-request-failed", message, fix) }
}

const rejected = (code: string, message: string, fix: string): ConnectorError =>
  ConnectorErrors.credentialsRejected({ code, message, fix }, "token")

const firstLine = (text: string): string => text.split(/\r?\n| \| /u)[0]?.slice(0, 300) ?? text

const transportCause = (error: unknown): unknown => {
  let current: unknown = error
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    if (typeof (current as { code?: unknown }).code === "string" && /^[A-Z_]+$/u.test((current as { code: string }).code)) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
