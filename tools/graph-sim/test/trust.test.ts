import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureCa } from "../src/Ca.ts"
import { type GraphSimHandle, startGraphSim } from "../src/GraphSim.ts"

const run = promisify(execFile)
let sim: GraphSimHandle
let dir: string

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "graph-sim-trust-"))
  sim = await startGraphSim({ caDir: dir })
})
afterAll(async () => {
  await sim?.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

// Runs a fresh Node process (no CA trusted yet) that calls the simulator with fetch and node:https.
const probe = async (useTrustCa: boolean): Promise<{ fetch: string; https: string }> => {
  const trust = path.join(import.meta.dirname, "..", "src", "trustCa.ts")
  const script = `
    import * as https from "node:https"
    import { readFileSync } from "node:fs"
    ${useTrustCa ? `const { trustCa } = await import(${JSON.stringify(trust)}); trustCa(readFileSync(${JSON.stringify(sim.caFile)}, "utf8"))` : ""}
    const url = ${JSON.stringify(`${sim.authorityHost}/common/discovery/instance`)}
    const viaFetch = await fetch(url).then((r) => String(r.status), (e) => "error: " + (e.cause?.code ?? e.message))
    const viaHttps = await new Promise((resolve) => https.get(url, (r) => { r.resume(); resolve(String(r.statusCode)) }).on("error", (e) => resolve("error: " + e.code)))
    console.log(JSON.stringify({ fetch: viaFetch, https: viaHttps }))
  `
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 })
  return JSON.parse(stdout.trim())
}

describe("CA trust", () => {
  it("without trust, both fetch and node:https reject the simulator's certificate", async () => {
    const r = await probe(false)
    expect(r.fetch).toMatch(/^error/)
    expect(r.https).toMatch(/^error/)
  })

  it("trustCa (tls.setDefaultCACertificates) makes both global fetch and node:https trust it", async () => {
    expect(await probe(true)).toEqual({ fetch: "200", https: "200" })
  })

  it("ensureCa is safe to call concurrently and reloads the stored CA", async () => {
    const target = path.join(dir, "concurrent")
    const all = await Promise.all([ensureCa(target), ensureCa(target), ensureCa(target), ensureCa(target)])
    expect(new Set(all.map((c) => c.caPem)).size).toBe(1)
    expect((await ensureCa(target)).caPem).toBe(all[0].caPem)
    expect(await fs.readFile(all[0].caFile, "utf8")).toBe(all[0].caPem)
  })
})
