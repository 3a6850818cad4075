import { assert, describe, it } from "@effect/vitest"
import type { Entity } from "@idconnect/schemas/Entity"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import { stableJson } from "../src/Defects.ts"
import { checkCatalog, checkExtraction } from "../src/ExtractionChecks.ts"
import { interruptionPoints } from "../src/ResumeEquivalence.ts"

// The kit's pure checks on hand-made record streams (the example plugin's tests run them
// against a live target and against deliberately broken plugins).

const user = (id: string): ExtractRecord => ({
  _tag: "entity",
  entity: { name: id, entityType: "identity", sourceSystem: "t", sourceId: id, sourceType: "user" } satisfies Entity
})
const group = (id: string): ExtractRecord => ({
  _tag: "entity",
  entity: { name: id, entityType: "connection", sourceSystem: "t", sourceId: id, sourceType: "group" }
})
const member = (userId: string, groupId: string): ExtractRecord => ({
  _tag: "relation",
  relation: {
    parentSourceId: userId,
    parentEntityType: "identity",
    parentSourceType: "user",
    entitySourceId: groupId,
    entityType: "connection",
    entitySourceType: "group",
    metadata: { privilegeName: "member" }
  }
})
const checkpoint = (n: number): ExtractRecord => ({ _tag: "checkpoint", checkpoint: { version: "t/1", state: { page: n } } })

describe("checkExtraction", () => {
  it("passes a clean run", () => {
    const records = [user("u1"), group("g1"), checkpoint(1), member("u1", "g1"), checkpoint(2)]
    assert.deepStrictEqual(checkExtraction(records, { expected: { entities: 2, relations: 1 } }), [])
  })

  it("reports a run without checkpoints and data after the last checkpoint", () => {
    assert.deepStrictEqual(checkExtraction([user("u1")]), ["no checkpoint emitted: a killed run could only start over"])
    assert.deepStrictEqual(checkExtraction([checkpoint(1), user("u1")]), [
      "data records follow the last checkpoint: emit a checkpoint after the last page"
    ])
  })

  it("reports records that do not decode, and checkpoints that do not survive JSON", () => {
    const bad = { _tag: "entity", entity: { name: " ", entityType: "identity", sourceSystem: "t", sourceId: "x", sourceType: "user" } } as ExtractRecord
    const clock: ExtractRecord = { _tag: "checkpoint", checkpoint: { version: "t/1", state: { at: new Date(0) } as unknown } }
    const defects = checkExtraction([bad, clock])
    assert.deepStrictEqual(defects, [
      "checkpoint #1 does not survive a JSON round trip: keep its state plain JSON",
      "1 records do not decode as ExtractRecord: #0 (entity): Expected a string matching the RegExp \\S at [\"entity\"][\"name\"]"
    ])
  })

  it("reports duplicates, dangling relations and counts the target did not expect", () => {
    const defects = checkExtraction([user("u1"), user("u1"), member("u2", "g9"), checkpoint(1)], { expected: { entities: 3, relations: 1 } })
    assert.deepStrictEqual(defects, [
      "duplicate entities in one run: identity/user/u1 x2",
      "expected 3 entities from the target, got 1: pages lost or pagination not exhausted",
      "2 relation ends point at entities the run did not emit (lost page?): identity/user/u2, connection/group/g9"
    ])
    assert.deepStrictEqual(checkExtraction([member("u2", "g9"), checkpoint(1)], { allowDanglingRelations: true }), [])
  })
})

describe("checkCatalog", () => {
  const catalog = {
    entityTypes: [{ entityType: "identity", sourceType: "user", description: "" }],
    relationTypes: [],
    streams: []
  }

  it("reports emitted types the catalog does not list", () => {
    assert.deepStrictEqual(checkCatalog(catalog, [user("u1"), group("g1"), member("u1", "g1")]), [
      "emitted entity types missing from the catalog: connection/group",
      "emitted relation types missing from the catalog: member:identity/user->connection/group"
    ])
  })

  it("reports a catalog that does not decode", () => {
    assert.strictEqual(checkCatalog({ entityTypes: "all" }, []).length, 1)
  })
})

describe("interruptionPoints", () => {
  it("interrupts at every checkpoint, or at a sample spread over the run including both ends", () => {
    assert.deepStrictEqual(interruptionPoints(4, undefined), [1, 2, 3, 4])
    assert.deepStrictEqual(interruptionPoints(100, 5), [1, 26, 51, 75, 100])
    assert.deepStrictEqual(interruptionPoints(3, 10), [1, 2, 3])
    assert.deepStrictEqual(interruptionPoints(0, 3), [])
  })
})

describe("stableJson", () => {
  it("does not depend on key order", () => {
    assert.strictEqual(stableJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } }), stableJson({ a: { c: null, d: [1, { e: 2, f: 1 }] }, b: 1 }))
  })
})
