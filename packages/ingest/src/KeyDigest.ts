/**
 * A 128-bit digest of a string key (MurmurHash3 x86_128 over the UTF-16 code units, taken two per
 * 32-bit block). Sets of keys for a million-row upload are held as digests in typed arrays
 * (`DigestTable`) instead of as strings, which keeps them small and flat. It is not a
 * cryptographic hash: keys come from the uploader's own file, and at 128 bits an accidental
 * collision among a billion keys has a probability below 10^-20. It is about ten times faster than
 * node:crypto's sha256 on short keys, which matters at a few digests per row.
 */
export type Digest = Uint32Array

const C1 = 0x239b961b
const C2 = 0xab0e9789
const C3 = 0x38b34ae5
const C4 = 0xa1e38b93

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r))

const fmix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Writes the digest of `key` into `out` (4 words) and returns it; pass a reused `out` in loops. */
export const digestKey = (key: string, out: Digest = new Uint32Array(4)): Digest => {
  let h1 = 0x9747b28c
  let h2 = 0x9747b28c
  let h3 = 0x9747b28c
  let h4 = 0x9747b28c
  const n = key.length
  // 4 blocks of 32 bits (8 code units) per round.
  const rounds = n >>> 3
  let i = 0
  for (let r = 0; r < rounds; r++, i += 8) {
    let k1 = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)
    let k2 = key.charCodeAt(i + 2) | (key.charCodeAt(i + 3) << 16)
    let k3 = key.charCodeAt(i + 4) | (key.charCodeAt(i + 5) << 16)
    let k4 = key.charCodeAt(i + 6) | (key.charCodeAt(i + 7) << 16)
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2)
    h1 ^= k1
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3)
    h2 ^= k2
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4)
    h3 ^= k3
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1)
    h4 ^= k4
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0
  }
  // Tail: up to 7 code units, packed into up to 4 words.
  let k1 = 0
  let k2 = 0
  let k3 = 0
  let k4 = 0
  const tail = n - i
  if (tail > 6) k4 = key.charCodeAt(i + 6)
  if (tail > 5) k3 = key.charCodeAt(i + 5) << 16
  if (tail > 4) k3 |= key.charCodeAt(i + 4)
  if (tail > 3) k2 = key.charCodeAt(i + 3) << 16
  if (tail > 2) k2 |= key.charCodeAt(i + 2)
  if (tail > 1) k1 = key.charCodeAt(i + 1) << 16
  if (tail > 0) k1 |= key.charCodeAt(i)
  if (tail > 6) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1)
  if (tail > 4) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4)
  if (tail > 2) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3)
  if (tail > 0) h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2)
  // The length in bytes (two per code unit), as in the reference finalisation.
  const len = n * 2
  h1 ^= len
  h2 ^= len
  h3 ^= len
  h4 ^= len
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  h1 = fmix(h1)
  h2 = fmix(h2)
  h3 = fmix(h3)
  h4 = fmix(h4)
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  out[0] = h1
  out[1] = h2
  out[2] = h3
  out[3] = h4
  return out
}
