import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { inspect } from "node:util"
import { entityKey } from "../src/Entity.ts"
import { relationKey, type EntityRelation } from "../src/EntityRelation.ts"
import { ExtractRecord } from "../src/ExtractRecord.ts"
import { toDraft07 } from "../src/JsonSchemaExport.ts"
import { EntraDirectConfig, ScimConfig } from "../src/ModeConfig.ts"

describe("Secret fields", () => {
  const raw = { tenantId: "t", clientId: "c", clientSecret: "very-secret-value" }

  it("decode to Redacted values that never print", () => {
    const config = Schema.decodeUnknownSync(EntraDirectConfig)(raw)
    assert.isTrue(Redacted.isRedacted(config.clientSecret))
    assert.strictEqual(Redacted.value(config.clientSecret!), "very-secret-value")
    for (const printed of [String(config.clientSecret), JSON.stringify(config), inspect(config, { depth: 5 })]) {
      assert.notInclude(printed, "very-secret-value")
    }
  })

  it("encode back to the plain value for storage (encrypted by the store)", () => {
    const config = Schema.decodeUnknownSync(EntraDirectConfig)(raw)
    assert.deepStrictEqual(Schema.encodeSync(EntraDirectConfig)(config), raw)
  })

  it("are marked writeOnly and x-secret in the derived JSON Schema, also inside unions", () => {
    const entra = JSON.stringify(toDraft07(EntraDirectConfig))
    const scim = toDraft07(ScimConfig) as { definitions: { ScimAuth: { anyOf: Array<{ properties: Record<string, unknown> }> } } }
    assert.include(entra, '"writeOnly":true')
    assert.include(entra, '"x-secret":true')
    const bearer = scim.definitions.ScimAuth.anyOf[0]!.properties.token
    assert.include(JSON.stringify(bearer), '"x-secret":true')
  })
})

describe("keys", () => {
  const relation: EntityRelation = {
    parentSourceId: "u-1",
    parentEntityType: "identity",
    parentSourceType: "user",
    entitySourceId: "r-1",
    entityType: "connection",
    entitySourceType: "directoryRole",
    metadata: { privilegeName: "roleAssignment", scope: "/" }
  }

  it("an entity's key is (entityType, sourceType, sourceId): names and metadata do not change it", () => {
    const a = { entityType: "identity", sourceType: "user", sourceId: "u-1" } as const
    assert.strictEqual(entityKey(a), entityKey({ ...a }))
    assert.notStrictEqual(entityKey(a), entityKey({ ...a, sourceType: "servicePrincipal" }))
  })

  it("a relation's key tells apart the same pair held by another privilege or at another scope", () => {
    const eligible = { ...relation, metadata: { privilegeName: "roleEligibility", scope: "/" } }
    const scoped = { ...relation, metadata: { privilegeName: "roleAssignment", scope: "/administrativeUnits/au-1" } }
    const keys = new Set([relationKey(relation), relationKey(eligible), relationKey(scoped)])
    assert.strictEqual(keys.size, 3)
    assert.strictEqual(relationKey({ ...relation, metadata: { ...relation.metadata, connectionType: "role" } }), relationKey(relation))
  })
})

describe("ExtractRecord", () => {
  it("every kind of record survives JSON (the queue and checkpoints store JSON)", () => {
    const records: Array<ExtractRecord> = [
      { _tag: "syncMode", mode: "incremental" },
      { _tag: "entity", entity: { name: "n", entityType: "resource", sourceSystem: "s", sourceId: "1", sourceType: "application" } },
      { _tag: "relation", relation: { parentSourceId: "a", parentEntityType: "identity", entitySourceId: "b", entityType: "connection" } },
      { _tag: "deletion", target: "entity", entityType: "identity", sourceType: "user", sourceId: "gone" },
      { _tag: "checkpoint", checkpoint: { version: "x/1", state: { nextLink: "https://graph.microsoft.com/v1.0/users?$skiptoken=abc" } } },
      { _tag: "progress", phase: "extract", stream: "users", done: 10, total: 20 },
      { _tag: "warning", warning: { code: "LicenseMissing", message: "no P1", stream: "signIns" } }
    ]
    for (const record of records) {
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(ExtractRecord)(record)))
      assert.deepStrictEqual(Schema.decodeUnknownSync(ExtractRecord)(json), record)
    }
  })

  it("an unknown tag is rejected", () => {
    assert.throws(() => Schema.decodeUnknownSync(ExtractRecord)({ _tag: "user", id: "1" }))
  })
})
