import { DEFAULT_MAX_RECORD_LENGTH, decodeUtf8, TextDecodeFailure, type TextSource } from "./CsvParser.ts"

/**
 * Reads NDJSON uploads: one JSON object per line, each an entity or a relation. Accepted shapes:
 * - the CLI's `extract` output, `{"_tag":"entity","entity":{...}}` / `{"_tag":"relation","relation":{...}}`,
 *   or the same with `type` instead of `_tag`; the other record kinds of that output
 *   (syncMode, checkpoint, progress, warning) are skipped;
 * - `{"type":"entity", <entity fields>}` (the payload inline);
 * - a bare Entity or EntityRelation object (a relation is recognised by `parentSourceId`).
 * Blank lines are skipped; CRLF and a UTF-8 BOM are accepted. Each item carries its line number
 * and original text (for the rejects file).
 */
export type NdjsonItem =
  | { readonly _tag: "entity"; readonly line: number; readonly value: unknown; readonly text: string }
  | { readonly _tag: "relation"; readonly line: number; readonly value: unknown; readonly text: string }
  | { readonly _tag: "invalid"; readonly line: number; readonly reason: string; readonly text: string; readonly fatal: boolean }

const SKIPPED = new Set(["syncMode", "checkpoint", "progress", "warning"])

/** Classifies one non-blank line. Returns undefined for lines that carry no data (skipped kinds). */
export const classifyNdjsonLine = (line: number, text: string): NdjsonItem | undefined => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { _tag: "invalid", line, text, fatal: false, reason: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { _tag: "invalid", line, text, fatal: false, reason: "each line must be a JSON object (an entity or a relation)" }
  }
  const obj = parsed as Record<string, unknown>
  const tag = obj._tag ?? obj.type
  if (tag === undefined) {
    return "parentSourceId" in obj || "entitySourceId" in obj
      ? { _tag: "relation", line, text, value: obj }
      : { _tag: "entity", line, text, value: obj }
  }
  if (tag === "entity" || tag === "relation") {
    const { _tag: _t, type: _type, ...rest } = obj
    const nested = rest[tag]
    const value = nested !== undefined && Object.keys(rest).length === 1 ? nested : rest
    return { _tag: tag, line, text, value }
  }
  if (typeof tag === "string" && SKIPPED.has(tag)) return undefined
  if (tag === "deletion") {
    return { _tag: "invalid", line, text, fatal: false, reason: "deletions are not accepted in an upload: an upload replaces the whole snapshot, so leave the record out instead" }
  }
  return { _tag: "invalid", line, text, fatal: false, reason: `unknown record type ${JSON.stringify(tag)}; expected "entity" or "relation"` }
}

/**
 * Splits a source into lines and classifies them, yielding the items of each input chunk as one
 * array. A line longer than `maxLineLength` or bytes that are not UTF-8 end the file with a fatal
 * item.
 */
export async function* parseNdjson(
  source: TextSource,
  options: { readonly maxLineLength?: number } = {}
): AsyncGenerator<Array<NdjsonItem>> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_RECORD_LENGTH
  let rest = ""
  let line = 1
  let first = true
  const take = (text: string, items: Array<NdjsonItem>) => {
    const body = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text
    if (body.trim().length > 0) {
      const item = classifyNdjsonLine(line, body)
      if (item !== undefined) items.push(item)
    }
    line++
  }
  try {
    for await (let chunk of decodeUtf8(source)) {
      if (first) {
        first = false
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
      }
      const text = rest.length === 0 ? chunk : rest + chunk
      const items: Array<NdjsonItem> = []
      let from = 0
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
        take(text.slice(from, nl), items)
        from = nl + 1
      }
      rest = text.slice(from)
      if (rest.length > maxLineLength) {
        items.push({ _tag: "invalid", line, text: "", fatal: true, reason: `line longer than ${maxLineLength} characters` })
        yield items
        return
      }
      if (items.length > 0) yield items
    }
  } catch (error) {
    if (!(error instanceof TextDecodeFailure)) throw error
    yield [{ _tag: "invalid", line, text: "", fatal: true, reason: error.message }]
    return
  }
  if (rest.length > 0) {
    const items: Array<NdjsonItem> = []
    take(rest, items)
    if (items.length > 0) yield items
  }
}
