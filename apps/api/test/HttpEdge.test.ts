import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { endpoint, json, jsonBody, type AnyEndpoint } from "../src/contract/Endpoint.ts"
import { ApiErrors } from "../src/http/ApiError.ts"
import { defaultHttpOptions, makeApp, type HttpOptions } from "../src/http/App.ts"
import type { Handlers } from "../src/http/Handler.ts"

// A small API of its own, so the HTTP edge (auth, limits, validation, problems) is tested apart
// from the store. Its one service is a counter, provided through a Layer like the real ones.
class Notes extends Context.Service<Notes, { readonly all: () => Array<string> }>()("test/Notes") {
  static readonly layer = Layer.sync(Notes, () => {
    const notes: Array<string> = []
    return Notes.of({ all: () => notes })
  })
}

const Note = Schema.Struct({ text: Schema.String.check(Schema.isMinLength(1)), tags: Schema.optionalKey(Schema.Array(Schema.String)) })
const NoteView = Schema.Struct({ id: Schema.Int, text: Schema.String })

const endpoints = [
  endpoint({ name: "addNote", method: "post", path: "/v1/notes", tag: "T", summary: "add", auth: "apiKey", body: jsonBody(Note), success: json(NoteView, 201), errors: [] }),
  endpoint({ name: "getNote", method: "get", path: "/v1/notes/{n}", tag: "T", summary: "get", auth: "apiKey", params: Schema.Struct({ n: Schema.FiniteFromString.check(Schema.isInt()) }), success: json(NoteView), errors: ["not-found"] }),
  endpoint({ name: "adminPing", method: "get", path: "/v1/admin/ping", tag: "T", summary: "ping", auth: "admin", success: json(Schema.Struct({ ok: Schema.Boolean })), errors: [] }),
  endpoint({ name: "boom", method: "get", path: "/v1/boom", tag: "T", summary: "bug", auth: "public", success: json(Schema.Struct({ ok: Schema.Boolean })), errors: [] })
] as const

const handlers: Handlers<typeof endpoints, Notes> = {
  addNote: ({ body }) =>
    Notes.use((notes) =>
      Effect.sync(() => {
        notes.all().push(body.text)
        // The extra field is not in the response schema, so it must not reach the client.
        return { id: notes.all().length, text: body.text, secret: "hunter2" } as { id: number; text: string }
      })
    ),
  getNote: ({ params }) =>
    Notes.use((notes) => {
      const text = notes.all()[params.n - 1]
      return text === undefined ? Effect.fail(ApiErrors.notFound("Note", String(params.n))) : Effect.succeed({ id: params.n, text })
    }),
  adminPing: () => Effect.succeed({ ok: true }),
  boom: () => Effect.die(new Error("a bug with a secret in it: hunter2"))
}

const KEY = { "x-api-key-id": "key_1", "x-api-key-secret": "s3cret" }

const makeTestApp = (overrides: Partial<HttpOptions> = {}) => {
  const runtime = ManagedRuntime.make(Notes.layer)
  return makeApp<Notes>({
    endpoints: endpoints as ReadonlyArray<AnyEndpoint>,
    handlers: handlers as never,
    runtime,
    options: { ...defaultHttpOptions, adminToken: Redacted.make("admin-token"), ...overrides },
    authenticateApiKey: (keyId, secret) =>
      Effect.succeed(keyId === "key_1" && Redacted.value(secret) === "s3cret" ? { kind: "apiKey" as const, tenantId: "tn_1" as never, apiKeyId: keyId } : undefined)
  })
}

const post = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...KEY, "content-type": "application/json", ...headers },
  body
})

describe("the HTTP edge", () => {
  it("answers 401 problem+json without an API key, and with a wrong one", async () => {
    const app = makeTestApp()
    const none = await app.request("/v1/notes/1")
    assert.strictEqual(none.status, 401)
    assert.strictEqual(none.headers.get("content-type"), "application/problem+json")
    const problem = await none.json()
    assert.strictEqual(problem.type, "https://idconnect.dev/problems/unauthorized")
    assert.strictEqual(problem.code, "unauthorized")
    assert.match(problem.detail, /X-Api-Key-ID/)
    const wrong = await app.request("/v1/notes/1", { headers: { ...KEY, "x-api-key-secret": "nope" } })
    assert.strictEqual(wrong.status, 401)
  })

  it("creates with 201 and never returns fields the response schema does not declare", async () => {
    const app = makeTestApp()
    const res = await app.request("/v1/notes", post(JSON.stringify({ text: "hello" })))
    assert.strictEqual(res.status, 201)
    const text = await res.text()
    assert.deepStrictEqual(JSON.parse(text), { id: 1, text: "hello" })
    assert.notInclude(text, "hunter2")
  })

  it("names every invalid field in a 400 validation problem", async () => {
    const app = makeTestApp()
    const res = await app.request("/v1/notes", post(JSON.stringify({ text: "", tags: [1], colour: "red" })))
    assert.strictEqual(res.status, 400)
    const problem = await res.json()
    assert.strictEqual(problem.code, "validation-failed")
    const fields = problem.errors.map((e: { field: string }) => e.field).sort()
    assert.deepStrictEqual(fields, ["colour", "tags.0", "text"])
  })

  it("validates path parameters with the endpoint's schema", async () => {
    const app = makeTestApp()
    const res = await app.request("/v1/notes/abc", { headers: KEY })
    assert.strictEqual(res.status, 400)
    assert.strictEqual((await res.json()).errors[0].field, "n")
    const missing = await app.request("/v1/notes/7", { headers: KEY })
    assert.strictEqual(missing.status, 404)
    assert.strictEqual((await missing.json()).detail, "Note '7' not found")
  })

  it("refuses malformed JSON, too-deep JSON and the wrong content type", async () => {
    const app = makeTestApp({ maxJsonDepth: 8 })
    const bad = await app.request("/v1/notes", post("{ not json"))
    assert.strictEqual((await bad.json()).code, "invalid-json")
    const deep = await app.request("/v1/notes", post(`{"text":"x","tags":${"[".repeat(20)}${"]".repeat(20)}}`))
    assert.strictEqual(deep.status, 400)
    assert.strictEqual((await deep.json()).code, "json-too-deep")
    const form = await app.request("/v1/notes", post("text=x", { "content-type": "application/x-www-form-urlencoded" }))
    assert.strictEqual(form.status, 415)
  })

  it("answers 413 for a body over the limit, declared or streamed", async () => {
    const app = makeTestApp({ jsonBodyLimitBytes: 100 })
    const big = JSON.stringify({ text: "x".repeat(500) })
    const declared = await app.request("/v1/notes", post(big))
    assert.strictEqual(declared.status, 413)
    assert.strictEqual((await declared.json()).code, "payload-too-large")
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(big))
        c.close()
      }
    })
    const streamed = await app.request("/v1/notes", { method: "POST", headers: { ...KEY, "content-type": "application/json" }, body: chunked, duplex: "half" } as RequestInit)
    assert.strictEqual(streamed.status, 413)
  })

  it("rate-limits per API key with 429 and Retry-After", async () => {
    const app = makeTestApp({ rateLimit: { capacity: 3, refillPerSecond: 0.001 } })
    const statuses: Array<number> = []
    for (let i = 0; i < 4; i++) statuses.push((await app.request("/v1/notes/1", { headers: KEY })).status)
    assert.deepStrictEqual(statuses, [404, 404, 404, 429])
    const limited = await app.request("/v1/notes/1", { headers: KEY })
    assert.strictEqual(limited.headers.get("content-type"), "application/problem+json")
    assert.ok(Number(limited.headers.get("retry-after")) >= 1)
    assert.strictEqual((await limited.json()).code, "rate-limited")
  })

  it("protects admin endpoints with the admin token", async () => {
    const app = makeTestApp()
    assert.strictEqual((await app.request("/v1/admin/ping")).status, 401)
    assert.strictEqual((await app.request("/v1/admin/ping", { headers: { authorization: "Bearer wrong" } })).status, 401)
    assert.strictEqual((await app.request("/v1/admin/ping", { headers: { authorization: "Bearer admin-token" } })).status, 200)
    const disabled = makeTestApp({ adminToken: undefined })
    const res = await disabled.request("/v1/admin/ping", { headers: { authorization: "Bearer admin-token" } })
    assert.strictEqual(res.status, 401)
    assert.match((await res.json()).detail, /IDCONNECT_ADMIN_TOKEN/)
  })

  it("turns a bug into a 500 that reveals nothing", async () => {
    const app = makeTestApp()
    const res = await app.request("/v1/boom")
    assert.strictEqual(res.status, 500)
    const text = await res.text()
    assert.notInclude(text, "hunter2")
    assert.strictEqual(JSON.parse(text).code, "internal")
  })

  it("answers unknown routes with a 404 problem", async () => {
    const res = await makeTestApp().request("/v1/nothing-here")
    assert.strictEqual(res.status, 404)
    assert.strictEqual(res.headers.get("content-type"), "application/problem+json")
  })

  it("sends no CORS headers by default, and only allowed origins when configured", async () => {
    const off = await makeTestApp().request("/v1/notes/1", { method: "OPTIONS", headers: { origin: "https://ui.example", "access-control-request-method": "GET" } })
    assert.isNull(off.headers.get("access-control-allow-origin"))
    const app = makeTestApp({ corsOrigins: ["https://ui.example"] })
    const allowed = await app.request("/v1/notes/1", { headers: { ...KEY, origin: "https://ui.example" } })
    assert.strictEqual(allowed.headers.get("access-control-allow-origin"), "https://ui.example")
    const other = await app.request("/v1/notes/1", { headers: { ...KEY, origin: "https://evil.example" } })
    assert.notStrictEqual(other.headers.get("access-control-allow-origin"), "https://evil.example")
  })
})
