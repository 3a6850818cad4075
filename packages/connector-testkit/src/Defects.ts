/**
 * What every conformance check returns: the defects it found, as sentences a plugin author can act
 * on. Empty means the plugin passed. Checks return defects instead of throwing, so the kit's own
 * tests can assert that a deliberately broken plugin is caught.
 */
export type Defects = ReadonlyArray<string>

/** Stable JSON (sorted keys) for comparing records by content. */
export const stableJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  )

/** Shows at most `max` items of a list in a message, with the count of the rest. */
export const sample = (items: ReadonlyArray<string>, max = 5): string =>
  items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`

/** Readable form of an entity or relation key (they are joined with NUL characters). */
export const showKey = (key: string): string => key.split("\u0000").filter((p) => p !== "").join("/")

/** Whether a value is plain JSON (what survives storage as JSON unchanged): no Dates, Maps, undefined, NaN. */
export const isPlainJson = (value: unknown): boolean => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true
  if (typeof value === "number") return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isPlainJson)
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false
  return Object.values(value as Record<string, unknown>).every(isPlainJson)
}
