import { loadX509 } from "@idconnect/graph-sim/X509Loader"

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const

const toPem = (der: ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/(.{64})/gu, "$1\n").replace(/\n?$/u, "\n")}-----END ${label}-----\n`

/** A self-signed server certificate for 127.0.0.1 / localhost, to serve the SCIM peer over HTTPS. */
export const selfSignedCertificate = async (): Promise<{ readonly certPem: string; readonly keyPem: string }> => {
  const x509 = await loadX509()
  const keys = (await globalThis.crypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=localhost, O=idconnect scim tests",
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" }
      ])
    ]
  })
  return { certPem: cert.toString("pem") + "\n", keyPem: toPem(await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY") }
}
