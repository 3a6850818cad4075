import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { promises as dns, type LookupAddress, type LookupOptions } from "node:dns"
import { isIP } from "node:net"

/**
 * Which URLs the SCIM client may call. A customer types the base URL (and the OAuth token URL), so
 * this is where server-side request forgery is stopped:
 * - `https:` is required; plain `http:` only to a loopback address, and only when the config sets
 *   `allowInsecureLoopback` (local test servers, a sidecar).
 * - link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata endpoints
 *   (169.254.169.254, fd00:ec2::254, 100.100.100.200, metadata.google.internal, ...) are refused,
 *   whether written literally or reached through DNS. The same check runs again when a socket
 *   connects (`guardedLookup`), so a DNS answer that changes between check and use is refused too.
 * Private ranges (10/8, 192.168/16, ...) are allowed: on-premises SCIM servers live there.
 */
export interface UrlPolicyOptions {
  readonly allowInsecureLoopback?: boolean | undefined
}

const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
  "metadata.tencentyun.com"
])

const METADATA_ADDRESSES = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "fd00:ec2::23"])

/** The IPv4 octets of an IPv4 address or an IPv4-mapped IPv6 one (`::ffff:a9fe:a9fe` is 169.254.169.254). */
const ipv4Octets = (ip: string): ReadonlyArray<number> | undefined => {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/iu.exec(ip)
  if (dotted) return dotted[1]!.split(".").map(Number)
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/iu.exec(ip)
  if (hex) {
    const hi = parseInt(hex[1]!, 16)
    const lo = parseInt(hex[2]!, 16)
    return [hi >> 8, hi & 255, lo >> 8, lo & 255]
  }
  return isIP(ip) === 4 ? ip.split(".").map(Number) : undefined
}

/** Loopback: 127.0.0.0/8 and ::1 (also written as an IPv4-mapped IPv6 address). */
export const isLoopbackAddress = (ip: string): boolean => {
  const o = ipv4Octets(ip)
  if (o) return o[0] === 127
  return /^(0{0,4}:){7}0{0,3}1$|^::1$/iu.test(ip)
}

/** Why an address may never be called, or undefined when it may. */
export const forbiddenAddressReason = (ip: string): string | undefined => {
  const lower = ip.toLowerCase()
  const o = ipv4Octets(lower)
  const v4 = o?.join(".")
  if (METADATA_ADDRESSES.has(lower) || (v4 !== undefined && METADATA_ADDRESSES.has(v4))) {
    return `${ip} is a cloud metadata endpoint`
  }
  if (o && o[0] === 169 && o[1] === 254) return `${ip} is a link-local address`
  if (o && o[0] === 0) return `${ip} is not a routable address`
  if (isIP(lower) === 6 && /^fe[89ab][0-9a-f]?:/u.test(lower)) return `${ip} is a link-local address`
  return undefined
}

const bareHost = (hostname: string): string => hostname.replace(/^\[|\]$/gu, "").toLowerCase().replace(/\.$/u, "")

/** The URL failed the policy: a config error naming the field. */
const refuse = (field: string, message: string): ConnectorError =>
  ConnectorErrors.configInvalid({ field, message })

/**
 * Parses and checks a URL the connector is about to call, resolving its host name. Fails with
 * `ConfigInvalid` naming `field` (e.g. `baseUrl`, `auth.tokenUrl`).
 */
export const checkUrl = Effect.fn("BaseUrlPolicy.checkUrl")(function* (
  raw: string,
  field: string,
  options: UrlPolicyOptions
): Effect.fn.Return<URL, ConnectorError> {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return yield* refuse(field, `${field} '${raw}' is not an absolute URL (expected e.g. https://scim.example.com/scim/v2)`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return yield* refuse(field, `${field} must use https (got ${url.protocol.replace(":", "")})`)
  }
  if (url.username !== "" || url.password !== "") {
    return yield* refuse(field, `${field} must not contain credentials; put them in the auth section`)
  }
  if (url.hash !== "") return yield* refuse(field, `${field} must not contain a #fragment`)
  const host = bareHost(url.hostname)
  if (METADATA_HOSTS.has(host)) return yield* refuse(field, `${field} points at a cloud metadata service (${host}); refused`)
  const literal = isIP(host) !== 0
  const addresses: ReadonlyArray<string> = literal
    ? [host]
    : yield* Effect.tryPromise({
        try: () => dns.lookup(host, { all: true, verbatim: true }),
        catch: (cause) =>
          refuse(field, `${field} host '${host}' does not resolve (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`)
      }).pipe(Effect.map((found) => found.map((a) => a.address)))
  for (const address of addresses) {
    const why = forbiddenAddressReason(address)
    if (why !== undefined) return yield* refuse(field, `${field} host '${host}' is refused: ${why}`)
  }
  if (url.protocol === "http:") {
    const loopback = addresses.length > 0 && addresses.every(isLoopbackAddress)
    if (!loopback) return yield* refuse(field, `${field} must use https (plain http is only allowed to a loopback address)`)
    if (options.allowInsecureLoopback !== true) {
      return yield* refuse(field, `${field} uses plain http; set allowInsecureLoopback: true to allow http to a loopback address`)
    }
  }
  return url
})

/** Thrown by `guardedLookup` when a host resolves to a refused address at connect time. */
export class RefusedAddressError extends Error {
  override readonly name = "RefusedAddressError"
  readonly code = "EREFUSEDADDRESS"
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | Array<LookupAddress>, family?: number) => void

/**
 * A `lookup` for `http.Agent` that applies the same address rules when the socket connects, so a
 * name that passed `checkUrl` cannot be re-pointed at a metadata endpoint afterwards.
 */
export const guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  dns
    .lookup(hostname, { ...options, all: true, verbatim: true })
    .then((found) => {
      const bad = found.map((a) => forbiddenAddressReason(a.address)).find((r) => r !== undefined)
      if (bad !== undefined) return callback(new RefusedAddressError(`Refused to connect to ${hostname}: ${bad}`), "", 0)
      if (options.all === true) return callback(null, found)
      const first = found[0]
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: "ENOTFOUND" }), "", 0)
      callback(null, first.address, first.family)
    })
    .catch((error: NodeJS.ErrnoException) => callback(error, "", 0))
}
