import type * as X509 from "@peculiar/x509"

type MetadataReflect = typeof Reflect & {
  defineMetadata?: (key: unknown, value: unknown, target: object) => void
  getOwnMetadata?: (key: unknown, target: object) => unknown
  getMetadata?: (key: unknown, target: object) => unknown
}

// @peculiar/x509 loads tsyringe, which needs Reflect metadata; the repo ships no `reflect-metadata`,
// and tsyringe only uses these three functions, so a WeakMap-backed shim is enough.
const installReflectMetadataShim = (): void => {
  const R = Reflect as MetadataReflect
  if (typeof R.getMetadata === "function") return
  const store = new WeakMap<object, Map<unknown, unknown>>()
  const bag = (target: object, create: boolean) => {
    let m = store.get(target)
    if (m === undefined && create) store.set(target, (m = new Map()))
    return m
  }
  R.defineMetadata = (key, value, target) => void bag(target, true)!.set(key, value)
  R.getOwnMetadata = (key, target) => bag(target, false)?.get(key)
  R.getMetadata = (key, target) => {
    for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      const v = bag(o, false)?.get(key)
      if (v !== undefined) return v
    }
    return undefined
  }
}

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const

const toPem = (der: ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/(.{64})/gu, "$1\n").replace(/\n?$/u, "\n")}-----END ${label}-----\n`

/** A self-signed server certificate for 127.0.0.1 / localhost, to serve the SCIM peer over HTTPS. */
export const selfSignedCertificate = async (): Promise<{ readonly certPem: string; readonly keyPem: string }> => {
  installReflectMetadataShim()
  const x509: typeof X509 = await import("@peculiar/x509")
  x509.cryptoProvider.set(globalThis.crypto)
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
