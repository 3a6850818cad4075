import * as Schema from "effect/Schema"

/**
 * One invalid row (or header, or file) of an upload, located for a person with the file open:
 * the file name, the 1-based physical line, the column when the problem is in one cell, and the
 * reason in words.
 */
export const RowIssue = Schema.Struct({
  file: Schema.String,
  line: Schema.Int,
  column: Schema.optionalKey(Schema.String),
  reason: Schema.String
}).annotate({ identifier: "RowIssue" })
export type RowIssue = typeof RowIssue.Type

/** `entities.csv:12:Entity Type: must be one of ...`, or `entities.csv:12: ...` without a column. */
export const formatRowIssue = (issue: RowIssue): string =>
  `${issue.file}:${issue.line}:${issue.column === undefined || issue.column === "" ? "" : `${issue.column}:`} ${issue.reason}`

/**
 * Collects issues with a cap: the first `max` are kept (reported sorted by file order, then line),
 * every one is counted. An upload with a million bad rows costs a counter, not a million objects.
 */
export class IssueLog {
  private readonly kept: Array<RowIssue & { readonly order: number }> = []
  private readonly files = new Map<string, number>()
  private count = 0
  readonly max: number

  constructor(max: number) {
    this.max = Math.max(0, max)
  }

  add(issue: RowIssue): void {
    this.count++
    if (this.kept.length >= this.max) return
    let order = this.files.get(issue.file)
    if (order === undefined) {
      order = this.files.size
      this.files.set(issue.file, order)
    }
    this.kept.push({ ...issue, order })
  }

  /** All issues found, including those beyond the cap. */
  get total(): number {
    return this.count
  }

  /** The kept issues, ordered by file (as first seen) then line. */
  get reported(): Array<RowIssue> {
    return [...this.kept]
      .sort((a, b) => a.order - b.order || a.line - b.line)
      .map(({ order: _order, ...issue }) => issue)
  }
}

/**
 * Reading an input failed (the upload stream broke, the file vanished): not a problem with the
 * data, so it is an error of the whole ingestion rather than a row issue.
 */
export class IngestInputError extends Schema.TaggedError<IngestInputError>()("IngestInputError", {
  file: Schema.String,
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}
