import { startExampleDirectory, type ExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { ApiProblemError, type ApiClient } from "@idconnect/api/client/ApiClient"
import { apiEndpoints } from "@idconnect/api/contract/Api"
import { validate } from "@readme/openapi-parser"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { isolationCases, type TenantResources } from "../src/IsolationCases.ts"
import { startPlatform, type Platform } from "../src/Platform.ts"
import { followRetryAfter, waitForRun } from "../src/Polling.ts"

// One tenant's whole journey through the real API over HTTP, with the worker process, PostgreSQL
// and the Graph simulator running; then another tenant tries every endpoint on the first one's data.
let platform: Platform
let directory: ExampleDirectory
let contoso: ApiClient
let contosoKey: { id: string; secret: string }
let fabrikam: { id: string; secret: string }
let entraId: string
let firstRunId: string
let secondRunId: string
let csvId: string
let uploadId: string
let exampleId: string
let planId: string

const owner = { email: "iam@contoso.example", name: "IAM team" }
const simTenant = () => platform.sim.tenant(platform.sim.tenants[0]!.tenantId)
const lines = (csv: string) => csv.split("\r\n").filter((l) => l !== "").sort()

const sync = async (client: ApiClient, integrationId: string) => {
  const run = await client.call("triggerSync", { params: { id: integrationId }, body: {} })
  return waitForRun(client, integrationId, run.id)
}

beforeAll(async () => {
  platform = await startPlatform()
  directory = await startExampleDirectory({ users: 8, groups: 3 })
})

afterAll(async () => {
  await platform?.stop()
  await directory?.close()
})

describe("a tenant's journey through the API", () => {
  it("bootstraps two tenants with the admin token, each with a working key", async () => {
    const a = await platform.admin.call("createTenant", { body: { name: "Contoso" } })
    const b = await platform.admin.call("createTenant", { body: { name: "Fabrikam" } })
    contosoKey = { id: a.apiKey.id, secret: a.apiKey.secret }
    fabrikam = { id: b.apiKey.id, secret: b.apiKey.secret }
    contoso = platform.client(contosoKey)
    assert.strictEqual((await contoso.call("getTenant")).name, "Contoso")
    assert.strictEqual((await platform.client(fabrikam).call("getTenant")).name, "Fabrikam")
  })

  it("creates an Entra integration whose secret is never shown, and tests its connection with good and bad secrets", async () => {
    const created = await contoso.call("createIntegration", {
      body: { name: "Contoso Entra ID", app: "entra", mode: "direct", primaryOwner: owner, config: platform.entraConfig() }
    })
    entraId = created.id
    assert.deepStrictEqual(created.secrets, { clientSecret: "set", certificate: "not set" })
    assert.notProperty(created.config, "clientSecret")
    assert.notInclude(JSON.stringify(created), String(platform.entraConfig().clientSecret))

    const good = await contoso.call("testConnection", { params: { id: entraId } })
    assert.strictEqual(good.status, "Connected")
    assert.strictEqual(good.capabilitySets.read, "ready")

    await contoso.call("updateIntegration", { params: { id: entraId }, body: { config: { clientSecret: "not-the-secret" } } })
    const bad = await contoso.call("testConnection", { params: { id: entraId } })
    assert.strictEqual(bad.status, "Error")
    assert.match(bad.message, /secret/i)
    assert.isString(bad.findings[0]?.fix)
    const errored = await contoso.call("getIntegration", { params: { id: entraId } })
    assert.strictEqual(errored.status, "Error")

    await contoso.call("updateIntegration", { params: { id: entraId }, body: { config: { clientSecret: String(platform.entraConfig().clientSecret) } } })
    assert.strictEqual((await contoso.call("testConnection", { params: { id: entraId } })).status, "Connected")
  })

  it("syncs through the worker until the integration is Connected with data available", async () => {
    const tenant = simTenant()
    tenant.counters.reset()
    const run = await sync(contoso, entraId)
    firstRunId = run.id
    assert.strictEqual(run.status, "succeeded", JSON.stringify(run.error))
    assert.isAbove(run.progress.entities, 0)
    // The run says what it cost Graph: the requests and resource units the simulator counted.
    const charged = tenant.counters.snapshot()
    assert.strictEqual(run.progress.requests, charged.requests)
    assert.strictEqual(run.progress.resourceUnits, charged.resourceUnits)
    assert.strictEqual(run.progress.throttled, charged.throttled)
    // And the worker's /metrics counts it for operators.
    const metrics = await fetch(platform.workerMetricsUrl!).then((r) => r.text())
    assert.match(metrics, new RegExp(`idconnect_source_requests_total\\{plugin="entra"\\} ${charged.requests}\\b`))
    assert.match(metrics, new RegExp(`idconnect_source_resource_units_total\\{plugin="entra"\\} ${charged.resourceUnits}\\b`))
    const integration = await contoso.call("getIntegration", { params: { id: entraId } })
    assert.strictEqual(integration.status, "Connected")
    assert.match(integration.message, /Data available/)
    assert.strictEqual(integration.lastRunId, run.id)
    const runs = await contoso.call("listRuns", { params: { id: entraId } })
    assert.include(runs.items.map((r) => r.id), run.id)
  })

  it("lists the snapshot with filters and cursor pagination", async () => {
    const truthUsers = simTenant().truth.users()
    const page1 = await contoso.call("listEntities", { params: { id: entraId }, query: { entityType: "identity", sourceType: "user", limit: 4 } })
    assert.strictEqual(page1.items.length, 4)
    assert.isString(page1.nextCursor)
    const all = [...page1.items]
    let cursor = page1.nextCursor
    while (cursor !== null) {
      const next = await contoso.call("listEntities", { params: { id: entraId }, query: { entityType: "identity", sourceType: "user", limit: 4, cursor } })
      all.push(...next.items)
      cursor = next.nextCursor
    }
    assert.deepStrictEqual(all.map((e) => e.sourceId).sort(), truthUsers.map((u) => u.id).sort())
    const someone = truthUsers[0]!
    const found = await contoso.call("listEntities", { params: { id: entraId }, query: { search: someone.displayName.slice(1, 6).toUpperCase() } })
    assert.include(found.items.map((e) => e.sourceId), someone.id)
  })

  it("answers an identity's effective access, direct and inherited with the path, and who holds a group", async () => {
    const truth = simTenant().truth
    // A user that reaches a group only through a nested group.
    let pick: { user: string; group: string } | undefined
    for (const g of truth.groups()) {
      const direct = new Set(truth.members(g.id).map((m) => m.id))
      const viaNesting = truth.transitiveMembers(g.id).find((m) => m.type === "user" && !direct.has(m.id))
      if (viaNesting !== undefined) {
        pick = { user: viaNesting.id, group: g.id }
        break
      }
    }
    assert.isDefined(pick, "the demo tenant has nested groups")
    const access = await contoso.call("getEffectiveAccess", { params: { id: entraId }, query: { sourceId: pick!.user, limit: 1000 } })
    const grant = access.grants.find((g) => g.target.sourceId === pick!.group && g.privilegeName === "member")
    assert.isDefined(grant)
    assert.strictEqual(grant!.kind, "inherited")
    assert.strictEqual(grant!.path[0], pick!.user)
    assert.strictEqual(grant!.path.at(-1), pick!.group)
    assert.isAtLeast(grant!.path.length, 3)
    const directGroups = truth.groups().filter((g) => truth.members(g.id).some((m) => m.id === pick!.user)).map((g) => g.id)
    for (const id of directGroups) {
      assert.strictEqual(access.grants.find((g) => g.target.sourceId === id && g.privilegeName === "member")?.kind, "direct")
    }

    const holders = await contoso.call("getHolders", { params: { id: entraId }, query: { sourceId: pick!.group, limit: 1000 } })
    const expected = truth.transitiveMembers(pick!.group).filter((m) => m.type === "user").map((m) => m.id).sort()
    const got = [...new Set(holders.holders.filter((h) => h.privilegeName === "member" && h.identity.sourceType === "user").map((h) => h.identity.sourceId))].sort()
    assert.deepStrictEqual(got, expected)
  })

  it("shows what changed in the simulated tenant between two syncs", async () => {
    const tenant = simTenant()
    const truth = tenant.truth
    const newcomer = tenant.createUser({ displayName: "Zed Newhire", userPrincipalName: `zed.newhire@${tenant.domain}` })
    const renamed = truth.users()[1]!
    tenant.updateUser(renamed.id, { displayName: "Renamed Person" })
    const group = truth.groups().find((g) => truth.members(g.id).some((m) => m.type === "user"))!
    const leaver = truth.members(group.id).find((m) => m.type === "user")!
    tenant.removeMember(group.id, leaver.id)
    tenant.addMember(group.id, newcomer.id)

    const run = await sync(contoso, entraId)
    secondRunId = run.id
    assert.strictEqual(run.status, "succeeded", JSON.stringify(run.error))
    const diff = await contoso.call("getDiff", { params: { id: entraId }, query: { from: firstRunId, to: secondRunId, limit: 1000 } })
    assert.include(diff.entities.added.map((e) => e.sourceId), newcomer.id)
    const change = diff.entities.changed.find((c) => c.after.sourceId === renamed.id)
    assert.strictEqual(change?.after.name, "Renamed Person")
    assert.strictEqual(change?.before.name, renamed.displayName)
    const isMembership = (member: string) => (r: { parentSourceId: string; entitySourceId: string; metadata?: { privilegeName?: string } }) =>
      r.parentSourceId === member && r.entitySourceId === group.id && r.metadata?.privilegeName === "member"
    assert.isTrue(diff.relations.added.some(isMembership(newcomer.id)))
    assert.isTrue(diff.relations.removed.some(isMembership(leaver.id)))
    assert.isAtLeast(diff.effectiveAccess.counts.added, 1)
    // The default "to" is the latest published run.
    const latest = await contoso.call("getDiff", { params: { id: entraId }, query: { from: firstRunId } })
    assert.strictEqual(latest.to.runId, secondRunId)
  })

  it("exports CSV that re-imports through a manual upload into the same snapshot", async () => {
    const entities = await contoso.call("exportEntities", { params: { id: entraId } })
    const relations = await contoso.call("exportRelations", { params: { id: entraId } })
    const csv = await contoso.call("createIntegration", {
      body: { name: "Contoso (CSV copy)", app: "example", mode: "csv", primaryOwner: owner, config: {} }
    })
    csvId = csv.id
    const form = new FormData()
    form.set("entities", new Blob([entities], { type: "text/csv" }), "entities.csv")
    form.set("relations", new Blob([relations], { type: "text/csv" }), "entity-relations.csv")
    const res = await contoso.raw("uploadFiles", { params: { id: csvId }, body: form })
    assert.strictEqual(res.status, 202, await res.clone().text())
    const accepted = (await res.json()) as { uploadId: string; runId: string; pollingUrl: string }
    uploadId = accepted.uploadId
    const report = await followRetryAfter(() => contoso.raw("getUpload", { params: { id: csvId, uploadId } }))
    assert.strictEqual(report.status, 200)
    const body = (await report.json()) as { published: boolean; message: string }
    assert.isTrue(body.published, body.message)
    const again = await contoso.call("exportEntities", { params: { id: csvId } })
    const againRelations = await contoso.call("exportRelations", { params: { id: csvId } })
    assert.deepStrictEqual(lines(again), lines(entities))
    assert.deepStrictEqual(lines(againRelations), lines(relations))
  })

  it("plans lifecycle operations as a dry run, applies them as a job, and keeps the audit trail", async () => {
    const example = await contoso.call("createIntegration", {
      body: {
        name: "Example directory",
        app: "example",
        mode: "direct",
        primaryOwner: owner,
        config: { baseUrl: directory.url, token: directory.token },
        lifecycleEnabled: true
      }
    })
    exampleId = example.id
    const plan = await contoso.call("createPlan", {
      params: { id: exampleId },
      body: { operations: [{ operation: "addGroupMember", params: { groupId: "g-03", memberId: "u-0001" } }] }
    })
    planId = plan.id
    assert.strictEqual(plan.plan.operations[0]?.outcome, "change")
    assert.notInclude(directory.members("g-03"), "u-0001")
    const applying = await contoso.call("applyPlan", { params: { id: exampleId, planId } })
    const run = await waitForRun(contoso, exampleId, applying.runId!)
    assert.strictEqual(run.status, "succeeded", JSON.stringify(run.error))
    const applied = await contoso.call("getPlan", { params: { id: exampleId, planId } })
    assert.strictEqual(applied.status, "applied")
    assert.strictEqual(applied.results[0]?.status, "applied")
    assert.include(directory.members("g-03"), "u-0001")
    const audit = await contoso.call("listAudit", { params: { id: exampleId } })
    const actions = audit.items.map((e) => e.action)
    assert.include(actions, "lifecycle.planned")
    assert.include(actions, "lifecycle.apply-requested")
  })
})

describe("tenant isolation", () => {
  it("gives another tenant's key nothing of this tenant's, and no key nothing at all, on every endpoint", async () => {
    const resources: TenantResources = {
      integrationId: entraId,
      bulkIntegrationId: csvId,
      runId: firstRunId,
      planId,
      uploadId,
      apiKeyId: contosoKey.id,
      identitySourceId: simTenant().truth.users()[0]!.id,
      groupSourceId: simTenant().truth.groups()[0]!.id
    }
    const cases = isolationCases(resources)
    assert.deepStrictEqual(Object.keys(cases).sort(), apiEndpoints.map((e) => e.name).sort(), "one case per endpoint")
    const secrets = [entraId, csvId, exampleId, firstRunId, planId, uploadId, "Contoso Entra ID"]
    const failures: Array<string> = []
    for (const e of apiEndpoints) {
      const c = cases[e.name]
      const send = (headers: Record<string, string>) =>
        fetch(`${platform.apiUrl}${c.path}`, {
          method: e.method.toUpperCase(),
          headers: {
            ...headers,
            ...(c.body !== undefined ? { "content-type": "application/json" } : c.rawBody !== undefined ? { "content-type": c.rawBody.contentType } : {})
          },
          ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : c.rawBody !== undefined ? { body: c.rawBody.text } : {})
        })
      if (c.isolation === "public") continue
      const anonymous = await send({})
      if (anonymous.status !== 401) failures.push(`${e.name} without credentials: ${anonymous.status}, expected 401`)
      await anonymous.body?.cancel()
      if (c.isolation === "admin" || c.isolation === "signed") {
        const withKey = await send({ "x-api-key-id": fabrikam.id, "x-api-key-secret": fabrikam.secret })
        if (withKey.status !== 401) failures.push(`${e.name} with a tenant key: ${withKey.status}, expected 401`)
        await withKey.body?.cancel()
        continue
      }
      const other = await send({ "x-api-key-id": fabrikam.id, "x-api-key-secret": fabrikam.secret })
      const text = await other.text()
      const leaked = secrets.filter((s) => text.includes(s) && !c.path.includes(s))
      if (leaked.length > 0) failures.push(`${e.name} with the other tenant's key leaked ${leaked.join(", ")}`)
      if (c.isolation === "hidden" && other.status !== 404 && other.status !== 403) {
        failures.push(`${e.name} with the other tenant's key: ${other.status}, expected 404`)
      }
      if (c.isolation === "own" && other.status >= 400) failures.push(`${e.name} on the caller's own tenant: ${other.status} ${text}`)
    }
    assert.deepStrictEqual(failures, [])
    // Nothing the other tenant tried changed this tenant's data.
    const integration = await contoso.call("getIntegration", { params: { id: entraId } })
    assert.strictEqual(integration.name, "Contoso Entra ID")
    assert.strictEqual((await contoso.call("getRun", { params: { id: entraId, runId: firstRunId } })).status, "succeeded")
  })

  it("rejects a revoked key", async () => {
    const extra = await contoso.call("createApiKey", { body: { name: "temporary" } })
    const temp = platform.client({ id: extra.id, secret: extra.secret })
    assert.strictEqual((await temp.call("getTenant")).name, "Contoso")
    await contoso.call("revokeApiKey", { params: { keyId: extra.id } })
    const err = await temp.call("getTenant").catch((e: unknown) => e)
    assert.instanceOf(err, ApiProblemError)
    assert.strictEqual((err as ApiProblemError).status, 401)
  })
})

describe("the served OpenAPI document", () => {
  it("validates and lists every endpoint of the running server", async () => {
    const doc = await (await fetch(`${platform.apiUrl}/v1/openapi.json`)).json()
    const result = await validate(structuredClone(doc))
    assert.isTrue(result.valid, JSON.stringify(result))
    for (const e of apiEndpoints) assert.property(doc.paths[e.path], e.method, `${e.method} ${e.path}`)
  })
})
