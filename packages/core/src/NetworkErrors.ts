/**
 * Node's error codes for a TLS certificate the client refuses to trust. Connectors turn these into
 * a configuration error pointing at `caFile` (a private CA or a local simulator), while any other
 * network failure (DNS, refused, reset, timeout) stays transient.
 *
 * @category network
 */
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/** True when a Node error code means the server's TLS certificate is not trusted (fix: `caFile`). */
export const isUntrustedCertificateCode = (code: string | undefined): boolean =>
  code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)
