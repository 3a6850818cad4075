import { createReadStream } from "node:fs"
import { pipeline } from "node:stream/promises"
import pg from "pg"
import { from as copyFrom } from "pg-copy-streams"

/**
 * The baseline of scenarios 3 and 4: PostgreSQL's own bulk load, `COPY ... FROM STDIN (FORMAT csv)`
 * through pg-copy-streams, of the same CSV files into bare tables (one text column per CSV column,
 * no keys, no indexes, no validation). Nothing loads rows into PostgreSQL faster from a client,
 * so ours/COPY says what our parsing, validation, staging and publish cost on top.
 */
export interface BareCopyResult {
  readonly rows: number
  readonly ms: number
}

const headerOf = async (file: string): Promise<ReadonlyArray<string>> => {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 })
  for await (const chunk of stream) {
    stream.destroy()
    return String(chunk).split(/\r?\n/u, 1)[0]!.split(",")
  }
  return []
}

/** Loads each file into a fresh table `bare_<n>`; returns rows loaded and the time of the COPYs. */
export const bareCopy = async (databaseUrl: string, files: ReadonlyArray<string>): Promise<BareCopyResult> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const tables: Array<string> = []
    for (const [n, file] of files.entries()) {
      const columns = await headerOf(file)
      const table = `bare_${n}`
      await client.query(`drop table if exists ${table}`)
      await client.query(`create table ${table} (${columns.map((_, c) => `c${c} text`).join(", ")})`)
      tables.push(table)
    }
    const started = performance.now()
    let rows = 0
    for (const [n, file] of files.entries()) {
      const copy = client.query(copyFrom(`COPY ${tables[n]} FROM STDIN (FORMAT csv, HEADER true)`))
      await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), copy)
      rows += Number(copy.rowCount ?? 0)
    }
    return { rows, ms: performance.now() - started }
  } finally {
    await client.end()
  }
}
