import { examplePlugin } from "@idconnect/connector-example/ExamplePlugin"
import { startExampleDirectory, type ExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ADMIN_TOKEN, startApi, type ApiHarness } from "./support/ApiHarness.ts"

let harness: ApiHarness
let directory: ExampleDirectory
let key: Record<string, string>

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = key) => {
  const res = await fetch(`${harness.api.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.text()
  const isJson = /json/.test(res.headers.get("content-type") ?? "")
  return { status: res.status, text, json: isJson && text !== "" ? JSON.parse(text) : undefined, headers: res.headers }
}

const owner = { email: "owner@contoso.example", name: "Olive Owner" }

beforeAll(async () => {
  directory = await startExampleDirectory({ users: 12, groups: 3 })
  harness = await startApi([examplePlugin])
  const created = await call("POST", "/v1/admin/tenants", { name: "Contoso" }, { authorization: `Bearer ${ADMIN_TOKEN}` })
  assert.strictEqual(created.status, 201)
  key = { "x-api-key-id": created.json.apiKey.id, "x-api-key-secret": created.json.apiKey.secret }
})

afterAll(async () => {
  await harness?.close()
  await directory?.close()
})

describe("the API on a real store", () => {
  it("bootstraps a tenant whose key works, and whose secret is never listed", async () => {
    const me = await call("GET", "/v1/tenant")
    assert.strictEqual(me.status, 200)
    assert.strictEqual(me.json.name, "Contoso")
    const keys = await call("GET", "/v1/api-keys")
    assert.strictEqual(keys.json.items.length, 1)
    assert.notInclude(keys.text, key["x-api-key-secret"]!)
    const noAdmin = await call("POST", "/v1/admin/tenants", { name: "Evil" }, key)
    assert.strictEqual(noAdmin.status, 401)
  })

  it("lists plugins with modes, capability sets and a config schema that marks secrets", async () => {
    const plugins = await call("GET", "/v1/plugins")
    const example = plugins.json.items.find((p: { id: string }) => p.id === "example")
    assert.deepStrictEqual(example.capabilitySets, ["read", "lifecycle"])
    const direct = example.modes.find((m: { mode: string }) => m.mode === "direct")
    assert.deepStrictEqual(direct.secretFields, ["token"])
    assert.include(direct.lifecycle, "addGroupMember")
    assert.strictEqual(JSON.stringify(direct.configSchema).includes('"x-secret":true'), true)
    assert.strictEqual((await call("GET", "/v1/plugins/nope")).status, 404)
  })

  it("refuses an invalid integration naming each field, and writes nothing", async () => {
    const bad = await call("POST", "/v1/integrations", {
      name: "Directory",
      app: "example",
      primaryOwner: { email: "not-an-email" },
      mode: "direct",
      config: { baseUrl: "ftp://x", extra: 1 }
    })
    assert.strictEqual(bad.status, 400)
    const fields = bad.json.errors.map((e: { field: string }) => e.field).sort()
    assert.include(fields, "primaryOwner.email")
    const config = await call("POST", "/v1/integrations", { name: "Directory", app: "example", primaryOwner: owner, mode: "direct", config: { baseUrl: "ftp://x", extra: 1 } })
    const configFields = config.json.errors.map((e: { field: string }) => e.field).sort()
    assert.deepStrictEqual(configFields, ["config.baseUrl", "config.extra", "config.token"])
    const unknownApp = await call("POST", "/v1/integrations", { name: "X", app: "nope", primaryOwner: owner, mode: "direct", config: {} })
    assert.strictEqual(unknownApp.json.errors[0].field, "app")
    const wrongMode = await call("POST", "/v1/integrations", { name: "X", app: "example", primaryOwner: owner, mode: "scim", config: {} })
    assert.strictEqual(wrongMode.json.errors[0].field, "mode")
    assert.deepStrictEqual((await call("GET", "/v1/integrations")).json.items, [])
  })

  it("keeps secrets write-only, rotates one alone, and tests the connection with it", async () => {
    const created = await call("POST", "/v1/integrations", {
      name: "Directory",
      description: "The example directory",
      app: "example",
      primaryOwner: owner,
      secondaryOwners: [{ email: "second@contoso.example" }],
      mode: "direct",
      config: { baseUrl: directory.url, token: directory.token }
    })
    assert.strictEqual(created.status, 201)
    assert.notInclude(created.text, directory.token)
    assert.deepStrictEqual(created.json.secrets, { token: "set" })
    assert.deepStrictEqual(created.json.config, { baseUrl: directory.url })
    assert.strictEqual(created.json.status, "Pending")
    const id = created.json.id

    const good = await call("POST", `/v1/integrations/${id}/test`)
    assert.strictEqual(good.status, 200)
    assert.strictEqual(good.json.status, "Connected")
    assert.strictEqual((await call("GET", `/v1/integrations/${id}`)).json.status, "Connected")

    const rotated = await call("PATCH", `/v1/integrations/${id}`, { config: { token: "wrong-token" } })
    assert.strictEqual(rotated.status, 200)
    assert.notInclude(rotated.text, "wrong-token")
    assert.deepStrictEqual(rotated.json.config, { baseUrl: directory.url })
    const bad = await call("POST", `/v1/integrations/${id}/test`)
    assert.strictEqual(bad.json.status, "Error")
    assert.strictEqual(bad.json.findings[0].code, "CredentialsRejected")
    const errored = await call("GET", `/v1/integrations/${id}`)
    assert.strictEqual(errored.json.status, "Error")
    assert.strictEqual(errored.json.message, bad.json.message)

    // Renaming keeps the stored secret: the next test still uses the rotated (bad) token.
    const renamed = await call("PATCH", `/v1/integrations/${id}`, { name: "Directory (prod)" })
    assert.deepStrictEqual(renamed.json.secrets, { token: "set" })
    await call("PATCH", `/v1/integrations/${id}`, { config: { token: directory.token } })
    assert.strictEqual((await call("POST", `/v1/integrations/${id}/test`)).json.status, "Connected")

    const audit = await call("GET", `/v1/integrations/${id}/audit`)
    const actions = audit.json.items.map((e: { action: string }) => e.action)
    assert.include(actions, "integration.created")
    assert.include(actions, "secret.rotated")
    assert.include(actions, "integration.updated")
    assert.notInclude(audit.text, directory.token)
  })

  it("queues a sync, shows it, and cancels it", async () => {
    const { json: integration } = await call("POST", "/v1/integrations", {
      name: "To sync",
      app: "example",
      primaryOwner: owner,
      mode: "direct",
      config: { baseUrl: directory.url, token: directory.token }
    })
    const triggered = await call("POST", `/v1/integrations/${integration.id}/runs`, {})
    assert.strictEqual(triggered.status, 202)
    assert.strictEqual(triggered.json.status, "queued")
    assert.strictEqual(triggered.headers.get("location"), `/v1/integrations/${integration.id}/runs/${triggered.json.id}`)
    const again = await call("POST", `/v1/integrations/${integration.id}/runs`, {})
    assert.strictEqual(again.json.id, triggered.json.id, "a second trigger while one is queued answers with that run")
    const runs = await call("GET", `/v1/integrations/${integration.id}/runs`)
    assert.strictEqual(runs.json.items.length, 1)
    const cancelled = await call("POST", `/v1/integrations/${integration.id}/runs/${triggered.json.id}/cancel`)
    assert.strictEqual(cancelled.json.status, "cancelled")
    const twice = await call("POST", `/v1/integrations/${integration.id}/runs/${triggered.json.id}/cancel`)
    assert.strictEqual(twice.status, 409)
  })

  it("plans lifecycle operations only when enabled, and queues the apply", async () => {
    const { json: integration } = await call("POST", "/v1/integrations", {
      name: "Lifecycle",
      app: "example",
      primaryOwner: owner,
      mode: "direct",
      config: { baseUrl: directory.url, token: directory.token }
    })
    const op = { operation: "addGroupMember", params: { groupId: "g-03", memberId: "u-0001" } }
    const off = await call("POST", `/v1/integrations/${integration.id}/lifecycle/plans`, { operations: [op] })
    assert.strictEqual(off.status, 403)
    assert.match(off.json.detail, /lifecycleEnabled/)
    await call("PATCH", `/v1/integrations/${integration.id}`, { lifecycleEnabled: true })
    const invalid = await call("POST", `/v1/integrations/${integration.id}/lifecycle/plans`, {
      operations: [{ operation: "addGroupMember", params: {} }, { operation: "explode", params: {} }]
    })
    assert.strictEqual(invalid.status, 400)
    const fields = invalid.json.errors.map((e: { field: string }) => e.field)
    assert.include(fields, "operations.0.params.groupId")
    assert.include(fields, "operations.1.operation")
    const planned = await call("POST", `/v1/integrations/${integration.id}/lifecycle/plans`, { operations: [op] })
    assert.strictEqual(planned.status, 201)
    assert.strictEqual(planned.json.status, "planned")
    assert.strictEqual(planned.json.plan.operations[0].outcome, "change")
    assert.deepStrictEqual(directory.changes(), [], "planning changes nothing")
    const applying = await call("POST", `/v1/integrations/${integration.id}/lifecycle/plans/${planned.json.id}/apply`)
    assert.strictEqual(applying.status, 202)
    assert.strictEqual(applying.json.status, "applying")
    assert.isString(applying.json.runId)
    assert.strictEqual((await call("POST", `/v1/integrations/${integration.id}/lifecycle/plans/${planned.json.id}/apply`)).status, 409)
  })

  it("answers data queries on an integration that has no data yet", async () => {
    const { json: integration } = await call("POST", "/v1/integrations", {
      name: "Empty",
      app: "example",
      primaryOwner: owner,
      mode: "direct",
      config: { baseUrl: directory.url, token: directory.token }
    })
    const entities = await call("GET", `/v1/integrations/${integration.id}/entities?limit=5`)
    assert.strictEqual(entities.status, 200)
    assert.deepStrictEqual(entities.json, { items: [], nextCursor: null })
    const badLimit = await call("GET", `/v1/integrations/${integration.id}/entities?limit=5000`)
    assert.strictEqual(badLimit.status, 400)
    assert.strictEqual(badLimit.json.errors[0].field, "limit")
    const csv = await call("GET", `/v1/integrations/${integration.id}/export/entities.csv`)
    assert.strictEqual(csv.status, 200)
    assert.match(csv.headers.get("content-type") ?? "", /text\/csv/)
    assert.match(csv.text, /^App,Name\*,Entity Type\*/)
    const deleted = await call("DELETE", `/v1/integrations/${integration.id}`)
    assert.strictEqual(deleted.status, 204)
    assert.strictEqual((await call("GET", `/v1/integrations/${integration.id}`)).status, 404)
  })
})
