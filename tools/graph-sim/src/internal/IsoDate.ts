const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n))

/**
 * `2024-05-01T08:00:00Z` for an epoch-ms value (Graph's second-precision DateTimeOffset form).
 * Hand-rolled because Date#toISOString dominated profiles of lazily generated 100k-user tenants.
 */
export const isoSeconds = (ms: number): string => {
  const t = Math.floor(ms / 1000)
  const days = Math.floor(t / 86400)
  const secs = t - days * 86400
  // Civil-from-days (Howard Hinnant's algorithm).
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const hh = Math.floor(secs / 3600)
  const mm = Math.floor((secs % 3600) / 60)
  const ss = secs % 60
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}Z`
}
