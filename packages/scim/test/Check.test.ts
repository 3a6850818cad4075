import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { configFor, configJson, decodeScimConfig, makeTestMode } from "./support/Fixtures.ts"
import { seedStandard } from "./support/ScimStore.ts"
import { startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  seedStandard()
})

const mode = makeTestMode()
const codes = (report: { findings: ReadonlyArray<{ code: string; severity: string }> }) => report.findings.map((f) => `${f.code}:${f.severity}`)

describe("check and discover", () => {
  it.live("check reads one user and one group and reports the chosen profile", () =>
    Effect.gen(function* () {
      const report = yield* mode.read!.check(yield* configFor(server))
      assert.strictEqual(report.status, "Connected")
      assert.deepStrictEqual(report.capabilitySets, { read: "ready", lifecycle: "ready" })
      assert.includeMembers(codes(report), ["scim.users:ok", "scim.groups:ok", "scim.profile:info"])
      const details = report.details as { quirks: Record<string, unknown>; serviceProvider: Record<string, unknown> }
      assert.deepStrictEqual(details.quirks, { server: "rfc", pagination: "index", pageSize: 100, memberRead: "auto", patchDialect: "filtered-path", useEtags: false })
      assert.strictEqual(details.serviceProvider.patch, true)
      // A real, cheap read: one resource per listing.
      assert.isTrue(server.requests.some((r) => r.path === "/Users" && r.query.count === "1"))
    }))

  it.live("check picks cursor paging and the per-user filter from what the server says", () =>
    Effect.gen(function* () {
      server.faults.cursorOnly = true
      server.faults.groupsWithoutMembers = true
      const report = yield* mode.read!.check(yield* configFor(server, "bearer", { quirks: { memberRead: "per-user-filter" } }))
      assert.strictEqual(report.status, "Connected")
      const quirks = (report.details as { quirks: Record<string, unknown> }).quirks
      assert.strictEqual(quirks.pagination, "cursor")
      assert.strictEqual(quirks.memberRead, "per-user-filter")
      assert.include(codes(report), "scim.memberFilter:ok")
    }))

  it.live("check without discovery endpoints still connects, with notes", () =>
    Effect.gen(function* () {
      server.faults.noDiscovery = true
      const report = yield* mode.read!.check(yield* configFor(server))
      assert.strictEqual(report.status, "Connected")
      assert.includeMembers(codes(report), ["discovery.serviceProviderConfig:info", "discovery.resourceTypes:info", "discovery.schemas:info"])
    }))

  it.live("string booleans in ServiceProviderConfig are understood", () =>
    Effect.gen(function* () {
      server.faults.stringBooleans = true
      server.faults.patchUnsupported = true
      const report = yield* mode.read!.check(yield* configFor(server))
      assert.strictEqual(report.capabilitySets.lifecycle, "unavailable")
      assert.include(codes(report), "scim.patchUnsupported:warning")
      const plan = yield* mode.lifecycle!.plan(yield* configFor(server), [{ operation: "addGroupMember", params: { groupName: "Sales", userName: "eve" } }])
      assert.strictEqual(plan.operations[0]?.outcome, "blocked")
      assert.strictEqual(plan.operations[0]?.blockers[0]?.code, "Unsupported")
    }))

  it.live("a base URL without a SCIM server under it is a config error on baseUrl", () =>
    Effect.gen(function* () {
      const config = yield* decodeScimConfig({ ...configJson(server), baseUrl: `${server.origin}/not-scim` })
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.details?.field, "baseUrl")
      assert.include(report.message, "check baseUrl")
    }))

  it.live("an unreachable server is reported, not thrown", () =>
    Effect.gen(function* () {
      const other = yield* Effect.promise(() => import("./support/ScimTestServer.ts").then((m) => m.startScimTestServer()))
      const baseUrl = other.baseUrl
      yield* Effect.promise(() => other.close())
      const config = yield* decodeScimConfig({ ...configJson(server), baseUrl })
      const report = yield* mode.read!.check(config)
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.findings[0]?.code, "Unavailable")
    }))

  it.live("discover describes users, groups and memberships", () =>
    Effect.gen(function* () {
      const catalog = yield* mode.read!.discover(yield* configFor(server))
      assert.deepStrictEqual(catalog.entityTypes.map((e) => `${e.entityType}/${e.sourceType}`), ["identity/user", "connection/group"])
      assert.deepStrictEqual(catalog.streams.map((s) => s.name), ["users", "groups", "memberships"])
      assert.deepStrictEqual(
        catalog.relationTypes.map((r) => `${r.parentSourceTypes.join("|")} -${r.privilegeName}-> ${r.entitySourceTypes.join("|")}`),
        ["user -member-> group", "group -member-> group"]
      )
    }))
})
