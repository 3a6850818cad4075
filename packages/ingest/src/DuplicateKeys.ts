import { type Digest, digestKey } from "./KeyDigest.ts"

/**
 * A set of 128-bit key digests, each with a positive number attached (the line that introduced
 * it). Open addressing over typed arrays: 20 bytes a slot, no per-key object, so a million keys
 * take about 40 MB however long the keys are. Grows by doubling at 3/4 load.
 */
export class DigestTable {
  private words: Uint32Array
  private values: Uint32Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity) capacity *= 2
    this.words = new Uint32Array(capacity * 4)
    this.values = new Uint32Array(capacity)
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

  /**
   * Stores `value` (> 0) for `digest` unless present. Returns the value already stored, or 0 when
   * the digest is new.
   */
  putIfAbsent(digest: Digest, value: number): number {
    const slot = this.find(digest)
    const existing = this.values[slot]
    if (existing !== 0) return existing
    this.words[slot * 4] = digest[0]
    this.words[slot * 4 + 1] = digest[1]
    this.words[slot * 4 + 2] = digest[2]
    this.words[slot * 4 + 3] = digest[3]
    this.values[slot] = value
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
    const capacity = oldValues.length * 2
    this.words = new Uint32Array(capacity * 4)
    this.values = new Uint32Array(capacity)
    this.mask = capacity - 1
    const digest = new Uint32Array(4)
    for (let s = 0; s < oldValues.length; s++) {
      if (oldValues[s] === 0) continue
      digest.set(oldWords.subarray(s * 4, s * 4 + 4))
      const slot = this.find(digest)
      this.words.set(digest, slot * 4)
      this.values[slot] = oldValues[s]
    }
  }
}

/**
 * Finds repeated keys in one pass with bounded memory per key: `check(key, line)` returns the line
 * of the key's first occurrence when it was seen before, otherwise records it and returns
 * undefined.
 */
export class DuplicateKeys {
  private readonly table = new DigestTable()
  private readonly scratch = new Uint32Array(4)

  check(key: string, line: number): number | undefined {
    const first = this.table.putIfAbsent(digestKey(key, this.scratch), Math.max(1, line))
    return first === 0 ? undefined : first
  }

  get size(): number {
    return this.table.size
  }
}
