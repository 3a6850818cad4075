/**
 * A streaming RFC 4180 tokenizer. It takes text (or UTF-8 bytes) in chunks of any size and hands
 * back records as soon as they are complete, so a file of any length is read with memory bounded
 * by the longest record.
 *
 * Tolerances: a UTF-8 byte order mark, CRLF / LF / CR line ends (mixed in one file too), quoted
 * fields holding commas, doubled quotes and line breaks, blank lines (skipped). Errors: a quote
 * inside an unquoted field, text after a closing quote (both reported for that record, reading
 * resumes on the next line) and an unterminated quote (fatal: the rest of the file is one field).
 *
 * Each record carries the physical line it starts on (1-based), so errors point into the file as
 * an editor shows it.
 */

/** One complete record: its cells, unquoted, and the line it starts on. */
export interface CsvRecord {
  readonly _tag: "record"
  readonly line: number
  readonly fields: Array<string>
}

/**
 * A syntax error. `field` is the 1-based cell position in the record when known. A fatal error
 * ends the file: nothing after it is read.
 */
export interface CsvSyntaxError {
  readonly _tag: "syntaxError"
  readonly line: number
  readonly field?: number
  readonly reason: string
  readonly fatal: boolean
  /** The record's original text, without its line end (non-fatal errors), for rejects files. */
  readonly text?: string
}

export type CsvItem = CsvRecord | CsvSyntaxError

export interface CsvTokenizerOptions {
  /** Longest record accepted, in UTF-16 code units. Guards memory against an unterminated quote. */
  readonly maxRecordLength?: number
}

const COMMA = 44
const QUOTE = 34
const LF = 10
const CR = 13
// A global regex replace unescapes "" several times faster than String#replaceAll in V8.
const DOUBLED_QUOTES = /""/g

/** Default cap on one record: 16 Mi characters, far above any real row. */
export const DEFAULT_MAX_RECORD_LENGTH = 16 * 1024 * 1024

/**
 * What `readRecord` found; it reports through this one reused object rather than allocating a
 * result per row (the tokenizer is synchronous, so sharing it is safe).
 */
interface Step {
  kind: "record" | "error" | "incomplete"
  fields: Array<string>
  /** Position after the record (record, error). */
  end: number
  /** Line breaks consumed, including the record's own terminator (record, error). */
  breaks: number
  error: CsvSyntaxError | undefined
  /** Whether the incomplete record stops inside a quoted field, and the line the quote opened on. */
  inQuote: boolean
  quoteLine: number
}

const step: Step = { kind: "incomplete", fields: [], end: 0, breaks: 0, error: undefined, inQuote: false, quoteLine: 0 }

/**
 * The push-based tokenizer: `push` each chunk of text, then `end()` once. Both return the items
 * completed by that call. Synchronous and allocation-light; use `parseCsv` for async sources.
 */
export class CsvTokenizer {
  private buffer = ""
  private line = 1
  private started = false
  private failed = false
  private readonly maxRecordLength: number

  constructor(options: CsvTokenizerOptions = {}) {
    this.maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH
  }

  push(chunk: string): Array<CsvItem> {
    if (this.failed) return []
    if (!this.started) {
      this.started = chunk.length > 0
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
    }
    this.buffer = this.buffer.length === 0 ? chunk : this.buffer + chunk
    return this.drain(false)
  }

  end(): Array<CsvItem> {
    if (this.failed) return []
    const items = this.drain(true)
    this.buffer = ""
    return items
  }

  private drain(final: boolean): Array<CsvItem> {
    const items: Array<CsvItem> = []
    const s = this.buffer
    let at = 0
    resetCache()
    while (at < s.length) {
      readRecord(s, at, this.line, final)
      if (step.kind === "incomplete") {
        if (s.length - at > this.maxRecordLength) {
          items.push(this.fail(step.inQuote ? step.quoteLine : this.line, step.inQuote
            ? `unterminated quoted field: the quote opened on line ${step.quoteLine} is not closed within ${this.maxRecordLength} characters`
            : `record longer than ${this.maxRecordLength} characters`))
          return items
        }
        if (final) {
          // Only an open quote can leave a record incomplete at the end of the input.
          items.push(this.fail(step.quoteLine, `unterminated quoted field: the quote opened on line ${step.quoteLine} is never closed`))
          return items
        }
        break
      }
      if (step.kind === "record") {
        const f = step.fields
        if (!(f.length === 1 && f[0] === "" && s.charCodeAt(at) !== QUOTE)) {
          items.push({ _tag: "record", line: this.line, fields: f })
        }
      } else {
        items.push(step.error!)
      }
      this.line += step.breaks
      at = step.end
    }
    this.buffer = at === 0 ? s : s.slice(at)
    return items
  }

  private fail(line: number, reason: string): CsvSyntaxError {
    this.failed = true
    this.buffer = ""
    return { _tag: "syntaxError", line, reason, fatal: true }
  }
}

/** Counts line breaks (CRLF, LF or a lone CR) in `s[from, to)`. */
const countBreaks = (s: string, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === LF) n++
    else if (c === CR && s.charCodeAt(i + 1) !== LF) n++
  }
  return n
}

/**
 * After a malformed field, skip to the end of the physical line so reading can resume. Returns
 * -1 when the line end is not in the buffer yet.
 */
const skipLine = (s: string, from: number, final: boolean): number => {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === LF) return i + 1
    if (c === CR) {
      if (i + 1 === s.length && !final) return -1
      return s.charCodeAt(i + 1) === LF ? i + 2 : i + 1
    }
  }
  return final ? s.length : -1
}

const incomplete = (inQuote: boolean, quoteLine: number): void => {
  step.kind = "incomplete"
  step.inQuote = inQuote
  step.quoteLine = quoteLine
}

const done = (fields: Array<string>, end: number, breaks: number): void => {
  step.kind = "record"
  step.fields = fields
  step.end = end
  step.breaks = breaks
}

const malformed = (s: string, start: number, from: number, final: boolean, breaks: number, error: CsvSyntaxError): void => {
  const end = skipLine(s, from, final)
  if (end === -1) return incomplete(false, 0)
  let textEnd = end
  while (textEnd > start && (s.charCodeAt(textEnd - 1) === LF || s.charCodeAt(textEnd - 1) === CR)) textEnd--
  step.kind = "error"
  step.error = { ...error, text: s.slice(start, textEnd) }
  step.end = end
  step.breaks = breaks + 1
}

/**
 * Next positions of the four special characters in the current buffer, at or after the position
 * they were last looked up from (the buffer length when there is none). Finding delimiters with
 * `indexOf` from these caches costs one native scan per character kind per buffer, instead of a
 * JavaScript loop over every character.
 */
let nextComma = -1
let nextLf = -1
let nextCr = -1
let nextQuote = -1

/** Forgets the cached positions: call whenever reading starts over on a new buffer. */
const resetCache = (): void => {
  nextComma = -1
  nextLf = -1
  nextCr = -1
  nextQuote = -1
}

const find = (s: string, ch: string, from: number): number => {
  const i = s.indexOf(ch, from)
  return i === -1 ? s.length : i
}

/** Reads the record starting at `start` into `step`. */
const readRecord = (s: string, start: number, line: number, final: boolean): void => {
  const n = s.length
  const fields: Array<string> = []
  let breaks = 0
  let j = start
  for (;;) {
    let k: number
    if (s.charCodeAt(j) === QUOTE) {
      // Find the closing quote, stepping over doubled quotes; unescape once at the end.
      let q = j
      let doubled = false
      for (;;) {
        if (nextQuote <= q) nextQuote = find(s, '"', q + 1)
        q = nextQuote
        if (q === n || (q + 1 === n && !final)) return incomplete(true, line + breaks)
        if (s.charCodeAt(q + 1) !== QUOTE) break
        doubled = true
        q++
      }
      const raw = s.slice(j + 1, q)
      fields.push(doubled ? raw.replace(DOUBLED_QUOTES, '"') : raw)
      if (raw.indexOf("\n") !== -1 || raw.indexOf("\r") !== -1) breaks += countBreaks(s, j + 1, q)
      k = q + 1
      const c = s.charCodeAt(k)
      if (k < n && c !== COMMA && c !== LF && c !== CR) {
        return malformed(s, start, k, final, breaks, {
          _tag: "syntaxError",
          line,
          field: fields.length,
          reason: `unexpected text after the closing quote of cell ${fields.length}: a quote inside a quoted cell must be doubled ("")`,
          fatal: false
        })
      }
    } else {
      if (nextComma < j) nextComma = find(s, ",", j)
      if (nextLf < j) nextLf = find(s, "\n", j)
      if (nextCr < j) nextCr = find(s, "\r", j)
      if (nextQuote < j) nextQuote = find(s, '"', j)
      k = nextComma < nextLf ? nextComma : nextLf
      if (nextCr < k) k = nextCr
      if (k === n && !final) return incomplete(false, 0)
      if (nextQuote < k) {
        return malformed(s, start, k, final, breaks, {
          _tag: "syntaxError",
          line,
          field: fields.length + 1,
          reason: `stray quote in unquoted cell ${fields.length + 1}: quote the whole cell and double the quotes inside it`,
          fatal: false
        })
      }
      fields.push(s.slice(j, k))
    }
    // k is now on the delimiter after the field, or at the end of the input.
    if (k >= n) {
      if (!final) return incomplete(false, 0)
      return done(fields, n, breaks + 1)
    }
    const c = s.charCodeAt(k)
    if (c === COMMA) {
      j = k + 1
      if (j === n && !final) return incomplete(false, 0)
      continue
    }
    if (c === LF) return done(fields, k + 1, breaks + 1)
    // CR: wait for the next chunk when it may be the first half of a CRLF.
    if (k + 1 === n && !final) return incomplete(false, 0)
    return done(fields, s.charCodeAt(k + 1) === LF ? k + 2 : k + 1, breaks + 1)
  }
}

/** Where the text comes from: a Node stream, a web stream, an array of chunks. */
export type TextSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>

/**
 * Decodes UTF-8 chunks (a leading BOM is dropped) into text chunks. Invalid UTF-8, including a
 * UTF-16 file, becomes a `TextDecodeFailure` naming what to do about it.
 */
export async function* decodeUtf8(source: TextSource): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true })
  let first = true
  for await (const chunk of source) {
    if (typeof chunk === "string") {
      yield chunk
      continue
    }
    if (first && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      throw new TextDecodeFailure("the file is UTF-16 encoded; save it as UTF-8")
    }
    first = false
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch {
      throw new TextDecodeFailure("the file is not valid UTF-8; save it as UTF-8")
    }
    if (text.length > 0) yield text
  }
  let rest: string
  try {
    rest = decoder.decode()
  } catch {
    throw new TextDecodeFailure("the file ends in the middle of a UTF-8 character; save it as UTF-8")
  }
  if (rest.length > 0) yield rest
}

/** The bytes of an input are not UTF-8 text. */
export class TextDecodeFailure extends Error {
  override readonly name = "TextDecodeFailure"
}

/**
 * Parses a CSV source, yielding the items completed by each input chunk (one array per chunk,
 * so a consumer's per-await cost is per chunk, not per row). A decoding failure is yielded as a
 * fatal syntax error on the line reached so far.
 */
export async function* parseCsv(source: TextSource, options: CsvTokenizerOptions = {}): AsyncGenerator<Array<CsvItem>> {
  const tokenizer = new CsvTokenizer(options)
  let lastLine = 1
  try {
    for await (const text of decodeUtf8(source)) {
      const items = tokenizer.push(text)
      if (items.length > 0) {
        lastLine = items[items.length - 1].line
        yield items
      }
    }
  } catch (error) {
    if (!(error instanceof TextDecodeFailure)) throw error
    yield [{ _tag: "syntaxError", line: lastLine, reason: error.message, fatal: true }]
    return
  }
  const items = tokenizer.end()
  if (items.length > 0) yield items
}
