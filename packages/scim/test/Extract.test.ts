import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { collect, configFor, makeTestMode, standardRelations, summarize } from "./support/Fixtures.ts"
import { seed, seedStandard } from "./support/ScimStore.ts"
import { startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
})
afterAll(() => server.close())
beforeEach(() => server.reset())

const mode = makeTestMode()

/** 23 users named u01..u23, so a page size of 5 needs 5 pages. */
const seedMany = (n = 23) =>
  seed({ users: Array.from({ length: n }, (_, i) => ({ userName: `u${String(i + 1).padStart(2, "0")}` })) })

const userNames = (records: Parameters<typeof summarize>[0]) =>
  [...summarize(records).entities.values()].filter((e) => e.sourceType === "user").map((e) => e.metadata?.userName as string).sort()

const expectedNames = (n = 23) => Array.from({ length: n }, (_, i) => `u${String(i + 1).padStart(2, "0")}`)

const listRequests = (path: string) => server.requests.filter((r) => r.method === "GET" && r.path === path && r.query.filter === undefined)

describe("SCIM extraction against SCIMMY", () => {
  it.live("reads users with the enterprise extension, groups and nested memberships", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const config = yield* configFor(server)
      const records = yield* collect(mode, config)
      assert.strictEqual(records[0]?._tag, "syncMode")
      const { entities, relations, warnings, checkpoints } = summarize(records)
      assert.strictEqual(entities.size, 8)
      const bob = entities.get(`user:${ids.users.bob}`)!
      assert.deepStrictEqual(
        { name: bob.name, type: bob.entityType, system: bob.sourceSystem, dept: bob.metadata?.department, emp: bob.metadata?.employeeNumber, manager: bob.metadata?.manager },
        { name: "Bob Berg", type: "identity", system: "scim-test", dept: "Engineering", emp: "1002", manager: ids.users.alice }
      )
      assert.strictEqual(entities.get(`user:${ids.users.carol}`)!.metadata?.active, false)
      assert.strictEqual(entities.get(`user:${ids.users.alice}`)!.metadata?.email, "alice@example.com")
      const eng = entities.get(`group:${ids.groups.Engineering}`)!
      assert.deepStrictEqual([eng.name, eng.entityType], ["Engineering", "connection"])
      assert.deepStrictEqual(relations, standardRelations(ids))
      assert.deepStrictEqual(warnings, [])
      assert.isAbove(checkpoints, 1)
    }))

  it.live("emits manager relations when the mode asks for them", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const records = yield* collect(makeTestMode({ managerRelations: true }), yield* configFor(server))
      const { relations } = summarize(records)
      assert.isTrue(relations.has(`user:${ids.users.alice} -manager-> user:${ids.users.bob}`))
      assert.isTrue(relations.has(`user:${ids.users.alice} -manager-> user:${ids.users.carol}`))
    }))

  it.live("survives SCIMMY serving the first page again past the end", () =>
    Effect.gen(function* () {
      seedMany()
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { pageSize: 5 } }))
      assert.deepStrictEqual(userNames(records), expectedNames())
      // 5 pages with data, then startIndex 26 returns page 1 again: recognised, the listing stops.
      assert.deepStrictEqual(listRequests("/Users").map((r) => r.query.startIndex), ["1", "6", "11", "16", "21", "24"])
      assert.deepStrictEqual(summarize(records).warnings, [])
    }))

  it.live("survives a server that ignores count and startIndex", () =>
    Effect.gen(function* () {
      seedMany()
      server.faults.ignoreCount = true
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { pageSize: 5 } }))
      assert.deepStrictEqual(userNames(records), expectedNames())
      assert.strictEqual(listRequests("/Users").length, 2)
    }))

  it.live("advances by what came back when the server caps pages silently", () =>
    Effect.gen(function* () {
      seedMany()
      server.faults.pageCap = 3
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { pageSize: 5 } }))
      assert.deepStrictEqual(userNames(records), expectedNames())
      assert.deepStrictEqual(listRequests("/Users").slice(0, 3).map((r) => r.query.startIndex), ["1", "4", "7"])
    }))

  it.live("does not stop early when totalResults drifts low, and says the totals disagreed", () =>
    Effect.gen(function* () {
      seedMany()
      server.faults.totalDrift = -10
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { pageSize: 5 } }))
      assert.deepStrictEqual(userNames(records), expectedNames())
      assert.include(summarize(records).warnings, "scim.totalMismatch")
    }))

  it.live("does not loop when totalResults drifts high", () =>
    Effect.gen(function* () {
      seedMany()
      server.faults.totalDrift = 40
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { pageSize: 5 } }))
      assert.deepStrictEqual(userNames(records), expectedNames())
      assert.include(summarize(records).warnings, "scim.totalMismatch")
    }))

  it.live("pages with cursors when the server advertises cursor-only paging (RFC 9865)", () =>
    Effect.gen(function* () {
      seedMany()
      server.faults.cursorOnly = true
      const records = yield* collect(mode, yield* configFor(server))
      assert.deepStrictEqual(userNames(records), expectedNames())
      const users = listRequests("/Users")
      assert.isTrue(users.every((r) => r.query.cursor !== undefined && r.query.startIndex === undefined))
      assert.strictEqual(users[0]?.query.cursor, "")
      // The server's maxPageSize (100) is respected... and 20 was not asked for: it's a cap, not a default.
      assert.strictEqual(users[0]?.query.count, "100")
    }))

  it.live("reads lower-case envelopes and string booleans", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.lowercaseEnvelope = true
      server.faults.stringBooleans = true
      const records = yield* collect(mode, yield* configFor(server))
      const { entities, relations } = summarize(records)
      assert.strictEqual(entities.size, 8)
      assert.strictEqual(entities.get(`user:${ids.users.carol}`)!.metadata?.active, false)
      assert.strictEqual(entities.get(`user:${ids.users.alice}`)!.metadata?.active, true)
      assert.deepStrictEqual(relations, standardRelations(ids))
    }))

  it.live("reads memberships with the per-user filter when groups come without members", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.groupsWithoutMembers = true
      const records = yield* collect(mode, yield* configFor(server))
      const { relations, warnings } = summarize(records)
      assert.deepStrictEqual(relations, standardRelations(ids))
      assert.include(warnings, "scim.groupsWithoutMembers")
      const filters = server.requests.filter((r) => r.query.filter?.startsWith("members.value eq"))
      assert.strictEqual(filters.length, 5 + 3)
      assert.isTrue(filters.every((r) => r.query.excludedAttributes === "members"))
      assert.strictEqual(filters[0]?.query.filter, `members.value eq "${ids.users.alice}"`)
    }))

  it.live("uses the per-user filter from the start when the config says so", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      const records = yield* collect(mode, yield* configFor(server, "bearer", { quirks: { memberRead: "per-user-filter" } }))
      assert.deepStrictEqual(summarize(records).relations, standardRelations(ids))
      assert.deepStrictEqual(summarize(records).warnings, [])
      const groupList = listRequests("/Groups")
      assert.isTrue(groupList.length > 0 && groupList.every((r) => r.query.excludedAttributes === "members" || r.query.attributes === "id"))
    }))

  it.live("retries after a 429 honouring Retry-After", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.rateLimit = { remaining: 1, retryAfter: 1, match: /GET \/scim\/v2\/Users\?/u }
      const records = yield* collect(mode, yield* configFor(server))
      assert.deepStrictEqual(summarize(records).relations, standardRelations(ids))
      assert.strictEqual(server.faults.rateLimit.remaining, 0)
      assert.strictEqual(summarize(records).entities.size, 8)
      // The run reports what it asked of the server, the 429 included: every request the server saw.
      const usage = records.flatMap((r) => (r._tag === "progress" && r.usage !== undefined ? [r.usage] : [])).at(-1)
      assert.deepStrictEqual(usage, { requests: server.requests.length, resourceUnits: 0, throttled: 1 })
    }))

  it.live("retries an HTML 502 from a gateway", () =>
    Effect.gen(function* () {
      seedStandard()
      server.faults.html502 = { remaining: 2, match: /GET \/scim\/v2\/Groups\?/u }
      const records = yield* collect(mode, yield* configFor(server))
      assert.strictEqual(summarize(records).entities.size, 8)
    }))

  it.live("fails with Unavailable naming the gateway page when 502s persist", () =>
    Effect.gen(function* () {
      seedStandard()
      server.faults.html502 = { remaining: 100, match: /GET \/scim\/v2\/Users\?/u }
      const error = yield* Effect.flip(collect(mode, yield* configFor(server)))
      assert.strictEqual(error.code, "Unavailable")
      assert.strictEqual(error.failureClass, "transient")
      assert.include(error.message, "HTML page")
    }))

  it.live("falls back to /Users and /Groups when discovery is missing, and says so", () =>
    Effect.gen(function* () {
      const ids = seedStandard()
      server.faults.noDiscovery = true
      const records = yield* collect(mode, yield* configFor(server))
      const { relations, warnings, entities } = summarize(records)
      assert.strictEqual(entities.size, 8)
      assert.deepStrictEqual(relations, standardRelations(ids))
      assert.includeMembers(warnings, ["discovery.serviceProviderConfig", "discovery.resourceTypes", "discovery.schemas"])
    }))
})
