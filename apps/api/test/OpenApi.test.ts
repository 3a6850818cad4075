import { validate } from "@readme/openapi-parser"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { apiEndpoints } from "../src/contract/Api.ts"
import { apiHandlers, type ApiServices } from "../src/handlers/ApiHandlers.ts"
import { defaultHttpOptions, makeApp } from "../src/http/App.ts"
import { apiDocument } from "../src/openapi/ApiDocument.ts"

// The app as the server mounts it; routes are only listed here, never called, so no services.
const app = makeApp<ApiServices>({
  endpoints: apiEndpoints,
  handlers: apiHandlers,
  runtime: ManagedRuntime.make(Layer.empty as Layer.Layer<ApiServices>),
  options: defaultHttpOptions,
  authenticateApiKey: () => Effect.succeed(undefined)
})

const doc = () => JSON.parse(apiDocument().json)

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(doc())
    assert.deepStrictEqual(result.valid ? [] : result.errors, [])
    assert.strictEqual(doc().openapi, "3.1.0")
  })

  it("lists every route the app mounts, and nothing it does not", async () => {
    const mounted = app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`)
      .sort()
    const documented = Object.entries(doc().paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).filter((m) => m !== "head").map((m) => `${m} ${path}`))
      .sort()
    assert.deepStrictEqual(mounted, documented)
    assert.isAtLeast(mounted.length, 30)
  })

  it("documents problem responses and derives component schemas from the shared schemas", async () => {
    const d = doc()
    for (const name of ["Entity", "EntityRelation", "Integration", "IntegrationInput", "CheckReport", "Run", "Problem", "Plan"]) {
      assert.property(d.components.schemas, name)
    }
    const create = d.paths["/v1/integrations"].post
    assert.strictEqual(create.requestBody.content["application/json"].schema.$ref, "#/components/schemas/IntegrationInput")
    assert.strictEqual(create.responses["400"].content["application/problem+json"].schema.$ref, "#/components/schemas/Problem")
    assert.deepStrictEqual(create.security, [{ ApiKeyId: [], ApiKeySecret: [] }])
    assert.deepStrictEqual(d.paths["/v1/openapi.json"].get.security, [])
  })

  it("is served at /v1/openapi.json, with a reference page at /v1/docs that lists every operation", async () => {
    const served = await app.request("/v1/openapi.json")
    assert.strictEqual(served.status, 200)
    assert.deepStrictEqual(await served.json(), doc())
    const page = await app.request("/v1/docs")
    assert.match(page.headers.get("content-type") ?? "", /text\/html/)
    const html = await page.text()
    for (const e of apiEndpoints) assert.include(html, `id="op-${e.name}"`)
    assert.notMatch(html, /<script[^>]+src=|<link[^>]+href="http/, "the page loads nothing from elsewhere")
  })
})
