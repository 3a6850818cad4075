/**
 * Deterministic randomness. Tenant data is generated lazily from (seed, kind, index, field), so every
 * value must be a pure function of those inputs: hashing, not a sequential PRNG, drives generation.
 */

/** 32-bit avalanche hash (murmur3 finaliser) of a list of integers. */
export const hash32 = (...parts: ReadonlyArray<number>): number => {
  let h = 0x9e3779b9
  for (const p of parts) {
    let k = Math.imul(p | 0, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Uniform float in [0, 1) derived from the hash of the parts. */
export const unit = (...parts: ReadonlyArray<number>): number => hash32(...parts) / 4294967296

/** Integer in [min, max] (inclusive) derived from the parts. */
export const intIn = (min: number, max: number, ...parts: ReadonlyArray<number>): number =>
  min + Math.floor(unit(...parts) * (max - min + 1))

/** Stable 32-bit code for a string, so strings can be hashed together with numbers. */
export const stringCode = (s: string): number => {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
const hex8 = (n: number): string => HEX2[n >>> 24] + HEX2[(n >>> 16) & 255] + HEX2[(n >>> 8) & 255] + HEX2[n & 255]

/** A version-4-shaped GUID derived from the parts (same parts, same GUID). */
export const guidOf = (...parts: ReadonlyArray<number>): string => {
  const a = hex8(hash32(...parts, 1))
  const b = hex8(hash32(...parts, 2))
  const c = hex8(hash32(...parts, 3))
  const d = hex8(hash32(...parts, 4))
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16)
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/** A base64url-looking string of `length` characters derived from the parts. */
export const tokenOf = (length: number, ...parts: ReadonlyArray<number>): string => {
  let out = ""
  for (let i = 0; out.length < length; i++) {
    let h = hash32(...parts, 1000 + i)
    for (let j = 0; j < 5 && out.length < length; j++) {
      out += B64URL[h & 63]
      h >>>= 6
    }
  }
  return out
}

/** Sequential PRNG (mulberry32) for runtime decisions that only need a reproducible sequence. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal sample from two uniforms (Box-Muller). */
export const gaussian = (next: () => number): number => {
  const u = Math.max(next(), 1e-12)
  const v = next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
