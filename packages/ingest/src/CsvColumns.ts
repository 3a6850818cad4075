/**
 * The column model shared by the Entities and Entity Relations CSV formats: which canonical
 * column feeds which record field, whether it is required, and how a cell becomes a value.
 * `EntityCsv` and `RelationCsv` declare their tables with it; `CsvHeaders` matches a file's
 * header against a table; `CsvWriter` writes the same tables back out.
 */

/** How a cell is read: as text, as an entity type (trimmed, lower-cased), as a JSON object. */
export type CellKind = "text" | "entityType" | "jsonObject"

export interface CsvColumn {
  /** The documented header text, without the `*` (e.g. `Source ID`). */
  readonly name: string
  /** The record field it fills (e.g. `sourceId`); undefined for columns read and ignored. */
  readonly field: string | undefined
  readonly required: boolean
  readonly kind: CellKind
  /**
   * Part of the documented upload format (written by the BalkanID-compatible export). Extension
   * columns are accepted on import and written only when asked.
   */
  readonly documented: boolean
}

export const column = (
  name: string,
  field: string | undefined,
  options: { readonly required?: boolean; readonly kind?: CellKind; readonly documented?: boolean } = {}
): CsvColumn => ({
  name,
  field,
  required: options.required ?? false,
  kind: options.kind ?? "text",
  documented: options.documented ?? true
})

/** A problem with one cell, named by its column. */
export interface CellProblem {
  readonly column: string
  readonly reason: string
}

/** The result of reading a row's cells: the candidate record (not yet validated) or the problems. */
export type CellsResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problems: ReadonlyArray<CellProblem> }

/** Empty or only whitespace; checks the first character before trimming (most cells are not blank). */
const isBlank = (s: string): boolean => {
  if (s.length === 0) return true
  const c = s.charCodeAt(0)
  return c > 32 && c < 127 ? false : s.trim().length === 0
}

/**
 * Turns a row's cells into a candidate record. `positions[i]` is the column read from cell `i`
 * (undefined: an ignored column). Empty optional cells are absent from the record; a blank
 * required cell, invalid Metadata JSON or Metadata that is not an object are problems.
 */
export const readCells = (positions: ReadonlyArray<CsvColumn | undefined>, cells: ReadonlyArray<string>): CellsResult => {
  const value: Record<string, unknown> = {}
  let problems: Array<CellProblem> | undefined
  for (let i = 0; i < positions.length; i++) {
    const col = positions[i]
    if (col === undefined || col.field === undefined) continue
    const cell = cells[i]
    if (isBlank(cell)) {
      if (col.required) (problems ??= []).push({ column: col.name, reason: `${col.name} is required` })
      continue
    }
    switch (col.kind) {
      case "text":
        value[col.field] = cell
        break
      case "entityType":
        value[col.field] = cell.trim().toLowerCase()
        break
      case "jsonObject": {
        const parsed = parseJsonObject(cell)
        if (parsed.ok) value[col.field] = parsed.value
        else (problems ??= []).push({ column: col.name, reason: `${col.name} ${parsed.reason}` })
        break
      }
    }
  }
  return problems === undefined ? { ok: true, value } : { ok: false, problems }
}

const parseJsonObject = (
  text: string
): { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly reason: string } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    const got = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`
    return { ok: false, reason: `must be a JSON object like {"key":"value"}, got ${got}` }
  }
  return { ok: true, value: parsed as Record<string, unknown> }
}
