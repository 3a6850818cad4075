import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import { isUntrustedCertificateCode } from "@idconnect/core/NetworkErrors"
import { graphRelativePath, permissionForRequest } from "./Permissions.ts"

/** What the classifier needs from a Graph HTTP response (a whole response or one `$batch` item). */
export interface GraphHttpResult {
  readonly status: number
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** The OData error object Graph puts in `{"error": {...}}`. */
export interface GraphErrorBody {
  readonly code: string
  readonly message: string
}

/** Reads `{"error":{"code","message"}}` from a Graph error body, tolerating anything else. */
export const graphErrorOf = (body: unknown): GraphErrorBody => {
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: unknown; message?: unknown }
    return { code: typeof e.code === "string" ? e.code : "", message: typeof e.message === "string" ? e.message : "" }
  }
  return { code: "", message: typeof body === "string" ? body.slice(0, 300) : "" }
}

/** `Retry-After` as seconds (Graph sends seconds; an HTTP date is accepted too). */
export const retryAfterSeconds = (headers: Readonly<Record<string, string>>, now: number = Date.now()): number | undefined => {
  const raw = headers["retry-after"]
  if (raw === undefined || raw.trim() === "") return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}

/** Codes Graph answers (403, and 400 on PIM endpoints) when the tenant lacks the P1/P2 licence. */
const LICENSE_CODES = new Set(["Authentication_RequestFromNonPremiumTenantOrB2CTenant", "AadPremiumLicenseRequired"])
const RESYNC_CODES = new Set(["syncStateNotFound", "resyncRequired", "SyncStateNotFound", "ResyncRequired"])

/** The licensed feature a path belongs to, for a LicenseMissing message. */
const licensedFeature = (path: string): string => {
  if (/^identityProtection\//iu.test(path)) return "Entra ID P2 (Identity Protection: risky users and risk detections)"
  if (/^roleManagement\/directory\/role(Eligibility|Assignment)Schedule/iu.test(path)) return "Entra ID P2 (Privileged Identity Management)"
  if (/signInActivity|^auditLogs\/signIns/iu.test(path)) return "Entra ID P1 or P2 (sign-in activity and sign-in logs)"
  if (/^auditLogs\//iu.test(path)) return "Entra ID P1 or P2 (audit logs)"
  return "Entra ID P1 or P2"
}

const grantFix = (permission: string): string =>
  `In the Entra admin center open App registrations > your app > API permissions, add the Microsoft Graph application permission ${permission}, then click "Grant admin consent".`

/**
 * Turns a Graph error response into the platform's error vocabulary. One function, so the
 * runner's retry policy, `check`'s findings and lifecycle results all agree:
 * 429 -> RateLimited, 500/502/503/504/509 -> Unavailable (both transient, with Retry-After),
 * 401 -> CredentialsRejected, 403 -> PermissionMissing naming the Graph permission, or
 * LicenseMissing for tenants without the premium licence, 404 -> NotFound,
 * 410 and expired delta tokens -> CheckpointInvalid (start a full sync), 501 -> Unsupported,
 * other 4xx -> InvalidInput for writes, Unexpected for reads (a bug on one side).
 */
export const classifyGraphError = (method: string, pathOrUrl: string, result: GraphHttpResult): ConnectorError => {
  const path = graphRelativePath(pathOrUrl)
  const context = `${method.toUpperCase()} /${path.split("?")[0]}`
  const { code, message } = graphErrorOf(result.body)
  const detail = code === "" ? `HTTP ${result.status}` : `${code}: ${message}`
  const retryAfter = retryAfterSeconds(result.headers)
  const withRetry = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }
  const status = result.status

  if (status === 429) {
    return ConnectorErrors.rateLimited({ message: `Microsoft Graph throttled the request (${detail})`, ...withRetry }, context)
  }
  if (status === 410 || RESYNC_CODES.has(code)) {
    return ConnectorErrors.checkpointInvalid(
      { message: `Microsoft Graph asks for a full resynchronisation (${detail})` },
      context
    )
  }
  if (status >= 400 && status < 500 && LICENSE_CODES.has(code)) {
    return ConnectorErrors.licenseMissing({ feature: licensedFeature(path), message: `The tenant is not licensed for this (${detail})` }, context)
  }
  if (status >= 500 && status !== 501) {
    return ConnectorErrors.unavailable({ message: `Microsoft Graph is unavailable (${detail})`, status, ...withRetry }, context)
  }
  if (status === 401) {
    return ConnectorErrors.credentialsRejected(
      {
        code: code === "" ? "Unauthorized" : code,
        message: `Microsoft Graph rejected the access token (${detail})`,
        fix: "Check the tenant ID, client ID and secret, and that the app is registered in this tenant's cloud."
      },
      context
    )
  }
  if (status === 403) {
    if (/licen[cs]e|premium/iu.test(message)) {
      return ConnectorErrors.licenseMissing({ feature: licensedFeature(path), message: `The tenant is not licensed for this (${detail})` }, context)
    }
    const named = /permissions?\s+([A-Za-z-]+\.[A-Za-z.]+)/u.exec(message)?.[1]
    const permission = named ?? permissionForRequest(method, path) ?? "an additional Microsoft Graph permission"
    return ConnectorErrors.permissionMissing(
      { permission, message: `The app lacks the ${permission} permission for ${context} (${detail})`, fix: grantFix(permission) },
      context
    )
  }
  if (status === 404) {
    return ConnectorErrors.notFound({ target: `/${path.split("?")[0]}`, message: `Not found: ${context} (${detail})` }, context)
  }
  if (status === 501) {
    return ConnectorErrors.unsupported({ feature: context, message: `Microsoft Graph does not support this request (${detail})` }, context)
  }
  if (method.toUpperCase() !== "GET" && status >= 400 && status < 500) {
    return ConnectorErrors.invalidInput({ message: `Microsoft Graph refused the change (${detail})` }, context)
  }
  return ConnectorErrors.unexpected({ message: `Unexpected answer from Microsoft Graph: HTTP ${status} (${detail})`, detail }, context)
}

/** The innermost `code` of an error's cause chain (Node puts ECONNRESET etc. on `cause`). */
export const errorCodeOf = (error: unknown): string | undefined => {
  let current: unknown = error
  let found: string | undefined
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") found = code
    current = (current as { cause?: unknown }).cause
  }
  return found
}

/**
 * Classifies a failure to get any HTTP answer: an untrusted certificate is a configuration
 * problem (name the CA file); DNS, refused and reset connections and timeouts are transient.
 */
export const classifyTransportError = (host: string, error: unknown): ConnectorError => {
  const code = errorCodeOf(error)
  const text = error instanceof Error ? error.message : String(error)
  if (isUntrustedCertificateCode(code)) {
    return ConnectorErrors.configInvalid(
      {
        field: "caFile",
        message: `The TLS certificate of ${host} is not trusted (${code}). For a private endpoint or the simulator, set caFile to the PEM of its certificate authority.`
      },
      host
    )
  }
  const what = code === "ENOTFOUND" || code === "EAI_AGAIN"
    ? `cannot resolve ${host}`
    : code === "ECONNREFUSED"
      ? `${host} refused the connection`
      : code === "ECONNRESET" || code === "UND_ERR_SOCKET"
        ? `the connection to ${host} was reset`
        : code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "TimeoutError"
          ? `the request to ${host} timed out`
          : `network failure talking to ${host}`
  return ConnectorErrors.unavailable({ message: `Network error: ${what} (${code ?? text})` }, host)
}
