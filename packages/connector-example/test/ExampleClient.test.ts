import { assert, describe, it } from "@effect/vitest"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { runExtraction } from "@idconnect/core/ExtractionRunner"
import { makeMemorySink } from "@idconnect/core/MemorySink"
import * as Effect from "effect/Effect"
import { afterAll, beforeAll } from "vitest"
import { classifyResponse } from "../src/ExampleClient.ts"
import { ExampleDirectConfig } from "../src/ExampleConfig.ts"
import { startExampleDirectory, type ExampleDirectory } from "../src/ExampleDirectoryServer.ts"
import { examplePlugin } from "../src/ExamplePlugin.ts"

const read = examplePlugin.modes.direct!.read!

describe("classifyResponse maps every HTTP failure to one code and failure class", () => {
  const table: ReadonlyArray<[status: number, body: unknown, retryAfter: string | null, code: string, failureClass: string, retryAfterSeconds?: number]> = [
    [401, { error: { code: "InvalidToken" } }, null, "CredentialsRejected", "config"],
    [403, { error: { code: "Forbidden", requiredScope: "directory.write" } }, null, "PermissionMissing", "config"],
    [404, { error: { code: "GroupNotFound" } }, null, "NotFound", "config"],
    [400, { error: { code: "InvalidCursor" } }, null, "CheckpointInvalid", "transient"],
    [400, { error: { code: "InvalidBody" } }, null, "InvalidInput", "config"],
    [429, undefined, "7", "RateLimited", "transient", 7],
    [503, undefined, "2", "Unavailable", "transient", 2],
    [500, undefined, null, "Unavailable", "transient"],
    [418, undefined, null, "Unexpected", "system"]
  ]
  for (const [status, body, retryAfter, code, failureClass, seconds] of table) {
    it(`${status}${body === undefined ? "" : ` ${JSON.stringify(body)}`} -> ${code} (${failureClass})`, () => {
      const error = classifyResponse(status, body, retryAfter, "GET /api/v1/users")
      assert.strictEqual(error.code, code)
      assert.strictEqual(error.failureClass, failureClass)
      assert.strictEqual(error.retryAfterSeconds, seconds)
    })
  }

  it("names the missing scope so the user knows what to grant", () => {
    const error = classifyResponse(403, { error: { code: "Forbidden", requiredScope: "directory.write" } }, null, "POST /x")
    assert.deepStrictEqual(error.reason, {
      _tag: "PermissionMissing",
      permission: "directory.write",
      message: "POST /x: HTTP 403",
      fix: "Grant the directory.write scope to the token"
    })
  })
})

describe("extraction through the runner against the live directory", () => {
  let directory: ExampleDirectory
  beforeAll(async () => {
    directory = await startExampleDirectory()
  })
  afterAll(() => directory.close())
  const config = () => decodeConfig(ExampleDirectConfig, { baseUrl: directory.url, token: directory.token, pageSize: 5 })

  it.live("a 503 in the middle of the run is retried from the last checkpoint and nothing is lost", () =>
    Effect.gen(function* () {
      directory.injectFault({ status: 503, retryAfterSeconds: 0, pathPrefix: "/api/v1/memberships", times: 2 })
      const { sink, state } = makeMemorySink()
      const summary = yield* runExtraction({ read, config: yield* config(), sink })
      assert.strictEqual(summary.attempts, 3)
      assert.strictEqual(state.entities.size, directory.expected().entities)
      assert.strictEqual(state.relations.size, directory.expected().relations)
      assert.isTrue(state.completed)
    })
  )

  it.live("a cursor the directory no longer accepts restarts the run as a full sync", () =>
    Effect.gen(function* () {
      const { sink, state } = makeMemorySink()
      const stale = { version: "example/1", state: { stream: "memberships", cursor: "expired-cursor" } }
      const summary = yield* runExtraction({ read, config: yield* config(), sink, checkpoint: stale })
      assert.strictEqual(summary.attempts, 2)
      assert.strictEqual(state.mode, "full")
      assert.strictEqual(state.entities.size, directory.expected().entities)
    })
  )

  it.live("a token without the write scope: check says lifecycle is unavailable, plan is blocked", () =>
    Effect.gen(function* () {
      const cfg = yield* decodeConfig(ExampleDirectConfig, { baseUrl: directory.url, token: directory.readOnlyToken })
      const report = yield* read.check(cfg)
      assert.strictEqual(report.status, "Connected")
      assert.deepStrictEqual(report.capabilitySets, { read: "ready", lifecycle: "unavailable" })
      const plan = yield* examplePlugin.modes.direct!.lifecycle!.plan(cfg, [
        { operation: "addGroupMember", params: { groupId: "g-01", memberId: "u-0003" } }
      ])
      assert.isTrue(plan.blocked)
      assert.strictEqual(plan.operations[0]?.blockers[0]?.code, "PermissionMissing")
    })
  )
})
