/** Lifecycle state of a directory object. */
export const LIVE = 0
/** Soft-deleted: hidden from collections, listed under /directory/deletedItems, restorable. */
export const SOFT_DELETED = 1
/** Permanently deleted: gone everywhere; its index is never reused. */
export const PURGED = 2

/**
 * One kind of directory object, addressed by a dense index. Objects of a generated tenant are produced
 * on demand by `base(index)` (a pure function of the seed), so a 100k-user tenant holds only ids in
 * memory; an object is stored only once something changes it.
 */
export class Table<R extends { id: string }> {
  readonly kind: string
  private readonly ids: string[] = []
  private readonly byId = new Map<string, number>()
  private readonly stored = new Map<number, R>()
  private readonly states: number[] = []
  private base: ((index: number) => R) | undefined
  private baseCount = 0
  private liveCount = 0

  constructor(kind: string) {
    this.kind = kind
  }

  /** Registers `count` generated objects whose ids and bodies are computed on demand. */
  defineGenerated(count: number, idOf: (index: number) => string, base: (index: number) => R): void {
    if (this.ids.length !== 0) throw new Error(`${this.kind}: generated objects must be defined first`)
    this.base = base
    this.baseCount = count
    for (let i = 0; i < count; i++) {
      const id = idOf(i)
      this.ids.push(id)
      this.byId.set(id, i)
      this.states.push(LIVE)
    }
    this.liveCount = count
  }

  add(record: R): number {
    if (this.byId.has(record.id)) throw new Error(`${this.kind}: duplicate id ${record.id}`)
    const index = this.ids.length
    this.ids.push(record.id)
    this.byId.set(record.id, index)
    this.stored.set(index, record)
    this.states.push(LIVE)
    this.liveCount++
    return index
  }

  /** Number of indexes ever allocated (including deleted objects). */
  get size(): number {
    return this.ids.length
  }

  get live(): number {
    return this.liveCount
  }

  id(index: number): string {
    return this.ids[index]
  }

  indexOf(id: string): number {
    return this.byId.get(id.toLowerCase()) ?? this.byId.get(id) ?? -1
  }

  get(index: number): R {
    const s = this.stored.get(index)
    if (s !== undefined) return s
    if (this.base !== undefined && index < this.baseCount) return this.base(index)
    throw new Error(`${this.kind}: no object at index ${index}`)
  }

  put(index: number, record: R): void {
    this.stored.set(index, record)
  }

  state(index: number): number {
    return this.states[index] ?? PURGED
  }

  isLive(index: number): boolean {
    return this.states[index] === LIVE
  }

  setState(index: number, state: number): void {
    const before = this.states[index]
    if (before === state) return
    if (before === LIVE) this.liveCount--
    if (state === LIVE) this.liveCount++
    this.states[index] = state
    if (state === PURGED && index >= this.baseCount) this.stored.delete(index)
  }

  /** Number of generated (not stored) objects still served lazily; for memory diagnostics. */
  get storedCount(): number {
    return this.stored.size
  }
}
