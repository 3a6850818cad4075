import { runExtraction } from "@idconnect/core/ExtractionRunner"
import { makeMemorySink } from "@idconnect/core/MemorySink"
import { entityKey } from "@idconnect/schemas/Entity"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import { relationKey } from "@idconnect/schemas/EntityRelation"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { CHECKPOINT_VERSION } from "../src/Extract.ts"
import { collect, configFor, makeTestMode } from "./support/Fixtures.ts"
import { seed } from "./support/ScimStore.ts"
import { startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"

let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
})
afterAll(() => server.close())
beforeEach(() => server.reset())

const mode = makeTestMode()

/** 12 users, 4 groups with overlapping members and one nested group. */
const seedTenant = () =>
  seed({
    users: Array.from({ length: 12 }, (_, i) => ({ userName: `user${i + 1}`, department: i % 2 === 0 ? "Even" : "Odd" })),
    groups: [
      { displayName: "G1", members: ["user1", "user2", "user3"] },
      { displayName: "G2", members: ["user3", "user4", "user5", "user6"] },
      { displayName: "G3", members: ["user12"] },
      { displayName: "G4", members: ["user7"], groupMembers: ["G1"] }
    ]
  })

const keys = (records: ReadonlyArray<ExtractRecord>) => {
  const out = new Set<string>()
  for (const r of records) {
    if (r._tag === "entity") out.add(`E ${entityKey(r.entity)}`)
    if (r._tag === "relation") out.add(`R ${relationKey(r.relation)}`)
  }
  return out
}

const strategies = [
  { name: "index paging, members from /Groups", extra: { quirks: { pageSize: 3 } }, faults: {} },
  { name: "index paging, per-user filter", extra: { quirks: { pageSize: 3, memberRead: "per-user-filter" } }, faults: {} },
  { name: "cursor paging, groups without members", extra: { quirks: { pageSize: 3 } }, faults: { cursorOnly: true, groupsWithoutMembers: true } }
] as const

describe("checkpoints and resume", () => {
  for (const s of strategies) {
    it.live(`resuming from any checkpoint yields exactly the rest (${s.name})`, () =>
      Effect.gen(function* () {
        seedTenant()
        Object.assign(server.faults, s.faults)
        const config = yield* configFor(server, "bearer", s.extra)
        const full = yield* collect(mode, config)
        const all = keys(full)
        assert.strictEqual([...all].filter((k) => k.startsWith("E ")).length, 16)
        const checkpoints = full.flatMap((r, i) => (r._tag === "checkpoint" ? [{ i, checkpoint: r.checkpoint }] : []))
        assert.isAtLeast(checkpoints.length, 6)
        for (const { i, checkpoint } of checkpoints) {
          assert.strictEqual(checkpoint.version, CHECKPOINT_VERSION)
          // A checkpoint is JSON: it survives being stored and read back.
          const stored = JSON.parse(JSON.stringify(checkpoint))
          const rest = yield* collect(mode, config, stored)
          const before = keys(full.slice(0, i + 1))
          const union = new Set([...before, ...keys(rest)])
          assert.deepStrictEqual(union, all, `resume after record ${i}`)
          // Nothing committed before the checkpoint is read again (no duplicates beyond the replay).
          for (const k of keys(rest)) {
            if (k.startsWith("E ")) assert.isFalse(before.has(k), `entity ${k} re-read after checkpoint ${i}`)
          }
        }
      }))
  }

  it.live("refuses a checkpoint from another format so the runner restarts a full sync", () =>
    Effect.gen(function* () {
      seedTenant()
      const config = yield* configFor(server)
      const error = yield* Effect.flip(collect(mode, config, { version: "graph/1", state: {} }))
      assert.strictEqual(error.code, "CheckpointInvalid")
      const garbled = yield* Effect.flip(collect(mode, config, { version: CHECKPOINT_VERSION, state: { step: "x" } }))
      assert.strictEqual(garbled.code, "CheckpointInvalid")
    }))

  it.live("an expired cursor makes the runner start over with a full sync", () =>
    Effect.gen(function* () {
      seedTenant()
      server.faults.cursorOnly = true
      const config = yield* configFor(server, "bearer", { quirks: { pageSize: 3 } })
      const full = yield* collect(mode, config)
      const saved = full.flatMap((r) => (r._tag === "checkpoint" ? [r.checkpoint] : []))[1]!
      const state = JSON.parse(JSON.stringify(saved.state)) as { step: { page: { cursor: string } } }
      state.step.page.cursor = "expired-cursor"
      const stale = { version: saved.version, state }
      const error = yield* Effect.flip(collect(mode, config, stale))
      assert.strictEqual(error.code, "CheckpointInvalid")
      const { sink, state: out } = makeMemorySink()
      const summary = yield* runExtraction({ read: mode.read!, config, sink, checkpoint: stale, retryBaseDelay: "10 millis" })
      assert.strictEqual(summary.attempts, 2)
      assert.strictEqual(out.entities.size, 16)
    }))

  it.live("the runner resumes from the last checkpoint after the server stays down for a while", () =>
    Effect.gen(function* () {
      const ids = seedTenant()
      const config = yield* configFor(server, "bearer", { quirks: { pageSize: 3 } })
      const clean = makeMemorySink()
      yield* runExtraction({ read: mode.read!, config, sink: clean.sink })

      server.requests.length = 0
      // More 502s on /Groups than the client retries (3): the attempt fails and the runner resumes.
      server.faults.html502 = { remaining: 5, match: /GET \/scim\/v2\/Groups\?/u }
      const { sink, state } = makeMemorySink()
      const summary = yield* runExtraction({ read: mode.read!, config, sink, retryBaseDelay: "10 millis" })
      assert.strictEqual(summary.attempts, 2)
      assert.isTrue(state.completed)
      assert.deepStrictEqual(new Set(state.entities.keys()), new Set(clean.state.entities.keys()))
      assert.deepStrictEqual(new Set(state.relations.keys()), new Set(clean.state.relations.keys()))
      assert.strictEqual(state.entities.size, 16)
      // The users were committed before the outage and were not listed again on resume.
      const userPages = server.requests.filter((r) => r.path === "/Users" && r.query.filter === undefined)
      assert.strictEqual(userPages.length, 5)
      assert.isDefined(ids.users.user1)
    }))
})
