/** Timestamps as ISO strings on both engines, so views and tests never see `Date` objects. */
export const normalizeRows = <A>(rows: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<A> => {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key]
      if (value instanceof Date) row[key] = value.toISOString()
    }
  }
  return rows as unknown as ReadonlyArray<A>
}
