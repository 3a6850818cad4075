import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { readErrorBody, type ScimErrorBody } from "./Envelope.ts"
import type { RawResponse } from "./HttpTransport.ts"

/**
 * Seconds from a `Retry-After` header: delta-seconds or an HTTP date. Undefined when absent or
 * unreadable.
 */
export const retryAfterSeconds = (headers: Readonly<Record<string, string>>, now: number = Date.now()): number | undefined => {
  const raw = headers["retry-after"]?.trim()
  if (raw === undefined || raw === "") return undefined
  if (/^\d+(\.\d+)?$/u.test(raw)) return Number(raw)
  const at = Date.parse(raw)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/** The JSON body of a response, or undefined when it is empty or not JSON (an HTML error page). */
export const parseJsonBody = (response: RawResponse): unknown => {
  const text = response.text.trim()
  if (text === "" || (text[0] !== "{" && text[0] !== "[")) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const describe = (status: number, body: ScimErrorBody | undefined, response: RawResponse): string => {
  if (body !== undefined) {
    return [`${status}`, body.scimType, body.detail === undefined ? undefined : `- ${body.detail}`].filter((p) => p !== undefined).join(" ")
  }
  const type = response.headers["content-type"] ?? ""
  if (/html/iu.test(type) || /^\s*</u.test(response.text)) return `${status} with an HTML page (a proxy or gateway answered, not the SCIM server)`
  return `${status}`
}

/**
 * Turns a non-success HTTP response into the connector's error vocabulary, by status first (gateways
 * and WAFs answer with HTML, AWS with its own JSON), then by SCIM `scimType`:
 *
 * | status | error |
 * |---|---|
 * | 429 | RateLimited (Retry-After honoured) |
 * | 5xx, HTML or not | Unavailable (503 with Retry-After too) |
 * | 401 | CredentialsRejected |
 * | 403 | PermissionMissing |
 * | 404 | NotFound |
 * | 400 invalidCursor / expiredCursor | CheckpointInvalid (restart the listing) |
 * | 400 invalidFilter | Unsupported (the filter) |
 * | other 4xx | InvalidInput, naming the scimType |
 *
 * Returns undefined for 2xx and 304. `where` is "METHOD path", used in messages and as context.
 */
export const classifyResponse = (response: RawResponse, where: string): ConnectorError | undefined => {
  const { status } = response
  if ((status >= 200 && status < 300) || status === 304) return undefined
  const body = readErrorBody(parseJsonBody(response))
  const text = `SCIM server answered ${describe(status, body, response)} (${where})`
  const retryAfter = retryAfterSeconds(response.headers)
  const scimType = body?.scimType?.toLowerCase()
  const withRetry = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }
  if (status === 429) return ConnectorErrors.rateLimited({ message: text, ...withRetry }, where)
  if (status >= 500) return ConnectorErrors.unavailable({ message: text, status, ...withRetry }, where)
  if (status === 401) {
    return ConnectorErrors.credentialsRejected(
      {
        message: text,
        code: body?.scimType ?? "Unauthorized",
        fix: "Check the SCIM credentials (token, username/password or OAuth client) and that they are not expired or revoked."
      },
      where
    )
  }
  if (status === 403) {
    return ConnectorErrors.permissionMissing(
      {
        message: text,
        permission: where,
        fix: `Grant the SCIM credentials access to ${where} on the SCIM server.`
      },
      where
    )
  }
  if (status === 404) return ConnectorErrors.notFound({ message: text, target: where }, where)
  if (scimType === "invalidcursor" || scimType === "expiredcursor") {
    return ConnectorErrors.checkpointInvalid({ message: text }, where)
  }
  if (scimType === "invalidfilter") return ConnectorErrors.unsupported({ message: text, feature: "filter" }, where)
  return ConnectorErrors.invalidInput(body?.scimType === undefined ? { message: text } : { message: text, field: body.scimType }, where)
}
