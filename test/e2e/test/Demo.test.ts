import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeApiClient } from "@idconnect/api/client/ApiClient"
import type { DemoState } from "@idconnect/api/demo/DemoSetup"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { startProcess, type RunningProcess } from "../src/ChildProcess.ts"

// `npm start` as a user runs it: the root script's entry, in its own process, with a data folder
// of its own; Ctrl-C (SIGINT) must stop it cleanly, and a second start must reuse the data.
const dataDir = mkdtempSync(join(tmpdir(), "idconnect-demo-"))
const running: Array<RunningProcess> = []

const startDemo = async () => {
  const demo = startProcess("tools/demo/src/main.ts", { IDCONNECT_DATA_DIR: dataDir, IDCONNECT_API_PORT: "0", DATABASE_URL: undefined }, "demo")
  running.push(demo)
  await demo.waitFor(/Press Ctrl-C to stop\./, "the demo was ready")
  return demo
}

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

describe("the one-command demo", () => {
  it("starts everything, prints a working key and curl examples, and stops on Ctrl-C", async () => {
    const demo = await startDemo()
    const state = JSON.parse(readFileSync(join(dataDir, "demo.json"), "utf8")) as DemoState
    const out = demo.output()
    assert.include(out, state.apiUrl)
    assert.include(out, state.apiKeyId)
    assert.strictEqual(out.match(/^curl -s /gm)?.length, 3)

    const client = makeApiClient({ baseUrl: state.apiUrl, apiKey: { id: state.apiKeyId, secret: state.apiKeySecret } })
    const integration = await client.call("getIntegration", { params: { id: state.integrationId } })
    assert.strictEqual(integration.status, "Connected")
    assert.match(integration.message, /Data available/)
    assert.isNotNull(state.exampleIdentity)
    const access = await client.call("getEffectiveAccess", { params: { id: state.integrationId }, query: { sourceId: state.exampleIdentity!.sourceId } })
    assert.isAbove(access.grants.length, 0)
    const csv = await client.call("exportEntities", { params: { id: state.integrationId } })
    assert.match(csv, /^App,Name\*/)

    const exit = await demo.stop("SIGINT")
    assert.deepStrictEqual(exit, { code: 0, signal: null })
    assert.include(demo.output(), "Stopped.")
  }, 240_000)

  it("reuses the tenant, key and data on the next start", async () => {
    const before = JSON.parse(readFileSync(join(dataDir, "demo.json"), "utf8")) as DemoState
    const demo = await startDemo()
    const after = JSON.parse(readFileSync(join(dataDir, "demo.json"), "utf8")) as DemoState
    assert.include(demo.output(), "Reusing tenant")
    assert.strictEqual(after.apiKeyId, before.apiKeyId)
    assert.strictEqual(after.integrationId, before.integrationId)
    const client = makeApiClient({ baseUrl: after.apiUrl, apiKey: { id: after.apiKeyId, secret: after.apiKeySecret } })
    const runs = await client.call("listRuns", { params: { id: after.integrationId } })
    assert.isAtLeast(runs.items.filter((r) => r.status === "succeeded").length, 2, "the first start's run is still there")
    assert.deepStrictEqual(await demo.stop("SIGINT"), { code: 0, signal: null })
  }, 240_000)
})
