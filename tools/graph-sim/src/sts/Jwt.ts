import { constants, createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto"

/** A decoded (not yet verified) compact JWS. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>
  readonly payload: Record<string, unknown>
  readonly signingInput: string
  readonly signature: Buffer
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url")

export const signJwt = (header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string => {
  const input = `${b64(header)}.${b64(payload)}`
  const sig = createSign("RSA-SHA256").update(input).sign(key)
  return `${input}.${sig.toString("base64url")}`
}

export const decodeJwt = (token: string): DecodedJwt | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], "base64url")
    }
  } catch {
    return undefined
  }
}

/** Verifies RS256 or PS256 (what MSAL uses for certificate client assertions) with a public key. */
export const verifyJwtSignature = (jwt: DecodedJwt, key: KeyObject | string): boolean => {
  const publicKey = typeof key === "string" ? createPublicKey(key) : key
  const alg = jwt.header.alg
  if (alg === "RS256") return createVerify("RSA-SHA256").update(jwt.signingInput).verify(publicKey, jwt.signature)
  if (alg === "PS256") {
    return createVerify("RSA-SHA256")
      .update(jwt.signingInput)
      .verify({ key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature)
  }
  return false
}
