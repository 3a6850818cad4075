/**
 * The few statistics the benchmarks report. Timings on a shared machine are noisy, so every figure
 * is the median of its runs (robust to one slow run), never the mean.
 */

/** The median of `values` (the mean of the two middle values for an even count). */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The `p`-th percentile (0-100) by nearest rank, as latency tools report it. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** `a / b`, or NaN when `b` is 0 or either side is not a number (shown as "n/a"). */
export const ratio = (a: number, b: number): number => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN)

/** A number with a sensible count of digits for a table: 3 significant digits, thousands grouped. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return "n/a"
  const abs = Math.abs(value)
  if (Number.isInteger(value) || abs >= 1000) return Math.round(value).toLocaleString("en-US")
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  if (abs === 0) return "0"
  return value.toPrecision(2)
}

/**
 * A ratio with 3 significant digits ("8.00", "11.1", "0.0420"), so ratios of whole numbers do not
 * read as counts and every row of the Ratio column has the same precision.
 */
export const formatRatio = (value: number): string => {
  if (!Number.isFinite(value)) return "n/a"
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US")
  if (value === 0) return "0"
  return value.toPrecision(3)
}

/** Bytes to mebibytes. */
export const mib = (bytes: number): number => bytes / (1024 * 1024)
