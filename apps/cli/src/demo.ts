// `npm start`: a short end-to-end run of the connector path on this machine. Starts the example
// directory on 127.0.0.1, then runs the example plugin's `check` and `extract` through the same
// code as `npm run connector -- ...`, writes the NDJSON under .data/demo/ and prints a summary.
// (The full platform demo with the API, worker and store replaces this as those land.)
import { startExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { runCli } from "./Cli.ts"
import type { CliIo } from "./CliIo.ts"

const root = resolve(import.meta.dirname, "../../..")
const dataDir = join(root, ".data", "demo")
mkdirSync(dataDir, { recursive: true })

const directory = await startExampleDirectory()
let stdout = ""
const io: CliIo = {
  stdout: (text) => void (stdout += text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: root,
  interactive: false
}
try {
  console.log(`Example directory listening on ${directory.url}`)
  const configFile = join(dataDir, "example-config.json")
  writeFileSync(configFile, JSON.stringify({ baseUrl: directory.url, token: directory.token, pageSize: 10 }, null, 2))
  const out = join(dataDir, "example.ndjson")

  const checked = await runCli(["check", "--plugin", "example", "--config", configFile], io)
  const report = JSON.parse(stdout) as { status: string; capabilitySets: Record<string, string> }
  console.log(`check: ${report.status} (read ${report.capabilitySets.read}, lifecycle ${report.capabilitySets.lifecycle})`)
  if (checked !== 0) {
    process.exitCode = checked
  } else {
    const extracted = await runCli(["extract", "--plugin", "example", "--config", configFile, "--out", out], io)
    process.exitCode = extracted
    if (extracted === 0) {
      const counts = new Map<string, number>()
      for (const line of readFileSync(out, "utf8").split("\n")) {
        if (line === "") continue
        const r = JSON.parse(line) as { type: string; entityType?: string; sourceType?: string; metadata?: { privilegeName?: string } }
        const key = r.type === "entity" ? `entity ${r.entityType}/${r.sourceType}` : `relation ${r.metadata?.privilegeName ?? r.type}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      console.log("Extracted:")
      for (const [key, n] of counts) console.log(`  ${key.padEnd(32)} ${n}`)
      console.log(`NDJSON: ${relative(process.cwd(), out)}`)
      console.log("Try it yourself: npm run connector -- --help")
    }
  }
} finally {
  await directory.close()
}
