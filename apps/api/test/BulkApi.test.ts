import { examplePlugin } from "@idconnect/connector-example/ExamplePlugin"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ADMIN_TOKEN, startApi, type ApiHarness } from "./support/ApiHarness.ts"

// The API half of the bulk flow, with no worker: uploads are received, stored and queued, and the
// polling URL keeps answering 404 because nothing processes them. test/e2e covers processing.
let harness: ApiHarness
let key: Record<string, string>
let integrationId: string

const call = async (method: string, url: string, body?: BodyInit, headers: Record<string, string> = {}) => {
  const res = await fetch(url.startsWith("http") ? url : `${harness.api.url}${url}`, { method, headers: { ...key, ...headers }, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  return { status: res.status, text, json: /json/.test(res.headers.get("content-type") ?? "") && text !== "" ? JSON.parse(text) : undefined }
}
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call("POST", url, JSON.stringify(body), { "content-type": "application/json", ...headers })

const ENTITIES_CSV = "App,Name*,Entity Type*,Source System*,Source ID*,Source Type*,Metadata Version,Metadata\r\nhr,Ada,identity,hr,u1,user,,\r\n"

beforeAll(async () => {
  harness = await startApi([examplePlugin], { rawBodyLimitBytes: 4096 })
  const created = await call("POST", "/v1/admin/tenants", JSON.stringify({ name: "Uploader" }), {
    authorization: `Bearer ${ADMIN_TOKEN}`,
    "content-type": "application/json"
  })
  key = { "x-api-key-id": created.json.apiKey.id, "x-api-key-secret": created.json.apiKey.secret }
  const integration = await postJson("/v1/integrations", {
    name: "HR system",
    app: "example",
    primaryOwner: { email: "hr@contoso.example" },
    mode: "bulk",
    config: { sourceSystem: "hr" }
  })
  assert.strictEqual(integration.status, 201)
  integrationId = integration.json.id
})

afterAll(async () => {
  await harness?.close()
})

describe("the bulk upload API", () => {
  it("hands out a signed single-use upload URL, and a retried PUT ingests nothing twice", async () => {
    const ticket = await postJson(`/v1/integrations/${integrationId}/entities/upload-url`, {})
    assert.strictEqual(ticket.status, 201)
    assert.strictEqual(ticket.json.method, "PUT")
    assert.strictEqual(ticket.json.maxBytes, 4096)
    assert.isTrue(Date.parse(ticket.json.expiresAt) > Date.now())
    // Nothing received yet: the polling URL says 404.
    assert.strictEqual((await call("HEAD", ticket.json.pollingUrl)).status, 404)

    const put = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: ENTITIES_CSV })
    assert.strictEqual(put.status, 202)
    const accepted = await put.json()
    assert.strictEqual(accepted.replayed, false)
    assert.strictEqual(accepted.bytes, ENTITIES_CSV.length)

    const again = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: ENTITIES_CSV })
    assert.strictEqual(again.status, 200)
    const replay = await again.json()
    assert.strictEqual(replay.replayed, true)
    assert.strictEqual(replay.runId, accepted.runId)
    const runs = await call("GET", `/v1/integrations/${integrationId}/runs`)
    assert.strictEqual(runs.json.items.filter((r: { kind: string }) => r.kind === "ingest").length, 1)
    // Received but not processed (no worker here): still 404.
    assert.strictEqual((await call("HEAD", ticket.json.pollingUrl)).status, 404)
  })

  it("of two concurrent PUTs of one upload URL only one writes and starts an ingestion", async () => {
    const ingestRuns = async () =>
      (await call("GET", `/v1/integrations/${integrationId}/runs?limit=100`)).json.items.filter((r: { kind: string }) => r.kind === "ingest").length
    const before = await ingestRuns()
    const ticket = await postJson(`/v1/integrations/${integrationId}/entities/upload-url`, {})
    const put = () => fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: ENTITIES_CSV })
    const [a, b] = await Promise.all([put(), put()])
    // The loser answers from the winner's upload (a replay) or, while it is still being written, 409.
    assert.deepStrictEqual([a.status, b.status].filter((s) => s === 202), [202])
    assert.isTrue([a.status, b.status].every((s) => s === 202 || s === 200 || s === 409))
    assert.strictEqual(await ingestRuns(), before + 1)
    assert.strictEqual((await call("GET", `/v1/integrations/${integrationId}/uploads/${ticket.json.uploadId}`)).status, 404)
  })

  it("a retry while the first PUT is still sending is told to wait; once that request is abandoned the retry writes", async () => {
    const ticket = await postJson(`/v1/integrations/${integrationId}/entities/upload-url`, {})
    // The first client sends half the file and stalls, then gives up.
    const abandon = new AbortController()
    let sent!: () => void
    const halfSent = new Promise<void>((resolve) => (sent = resolve))
    const stalled = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(new TextEncoder().encode(ENTITIES_CSV.slice(0, 40)))
        sent()
      }
    })
    const first = fetch(ticket.json.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "text/csv" },
      body: stalled,
      signal: abandon.signal,
      duplex: "half"
    } as RequestInit).catch((e: unknown) => e)
    try {
      await halfSent
      // The server claims the upload when the request arrives, before the body ends: wait until it says so.
      for (let polls = 0; ; polls++) {
        const state = await call("GET", ticket.json.pollingUrl)
        if (/still processing/.test(state.json.detail)) break
        assert.isBelow(polls, 1000, `the first PUT never took the upload: ${state.text}`)
      }
      const busy = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: ENTITIES_CSV })
      assert.strictEqual(busy.status, 409)
      assert.match((await busy.json()).detail, /is being written by another request; if that request failed, retry after \d{4}-\d\d-\d\dT/)
      assert.isAbove(Number(busy.headers.get("retry-after")), 0)
    } finally {
      abandon.abort()
    }
    assert.instanceOf(await first, Error)
    // The abandoned write gave the upload back, without its half file: the retry writes the whole file.
    let retry: Response
    for (let attempts = 0; ; attempts++) {
      retry = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: ENTITIES_CSV })
      if (retry.status !== 409) break
      assert.isBelow(attempts, 1000, "the abandoned PUT never gave the upload back")
      await retry.body?.cancel()
    }
    assert.strictEqual(retry.status, 202)
    assert.strictEqual((await retry.json()).bytes, ENTITIES_CSV.length)
  })

  it("answers a retried keyed multipart upload from the first one, before reading its body", async () => {
    const form = new FormData()
    form.set("entities", new Blob([ENTITIES_CSV], { type: "text/csv" }), "entities.csv")
    const first = await call("POST", `/v1/integrations/${integrationId}/uploads`, form, { "idempotency-key": "manual-7" })
    assert.strictEqual(first.status, 202)
    // The retry's body is cut off (not valid multipart): it is never read, the first answer stands.
    const retry = await call("POST", `/v1/integrations/${integrationId}/uploads`, "--cut-off", {
      "idempotency-key": "manual-7",
      "content-type": "multipart/form-data; boundary=cut-off"
    })
    assert.strictEqual(retry.status, 200)
    assert.strictEqual(retry.json.runId, first.json.runId)
    assert.isTrue(retry.json.replayed)
    // Without a key, the same body is read first and refused, naming the problem.
    const unkeyed = await call("POST", `/v1/integrations/${integrationId}/uploads`, "--cut-off", { "content-type": "multipart/form-data; boundary=cut-off" })
    assert.strictEqual(unkeyed.status, 400)
    assert.match(unkeyed.text, /multipart body could not be read/)
  })

  it("refuses tampered tokens, and oversized files with 413", async () => {
    const ticket = await postJson(`/v1/integrations/${integrationId}/entity-relations/upload-url`, { format: "ndjson" })
    const url = new URL(ticket.json.uploadUrl)
    const token = url.searchParams.get("token")!
    url.searchParams.set("token", `${token.slice(0, -2)}xx`)
    const tampered = await fetch(url, { method: "PUT", headers: { "content-type": "application/x-ndjson" }, body: "{}\n" })
    assert.strictEqual(tampered.status, 401)
    const big = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "application/x-ndjson" }, body: "x".repeat(5000) })
    assert.strictEqual(big.status, 413)
    assert.strictEqual((await big.json()).code, "payload-too-large")
    // The failed attempt left nothing behind: the same URL still takes the file.
    const ok = await fetch(ticket.json.uploadUrl, { method: "PUT", headers: { "content-type": "application/x-ndjson" }, body: '{"parentSourceId":"u1","parentEntityType":"identity","entitySourceId":"g1","entityType":"connection"}\n' })
    assert.strictEqual(ok.status, 202)
  })

  it("returns the same upload for a retried request with the same Idempotency-Key", async () => {
    const first = await postJson(`/v1/integrations/${integrationId}/entities/upload-url`, {}, { "idempotency-key": "nightly-2024-05-01" })
    const second = await postJson(`/v1/integrations/${integrationId}/entities/upload-url`, {}, { "idempotency-key": "nightly-2024-05-01" })
    assert.strictEqual(first.status, 201)
    assert.strictEqual(second.status, 200)
    assert.strictEqual(second.json.uploadId, first.json.uploadId)
    const batch = { entities: [{ name: "Bob", entityType: "identity", sourceSystem: "hr", sourceId: "u2", sourceType: "user" }] }
    const b1 = await postJson(`/v1/integrations/${integrationId}/batches`, batch, { "idempotency-key": "batch-1" })
    const b2 = await postJson(`/v1/integrations/${integrationId}/batches`, batch, { "idempotency-key": "batch-1" })
    assert.strictEqual(b1.status, 202)
    assert.strictEqual(b2.status, 200)
    assert.strictEqual(b2.json.runId, b1.json.runId)
    assert.isTrue(b2.json.replayed)
  })

  it("validates JSON batches row by row before storing anything", async () => {
    const bad = await postJson(`/v1/integrations/${integrationId}/batches`, {
      entities: [
        { name: "Ok", entityType: "identity", sourceSystem: "hr", sourceId: "u3", sourceType: "user" },
        { name: "", entityType: "robot", sourceSystem: "hr", sourceId: "u4", sourceType: "user" }
      ]
    })
    assert.strictEqual(bad.status, 400)
    const fields = bad.json.errors.map((e: { field: string }) => e.field)
    assert.include(fields, "entities.1.entityType")
  })

  it("takes a multipart manual upload with both files", async () => {
    const form = new FormData()
    form.set("entities", new Blob([ENTITIES_CSV], { type: "text/csv" }), "entities.csv")
    form.set("relations", new Blob(["Parent Entity Source ID*,Parent Entity Type*,Entity Source ID*,Entity Type*\r\n"], { type: "text/csv" }), "relations.csv")
    const res = await call("POST", `/v1/integrations/${integrationId}/uploads`, form)
    assert.strictEqual(res.status, 202)
    assert.isString(res.json.runId)
  })

  it("refuses uploads to an integration that pulls its data", async () => {
    const direct = await postJson("/v1/integrations", {
      name: "Pulled",
      app: "example",
      primaryOwner: { email: "hr@contoso.example" },
      mode: "direct",
      config: { baseUrl: "http://127.0.0.1:9", token: "t" }
    })
    const res = await postJson(`/v1/integrations/${direct.json.id}/entities/upload-url`, {})
    assert.strictEqual(res.status, 422)
    assert.strictEqual(res.json.code, "unsupported")
    const download = await call("POST", `/v1/integrations/${direct.json.id}/entities/download-url`)
    assert.strictEqual(download.status, 404)
  })
})
