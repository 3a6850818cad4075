/**
 * CSV text for `COPY ... FROM ... WITH (FORMAT csv)`: null is the unquoted empty field, an empty
 * string is `""`, values with a comma, quote or line break are quoted with quotes doubled. JSON goes
 * in as its text, CSV-quoted: `"{""a"":1}"`, never with backslash escapes.
 */
export type CopyValue = string | number | boolean | null | undefined

const NEEDS_QUOTES = /[",\r\n]/

const field = (value: CopyValue): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (value === "") return '""'
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

export const csvLine = (row: ReadonlyArray<CopyValue>): string => row.map(field).join(",") + "\n"

/** A Postgres `text[]` literal (`{"a","b"}`) for a COPY field or a query parameter. */
export const textArrayLiteral = (values: ReadonlyArray<string>): string =>
  `{${values.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`

/** Splits rows into CSV chunks of roughly `chunkBytes`, so a large load never builds one giant string. */
export function* csvChunks(rows: Iterable<ReadonlyArray<CopyValue>>, chunkBytes = 1 << 20): Generator<string> {
  let buffer: Array<string> = []
  let size = 0
  for (const row of rows) {
    const line = csvLine(row)
    buffer.push(line)
    size += line.length
    if (size >= chunkBytes) {
      yield buffer.join("")
      buffer = []
      size = 0
    }
  }
  if (buffer.length > 0) yield buffer.join("")
}
