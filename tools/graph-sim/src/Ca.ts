import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { loadX509 } from "./internal/X509Loader.ts"

/** The simulator's certificate authority: clients trust `caFile` / `caPem`, the server presents leaves it signs. */
export interface CaMaterial {
  readonly caFile: string
  readonly caPem: string
  readonly caKeyPem: string
  readonly dir: string
}

/** A TLS server certificate issued by the CA. */
export interface LeafMaterial {
  readonly certPem: string
  readonly keyPem: string
}

/** A self-signed RSA certificate an app registration uses for certificate (client assertion) auth. */
export interface AppCertificate {
  /** Certificate + private key in one PEM, the form ClientCertificateCredential accepts. */
  readonly pem: string
  readonly certificatePem: string
  readonly privateKeyPem: string
  /** SHA-1 thumbprint, upper-case hex (what Entra shows as customKeyIdentifier). */
  readonly thumbprint: string
  /** SHA-256 thumbprint, base64url (the `x5t#S256` JWT header value). */
  readonly x5tS256: string
  /** SHA-1 thumbprint, base64url (the `x5t` JWT header value). */
  readonly x5t: string
  readonly notBefore: Date
  readonly notAfter: Date
}

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const
const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048
} as const

const CA_SUBDIR = "graph-sim-ca"
const DAY = 86_400_000

const toPem = (der: ArrayBuffer, label: string): string => {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n")
  return `-----BEGIN ${label}-----\n${b64.endsWith("\n") ? b64 : b64 + "\n"}-----END ${label}-----\n`
}

const pemBody = (pem: string, label: string): Buffer => {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem)
  if (m === null) throw new Error(`no ${label} block in PEM`)
  return Buffer.from(m[1].replace(/\s+/g, ""), "base64")
}

const serial = (): string => {
  const b = randomBytes(16)
  b[0] &= 0x7f
  return b.toString("hex")
}

const generateCa = async (): Promise<{ caPem: string; caKeyPem: string }> => {
  const x509 = await loadX509()
  const keys = (await globalThis.crypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=idconnect graph-sim local CA, O=idconnect",
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  const pkcs8 = await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey)
  return { caPem: cert.toString("pem") + "\n", caKeyPem: toPem(pkcs8, "PRIVATE KEY") }
}

const readCa = async (dir: string): Promise<CaMaterial | undefined> => {
  const caFile = path.join(dir, CA_SUBDIR, "ca.pem")
  try {
    const [caPem, caKeyPem] = await Promise.all([
      fs.readFile(caFile, "utf8"),
      fs.readFile(path.join(dir, CA_SUBDIR, "ca-key.pem"), "utf8")
    ])
    return { caFile, caPem, caKeyPem, dir }
  } catch {
    return undefined
  }
}

/**
 * Loads the CA stored under `dir`, or generates one and stores it there. Safe to call from several
 * processes at once (a test global setup and its workers): the CA is written to a private temp
 * directory and renamed into place, so a loser of the race simply loads the winner's files.
 */
export const ensureCa = async (dir: string): Promise<CaMaterial> => {
  const existing = await readCa(dir)
  if (existing !== undefined) return existing
  await fs.mkdir(dir, { recursive: true })
  const { caPem, caKeyPem } = await generateCa()
  const tmp = await fs.mkdtemp(path.join(dir, ".ca-tmp-"))
  await fs.writeFile(path.join(tmp, "ca.pem"), caPem)
  await fs.writeFile(path.join(tmp, "ca-key.pem"), caKeyPem, { mode: 0o600 })
  try {
    await fs.rename(tmp, path.join(dir, CA_SUBDIR))
  } catch {
    await fs.rm(tmp, { recursive: true, force: true })
  }
  const stored = await readCa(dir)
  if (stored === undefined) throw new Error(`graph-sim: could not store or read the CA under ${dir}`)
  return stored
}

/** Issues a TLS server certificate for the given host names / IPs, signed by the CA. */
export const issueServerCertificate = async (ca: CaMaterial, hosts: ReadonlyArray<string>): Promise<LeafMaterial> => {
  const x509 = await loadX509()
  const caCert = new x509.X509Certificate(ca.caPem)
  const caKey = await globalThis.crypto.subtle.importKey("pkcs8", new Uint8Array(pemBody(ca.caKeyPem, "PRIVATE KEY")), EC, false, ["sign"])
  const keys = (await globalThis.crypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair
  const names = new Set(["localhost", "127.0.0.1", "::1", ...hosts])
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":")
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: "CN=localhost, O=idconnect graph-sim",
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        [...names].map((h) => (isIp(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }))
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey)
    ]
  })
  const pkcs8 = await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey)
  return { certPem: cert.toString("pem") + "\n" + ca.caPem, keyPem: toPem(pkcs8, "PRIVATE KEY") }
}

/** Generates a self-signed RSA certificate for an app registration's keyCredentials. */
export const generateAppCertificate = async (subject: string, validDays = 365): Promise<AppCertificate> => {
  const x509 = await loadX509()
  const keys = (await globalThis.crypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair
  const notBefore = new Date(Date.now() - DAY)
  const notAfter = new Date(Date.now() + validDays * DAY)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${subject}`,
    notBefore,
    notAfter,
    signingAlgorithm: RSA,
    keys
  })
  const der = Buffer.from(cert.rawData)
  const certificatePem = cert.toString("pem") + "\n"
  const privateKeyPem = toPem(await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY")
  const sha1 = createHash("sha1").update(der).digest()
  return {
    pem: privateKeyPem + certificatePem,
    certificatePem,
    privateKeyPem,
    thumbprint: sha1.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    x5tS256: createHash("sha256").update(der).digest("base64url"),
    notBefore,
    notAfter
  }
}

/** DER bytes of the first certificate in a PEM string. */
export const certificateDer = (pem: string): Buffer => pemBody(pem, "CERTIFICATE")
