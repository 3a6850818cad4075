import { type Digest, digestKey } from "./KeyDigest.ts"

/**
 * A set of 128-bit key digests, each with a positive number attached (the line that introduced
 * it) and a small tag (which file). Open addressing over typed arrays: 21 bytes a slot, no
 * per-key object, so a million keys take about 44 MB however long the keys are. Grows by doubling
 * at 3/4 load.
 */
export class DigestTable {
  private words: Uint32Array
  private values: Uint32Array
  private tags: Uint8Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity) capacity *= 2
    this.words = new Uint32Array(capacity * 4)
    this.values = new Uint32Array(capacity)
    this.tags = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.count
  }

  /** The value stored for `digest`, or 0 when absent. */
  get(digest: Digest): number {
    const slot = this.find(digest)
    return this.values[slot]
  }

  /** The tag stored with `digest` (0 when absent). */
  tag(digest: Digest): number {
    return this.tags[this.find(digest)]
  }

  /**
   * Stores `value` (> 0) and `tag` (0-255) for `digest` unless present. Returns the value already
   * stored, or 0 when the digest is new.
   */
  putIfAbsent(digest: Digest, value: number, tag = 0): number {
    const slot = this.find(digest)
    const existing = this.values[slot]
    if (existing !== 0) return existing
    this.words[slot * 4] = digest[0]
    this.words[slot * 4 + 1] = digest[1]
    this.words[slot * 4 + 2] = digest[2]
    this.words[slot * 4 + 3] = digest[3]
    this.values[slot] = value
    this.tags[slot] = tag
    this.count++
    if (this.count * 4 > this.values.length * 3) this.grow()
    return 0
  }

  /** The slot holding `digest`, or the empty slot where it would go. */
  private find(digest: Digest): number {
    const words = this.words
    const values = this.values
    let slot = digest[0] & this.mask
    for (;;) {
      if (values[slot] === 0) return slot
      const w = slot * 4
      if (words[w] === digest[0] && words[w + 1] === digest[1] && words[w + 2] === digest[2] && words[w + 3] === digest[3]) return slot
      slot = (slot + 1) & this.mask
    }
  }

  private grow(): void {
    const oldWords = this.words
    const oldValues = this.values
    const oldTags = this.tags
    const capacity = oldValues.length * 2
    this.words = new Uint32Array(capacity * 4)
    this.values = new Uint32Array(capacity)
    this.tags = new Uint8Array(capacity)
    this.mask = capacity - 1
    const digest = new Uint32Array(4)
    for (let s = 0; s < oldValues.length; s++) {
      if (oldValues[s] === 0) continue
      digest.set(oldWords.subarray(s * 4, s * 4 + 4))
      const slot = this.find(digest)
      this.words.set(digest, slot * 4)
      this.values[slot] = oldValues[s]
      this.tags[slot] = oldTags[s]
    }
  }
}

/**
 * Finds repeated keys in one pass with bounded memory per key: `check(key, line, file)` returns
 * where the key first occurred (line and file index) when it was seen before, otherwise records
 * it and returns undefined. Up to 256 files are told apart.
 */
export class DuplicateKeys {
  private readonly table = new DigestTable()
  private readonly scratch = new Uint32Array(4)

  check(key: string, line: number, file = 0): { readonly line: number; readonly file: number } | undefined {
    const digest = digestKey(key, this.scratch)
    const first = this.table.putIfAbsent(digest, Math.max(1, line), file & 0xff)
    return first === 0 ? undefined : { line: first, file: this.table.tag(digest) }
  }

  get size(): number {
    return this.table.size
  }
}
