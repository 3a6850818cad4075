import type { CsvColumn } from "./CsvColumns.ts"

/**
 * Matches a file's header row against a column table. Tolerant of how people and spreadsheets
 * write headers: case, surrounding and repeated spaces, the `*` marking required columns, and
 * `_`/`-` or no separator at all (`Source ID`, `source id *`, `SOURCE_ID`, `sourceId` all match).
 * Empty header cells (trailing commas from spreadsheets) are ignored. Missing required columns,
 * unknown columns and repeated columns are reported by name.
 */

/** The normal form used for matching: lower-case letters and digits only. */
export const normaliseHeader = (cell: string): string => cell.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")

/** A problem with the header row; `cell` is the 1-based position when it is about one cell. */
export interface HeaderProblem {
  readonly cell?: number
  readonly column?: string
  readonly reason: string
}

/**
 * The header, resolved: the column each cell position feeds (undefined for an ignored cell) and
 * the header's cell count, which every row must match.
 */
export interface HeaderMapping {
  readonly positions: ReadonlyArray<CsvColumn | undefined>
  readonly width: number
  /** 0-based positions of header cells left empty: their cells must be empty too. */
  readonly unnamed: ReadonlyArray<number>
}

export type HeaderResult =
  | { readonly ok: true; readonly mapping: HeaderMapping }
  | { readonly ok: false; readonly problems: ReadonlyArray<HeaderProblem> }

/**
 * Resolves `cells` (the first record of a file) against `columns`. `ignored` lists header names
 * accepted and skipped (e.g. the BRN/Timestamp/Integration columns of a download file).
 */
export const matchHeader = (
  columns: ReadonlyArray<CsvColumn>,
  cells: ReadonlyArray<string>,
  ignored: ReadonlyArray<string> = []
): HeaderResult => {
  const byKey = new Map(columns.map((c) => [normaliseHeader(c.name), c]))
  const ignoredKeys = new Set(ignored.map(normaliseHeader))
  const positions: Array<CsvColumn | undefined> = []
  const seen = new Map<CsvColumn, number>()
  const problems: Array<HeaderProblem> = []
  const unnamed: Array<number> = []
  cells.forEach((cell, index) => {
    const key = normaliseHeader(cell)
    const col = byKey.get(key)
    if (col !== undefined) {
      const first = seen.get(col)
      if (first !== undefined) {
        problems.push({ cell: index + 1, column: col.name, reason: `column "${col.name}" appears twice (cells ${first + 1} and ${index + 1})` })
      } else {
        seen.set(col, index)
      }
      positions.push(col)
      return
    }
    positions.push(undefined)
    if (key.length === 0) {
      if (cell.trim().length === 0) unnamed.push(index)
      else problems.push({ cell: index + 1, column: cell.trim(), reason: `unknown column "${cell.trim()}"` })
      return
    }
    if (ignoredKeys.has(key)) return
    problems.push({
      cell: index + 1,
      column: cell.trim(),
      reason: `unknown column "${cell.trim()}"; expected: ${columns.map((c) => (c.required ? `${c.name}*` : c.name)).join(", ")}`
    })
  })
  for (const col of columns) {
    if (col.required && !seen.has(col)) problems.push({ column: col.name, reason: `missing required column "${col.name}"` })
  }
  return problems.length === 0 ? { ok: true, mapping: { positions, width: cells.length, unnamed } } : { ok: false, problems }
}
