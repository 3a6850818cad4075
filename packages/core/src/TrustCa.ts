import { readFile } from "node:fs/promises"
import * as tls from "node:tls"
import * as Effect from "effect/Effect"
import { ConnectorErrors, type ConnectorError } from "./ConnectorError.ts"

const trusted = new Set<string>()

/**
 * Makes this process trust an extra CA (PEM, one or more certificates) for every outgoing TLS
 * connection: global `fetch`, `node:https`, and the SDKs built on them (@azure/identity, the Graph
 * client). Used for a private CA or a simulator, e.g. the `caFile` of a config. Node 24's
 * `tls.setDefaultCACertificates` replaces the default store, so the system roots are kept and the
 * new ones appended; it does not need `NODE_EXTRA_CA_CERTS` at process start.
 *
 * @category tls
 */
export const trustCaPem = (pem: string): void => {
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (certs.length === 0) throw new Error("no PEM certificate found")
  const fresh = certs.filter((c) => !trusted.has(c))
  if (fresh.length === 0) return
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), ...fresh])
  for (const c of fresh) trusted.add(c)
}

/**
 * Reads a PEM file and trusts it (see `trustCaPem`). A missing file or a file without a certificate
 * is a config error naming `field`.
 *
 * @category tls
 */
export const trustCaFile = Effect.fn("TrustCa.trustCaFile")(function* (
  path: string,
  field = "caFile"
): Effect.fn.Return<void, ConnectorError> {
  const pem = yield* Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      ConnectorErrors.configInvalid({ field, message: `${field}: cannot read CA file '${path}': ${(cause as Error).message}` })
  })
  yield* Effect.try({
    try: () => trustCaPem(pem),
    catch: () => ConnectorErrors.configInvalid({ field, message: `${field}: '${path}' contains no PEM certificate` })
  })
})
