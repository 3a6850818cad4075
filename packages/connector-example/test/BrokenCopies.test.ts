import { checkBadCredentials } from "@idconnect/connector-testkit/CheckChecks"
import { checkConfigCases } from "@idconnect/connector-testkit/ConfigChecks"
import { checkExtraction, collectRecords } from "@idconnect/connector-testkit/ExtractionChecks"
import { checkLifecycleIdempotence } from "@idconnect/connector-testkit/LifecycleChecks"
import { checkResumeEquivalence } from "@idconnect/connector-testkit/ResumeEquivalence"
import { assert, describe, it } from "@effect/vitest"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { ConnectorPlugin, LifecycleCapability, ReadCapability } from "@idconnect/core/ConnectorPlugin"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll } from "vitest"
import { ExampleDirectConfig } from "../src/ExampleConfig.ts"
import { startExampleDirectory, type ExampleDirectory } from "../src/ExampleDirectoryServer.ts"
import { examplePlugin } from "../src/ExamplePlugin.ts"

// Deliberately broken copies of the example plugin, each with one classic connector bug. The
// conformance checks must report every one of them (and nothing for the real plugin), otherwise
// the kit would pass plugins that lose or duplicate data.

const direct = examplePlugin.modes.direct!
const read: ReadCapability<ExampleDirectConfig> = direct.read!
const lifecycle: LifecycleCapability<ExampleDirectConfig> = direct.lifecycle!

let directory: ExampleDirectory
beforeAll(async () => {
  directory = await startExampleDirectory()
})
afterAll(() => directory.close())

const config = () => decodeConfig(ExampleDirectConfig, { baseUrl: directory.url, token: directory.token, pageSize: 5 })

/** Rewrites the records of one extraction; `page` counts checkpoints seen so far (0 = first page). */
const rewriteExtract = (
  rewrite: (record: ExtractRecord, page: number) => ReadonlyArray<ExtractRecord>
): ReadCapability<ExampleDirectConfig> => ({
  ...read,
  extract: (cfg, checkpoint) =>
    Stream.suspend(() => {
      let page = 0
      return read.extract(cfg, checkpoint).pipe(
        Stream.flatMap((record) => {
          const out = rewrite(record, page)
          if (record._tag === "checkpoint") page++
          return Stream.fromIterable(out)
        })
      )
    })
})

describe("the conformance checks catch broken plugins", () => {
  it.live("the real example plugin passes the extraction and resume checks", () =>
    Effect.gen(function* () {
      const cfg = yield* config()
      const records = yield* collectRecords(read, cfg)
      assert.deepStrictEqual(checkExtraction(records, { expected: directory.expected() }), [])
      const resume = yield* checkResumeEquivalence({ read, config: cfg })
      assert.deepStrictEqual(resume.defects, [])
      assert.strictEqual(resume.interruptedAt.length, resume.checkpoints)
    })
  )

  it.live("a lost page: the second page of users is dropped", () =>
    Effect.gen(function* () {
      const broken = rewriteExtract((record, page) => (page === 1 && record._tag === "entity" ? [] : [record]))
      const defects = checkExtraction(yield* collectRecords(broken, yield* config()), { expected: directory.expected() })
      assert.isTrue(defects.some((d) => d.startsWith("expected 28 entities from the target, got 23")), defects.join("\n"))
      assert.isTrue(defects.some((d) => d.includes("relation ends point at entities the run did not emit")), defects.join("\n"))
    })
  )

  it.live("a duplicate record: the first record of every page is emitted twice", () =>
    Effect.gen(function* () {
      let lastTag = ""
      const broken = rewriteExtract((record) => {
        const firstOfPage = record._tag === "entity" && lastTag === "progress"
        lastTag = record._tag
        return firstOfPage ? [record, record] : [record]
      })
      const defects = checkExtraction(yield* collectRecords(broken, yield* config()), { expected: directory.expected() })
      assert.isTrue(defects.some((d) => d.startsWith("duplicate entities in one run: identity/user/u-0001 x2")), defects.join("\n"))
    })
  )

  it.live("a checkpoint emitted before its page's records: resuming from it loses that page", () =>
    Effect.gen(function* () {
      // Holds each page's data back and releases it after the checkpoint that should follow it.
      let held: Array<ExtractRecord> = []
      const broken = rewriteExtract((record) => {
        if (record._tag === "entity" || record._tag === "relation") {
          held.push(record)
          return []
        }
        if (record._tag !== "checkpoint") return [record]
        const out = [record, ...held]
        held = []
        return out
      })
      const cfg = yield* config()
      const report = yield* checkResumeEquivalence({ read: broken, config: cfg, maxInterruptions: 3 })
      assert.isTrue(report.defects.some((d) => /interrupted at checkpoint 1 and resumed: 5 records lost/.test(d)), report.defects.join("\n"))
      assert.deepStrictEqual(report.interruptedAt.length, 3)
    })
  )

  it.live("a resume that replays the page before the checkpoint: records are written twice", () =>
    Effect.gen(function* () {
      // Resumes one page early by ignoring the checkpoint's cursor for the users stream.
      const broken: ReadCapability<ExampleDirectConfig> = {
        ...read,
        extract: (cfg, checkpoint) => {
          const state = checkpoint?.state as { stream?: string; cursor?: string } | undefined
          return state?.stream === "users" ? read.extract(cfg, undefined).pipe(Stream.filter((r) => r._tag !== "syncMode")) : read.extract(cfg, checkpoint)
        }
      }
      const report = yield* checkResumeEquivalence({ read: broken, config: yield* config(), maxInterruptions: 2 })
      assert.isTrue(report.defects.some((d) => /interrupted at checkpoint 1 and resumed: 5 records written twice/.test(d)), report.defects.join("\n"))
    })
  )

  it.live("a non-idempotent apply: applying an add twice removes the member again", () =>
    Effect.gen(function* () {
      // Skips the re-plan and toggles: "add" on an existing member removes it.
      const toggling: LifecycleCapability<ExampleDirectConfig> = {
        ...lifecycle,
        apply: (cfg, ops) =>
          Effect.gen(function* () {
            const plan = yield* lifecycle.plan(cfg, ops)
            const flipped = ops.map((op, i) =>
              plan.operations[i]?.outcome === "no-op" && op.operation === "addGroupMember" ? { ...op, operation: "removeGroupMember" } : op
            )
            const results = yield* lifecycle.apply(cfg, flipped)
            return results.map((r) => ({ ...r, operation: ops.find((o) => o.id === r.id)?.operation ?? r.operation }))
          })
      }
      const fixture = {
        operations: () => [{ id: "a", operation: "addGroupMember", params: { groupId: "g-04", memberId: "u-0002" } }],
        undo: () => [{ id: "r", operation: "removeGroupMember", params: { groupId: "g-04", memberId: "u-0002" } }],
        snapshot: () => directory.members("g-04")
      }
      const cfg = yield* config()
      const defects = yield* checkLifecycleIdempotence({ lifecycle: toggling, config: cfg, fixture })
      assert.isTrue(defects.includes("operations: second apply of a addGroupMember is 'applied', expected 'no-op': apply is not idempotent"), defects.join("\n"))
      assert.isTrue(defects.includes("operations: the second apply changed the target again: apply is not idempotent"), defects.join("\n"))
      // The real plugin passes the same fixture and leaves the directory as it found it.
      const before = directory.members("g-04")
      assert.deepStrictEqual(yield* checkLifecycleIdempotence({ lifecycle, config: cfg, fixture }), [])
      assert.deepStrictEqual(directory.members("g-04"), before)
    })
  )

  it.live("a check that reports bad credentials as a transient failure", () =>
    Effect.gen(function* () {
      const broken: ReadCapability<ExampleDirectConfig> = {
        ...read,
        check: (cfg) => read.check(cfg).pipe(Effect.mapError((e) => ConnectorErrors.unavailable({ message: e.message })))
      }
      const bad = yield* decodeConfig(ExampleDirectConfig, { baseUrl: directory.url, token: "wrong" })
      const defects = yield* checkBadCredentials(broken, bad)
      assert.deepStrictEqual(defects, [
        "check with bad credentials failed with Unavailable (transient); expected a config error such as CredentialsRejected"
      ])
      assert.deepStrictEqual(yield* checkBadCredentials(read, bad), [])
    })
  )

  it("a config whose token is a plain string: not marked secret, and it prints", () => {
    const LeakyConfig = ExampleDirectConfig.mapFields((fields) => ({ ...fields, token: Schema.String }))
    const leaky: ConnectorPlugin = { ...examplePlugin, modes: { direct: { ...direct, config: LeakyConfig } } }
    const defects = checkConfigCases(leaky, "direct", { baseUrl: "http://127.0.0.1:1", token: "super-secret-token" })
    assert.deepStrictEqual(defects, [
      "direct: secret field 'token' is not marked writeOnly/x-secret in the JSON Schema: use Secret from @idconnect/schemas/ModeConfig",
      "direct: the decoded config prints the secret 'token': decode it as Redacted (Secret)"
    ])
    assert.deepStrictEqual(checkConfigCases(examplePlugin, "direct", { baseUrl: "http://127.0.0.1:1", token: "super-secret-token" }), [])
  })
})
