import { assert, describe, it } from "@effect/vitest"
import { type CsvItem, CsvTokenizer, parseCsv } from "../src/CsvParser.ts"

const tokenize = (text: string): Array<CsvItem> => {
  const t = new CsvTokenizer()
  return [...t.push(text), ...t.end()]
}

const records = (items: ReadonlyArray<CsvItem>) =>
  items.map((i) => (i._tag === "record" ? { line: i.line, fields: i.fields } : { line: i.line, error: i.reason }))

const collect = async (source: Iterable<Uint8Array | string>): Promise<Array<CsvItem>> => {
  const out: Array<CsvItem> = []
  for await (const items of parseCsv(source)) out.push(...items)
  return out
}

describe("CsvTokenizer", () => {
  it("reads quoted cells holding commas, doubled quotes and line breaks, tracking the line each record starts on", () => {
    const text = 'a,b,c\n1,"x, y","she said ""hi"""\n2,"two\nline\ncell",z\n3,,\n'
    assert.deepStrictEqual(records(tokenize(text)), [
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "x, y", 'she said "hi"'] },
      { line: 3, fields: ["2", "two\nline\ncell", "z"] },
      { line: 6, fields: ["3", "", ""] }
    ])
  })

  it("accepts CRLF, LF and lone CR line ends mixed in one file, and skips blank lines", () => {
    const text = "h1,h2\r\na,b\nc,d\re,f\r\n\r\n\ng,h"
    assert.deepStrictEqual(records(tokenize(text)), [
      { line: 1, fields: ["h1", "h2"] },
      { line: 2, fields: ["a", "b"] },
      { line: 3, fields: ["c", "d"] },
      { line: 4, fields: ["e", "f"] },
      { line: 7, fields: ["g", "h"] }
    ])
  })

  it("keeps CRLF inside a quoted cell as written and counts it as one line", () => {
    assert.deepStrictEqual(records(tokenize('x,"a\r\nb"\r\ny,z\r\n')), [
      { line: 1, fields: ["x", "a\r\nb"] },
      { line: 3, fields: ["y", "z"] }
    ])
  })

  it("drops a UTF-8 byte order mark given as text", () => {
    assert.deepStrictEqual(records(tokenize("\uFEFFName,Id\nA,1\n")), [
      { line: 1, fields: ["Name", "Id"] },
      { line: 2, fields: ["A", "1"] }
    ])
  })

  it("gives the same records however the input is cut into chunks", () => {
    const text = '\uFEFFa,b,c\r\n1,"x,y","q ""z"""\n2,"multi\r\nline",z\r3,,\n\n4,bad"quote,q\n5,"ok"x,q\n6,7,8'
    const whole = tokenize(text)
    for (let cut = 1; cut < text.length; cut++) {
      const t = new CsvTokenizer()
      const split = [...t.push(text.slice(0, cut)), ...t.push(text.slice(cut)), ...t.end()]
      assert.deepStrictEqual(split, whole, `cut at ${cut}`)
    }
    const t = new CsvTokenizer()
    const oneByOne = [...[...text].flatMap((ch) => t.push(ch)), ...t.end()]
    assert.deepStrictEqual(oneByOne, whole)
  })

  it("reports a stray quote in an unquoted cell with its line and cell, then reads on from the next line", () => {
    const items = tokenize('a,b\n1,Heidi "the hacker"\n2,ok\n')
    assert.deepStrictEqual(records(items), [
      { line: 1, fields: ["a", "b"] },
      { line: 2, error: "stray quote in unquoted cell 2: quote the whole cell and double the quotes inside it" },
      { line: 3, fields: ["2", "ok"] }
    ])
    const error = items[1]
    assert.strictEqual(error._tag === "syntaxError" && error.field, 2)
    assert.strictEqual(error._tag === "syntaxError" && error.fatal, false)
    assert.strictEqual(error._tag === "syntaxError" && error.text, '1,Heidi "the hacker"')
  })

  it("reports text after a closing quote", () => {
    const items = tokenize('a,b\n1,"ok"x\n2,fine\n')
    assert.deepStrictEqual(records(items)[1], {
      line: 2,
      error: 'unexpected text after the closing quote of cell 2: a quote inside a quoted cell must be doubled ("")'
    })
    assert.deepStrictEqual(records(items)[2], { line: 3, fields: ["2", "fine"] })
  })

  it("reports an unterminated quote at the end of the input as fatal, on the line the quote opened", () => {
    const items = tokenize('a,b\n1,2\n3,"never closed\n4,5\n')
    assert.deepStrictEqual(records(items), [
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, error: "unterminated quoted field: the quote opened on line 3 is never closed" }
    ])
    assert.strictEqual(items[2]._tag === "syntaxError" && items[2].fatal, true)
  })

  it("stops with a fatal error instead of buffering without end when a quote is never closed in a long input", () => {
    const t = new CsvTokenizer({ maxRecordLength: 1000 })
    const items = [...t.push('a,b\n1,"open\n'), ...t.push("x".repeat(600)), ...t.push("y".repeat(600))]
    assert.deepStrictEqual(records(items), [
      { line: 1, fields: ["a", "b"] },
      { line: 2, error: "unterminated quoted field: the quote opened on line 2 is not closed within 1000 characters" }
    ])
    assert.deepStrictEqual(t.push("z\n"), [])
    assert.deepStrictEqual(t.end(), [])
  })
})

describe("parseCsv", () => {
  it("decodes UTF-8 split inside multi-byte characters and drops the BOM", async () => {
    const bytes = new TextEncoder().encode("\uFEFFName,City\nJosé,Zürich 🏔\n")
    const chunks = [...bytes].map((b) => Uint8Array.of(b))
    assert.deepStrictEqual(records(await collect(chunks)), [
      { line: 1, fields: ["Name", "City"] },
      { line: 2, fields: ["José", "Zürich 🏔"] }
    ])
  })

  it("reports a file that is not UTF-8", async () => {
    const items = await collect([new TextEncoder().encode("a,b\n1,2\n"), Uint8Array.of(0x63, 0xff, 0x0a)])
    assert.deepStrictEqual(records(items).at(-1), { line: 2, error: "the file is not valid UTF-8; save it as UTF-8" })
  })

  it("names UTF-16 as the problem when the file is UTF-16", async () => {
    const items = await collect([Uint8Array.of(0xff, 0xfe, 0x61, 0x00)])
    assert.deepStrictEqual(records(items), [{ line: 1, error: "the file is UTF-16 encoded; save it as UTF-8" }])
  })
})
