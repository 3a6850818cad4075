import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { isUntrustedCertificateCode } from "@idconnect/core/NetworkErrors"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import * as https from "node:https"
import * as tls from "node:tls"
import { guardedLookup, RefusedAddressError } from "./BaseUrlPolicy.ts"

/** One HTTP exchange as the wire saw it, before any SCIM meaning is given to it. */
export interface RawResponse {
  readonly status: number
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

export interface RawRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
}

export interface HttpTransportOptions {
  /** Extra trusted CA certificates (PEM), e.g. a private CA or a local simulator's; added to the default roots. */
  readonly ca?: string | undefined
  /** Per-request time limit. */
  readonly timeoutMs?: number | undefined
  /** Largest response body accepted; a bigger one is an error rather than an out-of-memory. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * The socket layer of the SCIM client: `node:http(s)` with keep-alive agents whose DNS lookup
 * applies the base URL policy at connect time, and an optional private CA (`caFile`), which
 * `fetch` cannot take without an extra dependency. `close` destroys the pooled sockets.
 */
export interface HttpTransport {
  readonly send: (request: RawRequest, field: string) => Effect.Effect<RawResponse, ConnectorError>
  readonly close: () => void
}

export const makeHttpTransport = (options: HttpTransportOptions): HttpTransport => {
  const timeoutMs = options.timeoutMs ?? 60_000
  const maxBytes = options.maxResponseBytes ?? 256 * 1024 * 1024
  const lookup = guardedLookup as unknown as http.AgentOptions["lookup"]
  const httpAgent = new http.Agent({ keepAlive: true, lookup })
  // `ca` replaces Node's trust store for this agent, so the default roots are passed along with it.
  const ca = options.ca === undefined ? undefined : [...tls.getCACertificates("default"), options.ca]
  const httpsAgent = new https.Agent({ keepAlive: true, lookup, ...(ca === undefined ? {} : { ca }) })

  const exchange = (request: RawRequest, signal: AbortSignal): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const secure = request.url.protocol === "https:"
      const lib = secure ? https : http
      const req = lib.request(
        request.url,
        {
          method: request.method,
          headers: {
            ...request.headers,
            ...(request.body === undefined ? {} : { "content-length": String(Buffer.byteLength(request.body)) })
          },
          agent: secure ? httpsAgent : httpAgent,
          signal,
          timeout: timeoutMs
        },
        (res) => {
          const chunks: Array<Buffer> = []
          let size = 0
          res.on("data", (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBytes) {
              res.destroy(Object.assign(new Error(`response larger than ${maxBytes} bytes`), { code: "ETOOLARGE" }))
              return
            }
            chunks.push(chunk)
          })
          res.on("error", reject)
          res.on("end", () => {
            const headers: Record<string, string> = {}
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v
            }
            resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") })
          })
        }
      )
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })))
      req.on("error", reject)
      if (request.body !== undefined) req.write(request.body)
      req.end()
    })

  const toError = (cause: unknown, request: RawRequest, field: string): ConnectorError => {
    const where = `${request.method} ${request.url.origin}${request.url.pathname}`
    if (cause instanceof RefusedAddressError) return ConnectorErrors.configInvalid({ field, message: cause.message }, where)
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? ""
    const text = cause instanceof Error ? cause.message : String(cause)
    if (isUntrustedCertificateCode(code)) {
      return ConnectorErrors.configInvalid(
        {
          field: "caFile",
          message: `The TLS certificate of ${request.url.host} is not trusted (${code}). If the server uses a private CA, set caFile to its PEM file.`
        },
        where
      )
    }
    if (code === "ETOOLARGE") return ConnectorErrors.unexpected({ message: `${where}: ${text}`, detail: code }, where)
    return ConnectorErrors.unavailable({ message: `Could not reach ${request.url.host} (${code || text})` }, where)
  }

  return {
    send: (request, field) =>
      Effect.tryPromise({ try: (signal) => exchange(request, signal), catch: (cause) => toError(cause, request, field) }),
    close: () => {
      httpAgent.destroy()
      httpsAgent.destroy()
    }
  }
}
