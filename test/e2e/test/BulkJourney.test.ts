import type { ApiClient } from "@idconnect/api/client/ApiClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { startPlatform, type Platform } from "../src/Platform.ts"
import { followRetryAfter, waitForRun } from "../src/Polling.ts"

// Issue 8 end to end: a customer's upload job against the bulk API, the worker ingesting.
let platform: Platform
let client: ApiClient
let bulkId: string
let platformKey: Record<string, string>

const owner = { email: "hr-ops@contoso.example" }
const ENTITIES = [
  "App,Name*,Entity Type*,Source System*,Source ID*,Source Type*,Metadata Version,Metadata",
  'hr,Ada Lovelace,identity,hr,u1,user,v1,"{""department"":""Engineering""}"',
  "hr,Alan Turing,identity,hr,u2,user,,",
  "hr,Engineers,connection,hr,g1,group,,",
  "hr,Payroll,resource,hr,app1,application,,"
].join("\r\n") + "\r\n"
const RELATIONS = [
  "App,Parent Entity Source ID*,Parent Entity Type*,Entity Source ID*,Entity Type*,Source System,Metadata Version,Metadata",
  'hr,u1,identity,g1,connection,hr,v1,"{""privilegeName"":""member"",""privilegeValue"":true,""connectionType"":""group""}"',
  'hr,g1,connection,app1,resource,hr,v1,"{""privilegeName"":""grant""}"'
].join("\r\n") + "\r\n"

/** Sends a file to an upload URL the way a customer's job does, with curl-like PUT. */
const put = (url: string, body: string, contentType = "text/csv") => fetch(url, { method: "PUT", headers: { "content-type": contentType }, body })

/** HEAD on the polling URL until it answers 200, honouring Retry-After, then the GET report. */
const report = async (pollingUrl: string) => {
  const key = platformKey
  const head = await followRetryAfter(() => fetch(pollingUrl, { method: "HEAD", headers: key }))
  assert.strictEqual(head.status, 200)
  return (await (await fetch(pollingUrl, { headers: key })).json()) as {
    published: boolean
    status: string
    message: string
    counts: { entities: number; relations: number }
    errors: Array<{ message: string; objectId?: string }>
  }
}

beforeAll(async () => {
  platform = await startPlatform()
  const tenant = await platform.admin.call("createTenant", { body: { name: "Contoso" } })
  platformKey = { "x-api-key-id": tenant.apiKey.id, "x-api-key-secret": tenant.apiKey.secret }
  client = platform.client({ id: tenant.apiKey.id, secret: tenant.apiKey.secret })
  const bulk = await client.call("createIntegration", {
    body: { name: "HR system (bulk)", app: "example", mode: "bulk", primaryOwner: owner, config: { sourceSystem: "hr" } }
  })
  bulkId = bulk.id
})

afterAll(async () => {
  await platform?.stop()
})

describe("the bulk upload API", () => {
  it("uploads entities then relations, polls until processed, and shows the data through the API", async () => {
    const entities = await client.call("createEntitiesUploadUrl", { params: { id: bulkId }, body: {} })
    const head = await fetch(entities.pollingUrl, { method: "HEAD", headers: platformKey })
    assert.strictEqual(head.status, 404, "nothing to report before the file arrives")
    assert.strictEqual((await put(entities.uploadUrl, ENTITIES)).status, 202)
    const first = await report(entities.pollingUrl)
    assert.isTrue(first.published, first.message)
    assert.strictEqual(first.counts.entities, 4)

    const relations = await client.call("createRelationsUploadUrl", { params: { id: bulkId }, body: {} })
    assert.strictEqual((await put(relations.uploadUrl, RELATIONS)).status, 202)
    const second = await report(relations.pollingUrl)
    assert.isTrue(second.published, second.message)

    const people = await client.call("listEntities", { params: { id: bulkId }, query: { entityType: "identity" } })
    assert.deepStrictEqual(people.items.map((e) => e.name).sort(), ["Ada Lovelace", "Alan Turing"])
    const access = await client.call("getEffectiveAccess", { params: { id: bulkId }, query: { sourceId: "u1" } })
    const payroll = access.grants.find((g) => g.target.sourceId === "app1")
    assert.strictEqual(payroll?.kind, "inherited")
    assert.deepStrictEqual(payroll?.path, ["u1", "g1", "app1"])
    const integration = await client.call("getIntegration", { params: { id: bulkId } })
    assert.strictEqual(integration.status, "Connected")
  })

  it("does not ingest a retried upload twice, and reports invalid rows by line without publishing", async () => {
    const ticket = await client.call("createEntitiesUploadUrl", { params: { id: bulkId }, body: {} })
    const bad = ENTITIES + "hr,,identity,hr,u3,user,,\r\n"
    const first = await put(ticket.uploadUrl, bad)
    assert.strictEqual(first.status, 202)
    const retried = await put(ticket.uploadUrl, bad)
    assert.strictEqual(retried.status, 200)
    const [a, b] = [(await first.json()) as { runId: string }, (await retried.json()) as { runId: string; replayed: boolean }]
    assert.strictEqual(b.runId, a.runId)
    assert.isTrue(b.replayed)
    const result = await report(ticket.pollingUrl)
    assert.isFalse(result.published)
    assert.strictEqual(result.status, "failed")
    assert.strictEqual(result.errors[0]?.objectId, "6", "the bad row is line 6 of the file")
    assert.match(result.errors[0]!.message, /Name/)
    // Nothing was published: the snapshot still has the two people of the first upload.
    const people = await client.call("listEntities", { params: { id: bulkId }, query: { entityType: "identity" } })
    assert.strictEqual(people.items.length, 2)
    const runs = await client.call("listRuns", { params: { id: bulkId } })
    assert.strictEqual(runs.items.filter((r) => r.id === a.runId).length, 1)
  })

  it("accepts JSON batches and answers a retried batch with the same run", async () => {
    const batch = {
      entities: [
        { name: "Grace Hopper", entityType: "identity" as const, sourceSystem: "hr", sourceId: "u9", sourceType: "user" },
        { name: "Engineers", entityType: "connection" as const, sourceSystem: "hr", sourceId: "g1", sourceType: "group" }
      ],
      relations: [{ parentSourceId: "u9", parentEntityType: "identity" as const, entitySourceId: "g1", entityType: "connection" as const, metadata: { privilegeName: "member" } }]
    }
    const other = await client.call("createIntegration", { body: { name: "Batch feed", app: "example", mode: "bulk", primaryOwner: owner, config: {} } })
    const first = await client.raw("postBatch", { params: { id: other.id }, body: batch, headers: { "idempotency-key": "feed-1" } })
    const again = await client.raw("postBatch", { params: { id: other.id }, body: batch, headers: { "idempotency-key": "feed-1" } })
    const [a, b] = [(await first.json()) as { runId: string }, (await again.json()) as { runId: string; replayed: boolean }]
    assert.strictEqual(first.status, 202)
    assert.strictEqual(b.runId, a.runId)
    const run = await waitForRun(client, other.id, a.runId)
    assert.strictEqual(run.status, "succeeded", JSON.stringify(run.error))
    const holders = await client.call("getHolders", { params: { id: other.id }, query: { sourceId: "g1" } })
    assert.deepStrictEqual(holders.holders.map((h) => h.identity.name), ["Grace Hopper"])
  })

  it("exports through download URLs and re-imports them through upload URLs into the same snapshot", async () => {
    const entitiesTicket = await client.call("createEntitiesDownloadUrl", { params: { id: bulkId } })
    const relationsTicket = await client.call("createRelationsDownloadUrl", { params: { id: bulkId } })
    assert.strictEqual((await fetch(entitiesTicket.pollingUrl, { method: "HEAD" })).status, 200)
    const downloaded = await (await fetch(entitiesTicket.downloadUrl)).text()
    assert.match(downloaded, /^BRN\*,Timestamp\*,App\*,Integration\*,Name\*/)
    assert.match(downloaded, /brn:bid:idconnect:::/)
    const downloadedRelations = await (await fetch(relationsTicket.downloadUrl)).text()
    assert.match(downloadedRelations, /^App\*,Timestamp\*,Integration\*,Parent Entity BRN\*/)

    // The download format re-imports (its BRN, Timestamp and Integration columns are ignored)...
    const copy = await client.call("createIntegration", { body: { name: "HR copy", app: "example", mode: "bulk", primaryOwner: owner, config: {} } })
    const up = await client.call("createEntitiesUploadUrl", { params: { id: copy.id }, body: {} })
    assert.strictEqual((await put(up.uploadUrl, downloaded)).status, 202)
    assert.isTrue((await report(up.pollingUrl)).published)
    // ...and the upload-format export of both files gives the same snapshot.
    const exportEntities = await client.call("exportEntities", { params: { id: bulkId } })
    const exportRelations = await client.call("exportRelations", { params: { id: bulkId } })
    const form = new FormData()
    form.set("entities", new Blob([exportEntities], { type: "text/csv" }), "entities.csv")
    form.set("relations", new Blob([exportRelations], { type: "text/csv" }), "entity-relations.csv")
    const manual = await client.raw("uploadFiles", { params: { id: copy.id }, body: form })
    assert.strictEqual(manual.status, 202)
    assert.isTrue((await report(((await manual.json()) as { pollingUrl: string }).pollingUrl)).published)
    const sorted = (csv: string) => csv.split("\r\n").filter((l) => l !== "").sort()
    assert.deepStrictEqual(sorted(await client.call("exportEntities", { params: { id: copy.id } })), sorted(exportEntities))
    assert.deepStrictEqual(sorted(await client.call("exportRelations", { params: { id: copy.id } })), sorted(exportRelations))
  })

  it("refuses a file over the integration's size limit with a clear 413", async () => {
    const small = await client.call("createIntegration", {
      body: { name: "Tiny feed", app: "example", mode: "bulk", primaryOwner: owner, config: { maxUploadBytes: 100 } }
    })
    const ticket = await client.call("createEntitiesUploadUrl", { params: { id: small.id }, body: {} })
    assert.strictEqual(ticket.maxBytes, 100)
    const res = await put(ticket.uploadUrl, ENTITIES)
    assert.strictEqual(res.status, 413)
    const problem = (await res.json()) as { code: string; detail: string }
    assert.strictEqual(problem.code, "payload-too-large")
    assert.match(problem.detail, /100 bytes/)
  })
})
