import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import * as tls from "node:tls"
import * as Effect from "effect/Effect"
import { ConnectorErrors, type ConnectorError } from "./ConnectorError.ts"

const trusted = new Set<string>()

/**
 * The environment variable through which the operator of a multi-tenant deployment (API, worker)
 * names the CA files integrations may use. Trusting a CA is process-wide, so without this list one
 * tenant's integration config could make the process trust its CA for everyone's connections, or
 * probe the server's files.
 */
export const ALLOWED_CA_FILES_ENV = "IDCONNECT_ALLOWED_CA_FILES"

let allowedCaFiles: ReadonlySet<string> | undefined

/**
 * Restricts `caFile` to the listed paths for the rest of this process. Server processes call it at
 * start (`restrictCaFilesFromEnv`); the single-user CLI does not.
 *
 * @category tls
 */
export const restrictCaFiles = (files: ReadonlyArray<string>): void => {
  allowedCaFiles = new Set(files.filter((f) => f.trim() !== "").map((f) => resolve(f.trim())))
}

/** `restrictCaFiles` from `IDCONNECT_ALLOWED_CA_FILES` (paths separated by `:` or `,`; empty = none allowed). */
export const restrictCaFilesFromEnv = (env: NodeJS.ProcessEnv = process.env): void =>
  restrictCaFiles((env[ALLOWED_CA_FILES_ENV] ?? "").split(/[:,]/))

/** Fails with a config error naming `field` when this process restricts CA files and `path` is not listed. */
export const assertCaFileAllowed = (path: string, field = "caFile"): Effect.Effect<void, ConnectorError> =>
  allowedCaFiles === undefined || allowedCaFiles.has(resolve(path))
    ? Effect.void
    : Effect.fail(
        ConnectorErrors.configInvalid({
          field,
          message: `${field}: this platform does not allow the CA file '${path}'. The operator must list it in ${ALLOWED_CA_FILES_ENV}.`
        })
      )

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
  yield* assertCaFileAllowed(path, field)
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
