import { assert, describe, it } from "@effect/vitest"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Effect from "effect/Effect"
import { mkdtempSync, readFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CsvTokenizer } from "../src/CsvParser.ts"
import {
  downloadTimestamp,
  entitiesDownloadHeader,
  entityBrn,
  entityDownloadRow,
  relationDownloadRow,
  relationsHeader,
  writeEntitiesCsv,
  writeRelationsCsv
} from "../src/CsvWriter.ts"
import { fileInput } from "../src/FileInput.ts"
import { ingestFiles } from "../src/Ingest.ts"
import { makeNdjsonFileSink } from "../src/NdjsonFileSink.ts"
import { KnownEntities } from "../src/ReferenceCheck.ts"
import { ingestToMemory, textInput } from "./support.ts"

const entities: Array<Entity> = [
  {
    app: "azure",
    name: 'Doe, "JD" Jane',
    entityType: "identity",
    sourceSystem: "azure",
    sourceId: "0f1e2d3c-0000-4000-8000-000000000001",
    sourceType: "user",
    metadataVersion: "v1",
    metadata: { upn: "jane@contoso.com", accountEnabled: true, signIn: { last: "2024-04-27T06:33:31Z" }, tags: ["a", "b,c"], note: "line1\nline2" }
  },
  { name: "Ünïcødé group 🚀", entityType: "connection", sourceSystem: "azure", sourceId: "g-1", sourceType: "group" },
  { name: " leading and trailing ", entityType: "resource", sourceSystem: "azure", sourceId: "sp-1/role-1", sourceType: "appRole", metadata: {} }
]

const relations: Array<EntityRelation> = [
  {
    app: "azure",
    parentSourceId: "0f1e2d3c-0000-4000-8000-000000000001",
    parentEntityType: "identity",
    parentSourceType: "user",
    entitySourceId: "g-1",
    entityType: "connection",
    entitySourceType: "group",
    sourceSystem: "azure",
    metadataVersion: "v1",
    metadata: { privilegeName: "member", privilegeValue: true, connectionType: "group", startDateTime: null, extra: { x: 1 } }
  },
  { parentSourceId: "g-1", parentEntityType: "connection", entitySourceId: "sp-1/role-1", entityType: "resource", metadata: { privilegeName: "grant" } }
]

const collect = async (lines: AsyncIterable<string>) => {
  let text = ""
  for await (const line of lines) text += line
  return text
}

describe("CsvWriter", () => {
  it.effect("export -> re-import gives the same snapshot", () =>
    Effect.gen(function* () {
      const entitiesCsv = yield* Effect.promise(() => collect(writeEntitiesCsv(entities)))
      const relationsCsv = yield* Effect.promise(() => collect(writeRelationsCsv(relations)))
      const { report, state } = yield* ingestToMemory({ entities: textInput("e.csv", entitiesCsv), relations: textInput("r.csv", relationsCsv) })
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual([...state.entities.values()], entities)
      assert.deepStrictEqual([...state.relations.values()], relations)
    }))

  it.effect("CSV -> NDJSON (the CLI's --out) -> re-import gives the same snapshot, and the file appears only when published", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ingest-ndjson-"))
      const out = join(dir, "snapshot.ndjson")
      const sink = makeNdjsonFileSink(out)
      const entitiesCsv = yield* Effect.promise(() => collect(writeEntitiesCsv(entities)))
      const relationsCsv = yield* Effect.promise(() => collect(writeRelationsCsv(relations)))
      const report = yield* ingestFiles({ entities: textInput("e.csv", entitiesCsv), relations: textInput("r.csv", relationsCsv), sink, known: KnownEntities.none })
      assert.isTrue(report.published)
      assert.strictEqual(readFileSync(out, "utf8").split("\n")[0], JSON.stringify({ type: "entity", ...entities[0] }))
      const again = yield* ingestToMemory({ entities: fileInput(out) })
      assert.deepStrictEqual(again.report.errors, [])
      assert.deepStrictEqual([...again.state.entities.values()], entities)
      assert.deepStrictEqual([...again.state.relations.values()], relations)

      const badOut = join(dir, "bad.ndjson")
      const badSink = makeNdjsonFileSink(badOut)
      const bad = yield* ingestFiles({ entities: textInput("e.csv", `${entitiesCsv}x,person,azure,1,user,,,\r\n`), sink: badSink, known: KnownEntities.none })
      yield* badSink.discard()
      assert.isFalse(bad.published)
      assert.isFalse(existsSync(badOut))
      assert.isFalse(existsSync(`${badOut}.partial`))
    }))

  it("writes exactly the documented relation columns when asked", () => {
    assert.strictEqual(
      relationsHeader({ sourceTypeColumns: false }),
      "App,Parent Entity Source ID*,Parent Entity Type*,Entity Source ID*,Entity Type*,Source System,Metadata Version,Metadata\r\n"
    )
  })

  it("writes the download formats with a stable BRN per integration and entity, and Go-style timestamps", () => {
    const ctx = { tenant: "01HWBCYJA11R3AA48K5V0DVM00", integration: "azure/01J07X778EK4BH2M2A1VY4HCYF", timestamp: new Date("2024-04-27T06:33:31.123Z") }
    assert.strictEqual(downloadTimestamp(ctx.timestamp), "2024-04-27 06:33:31 +0000 UTC")
    const brn = entityBrn(ctx.tenant, ctx.integration, entities[0])
    assert.match(brn, /^brn:bid:idconnect:::01HWBCYJA11R3AA48K5V0DVM00:identity:[A-Za-z0-9_-]{43}$/)
    assert.strictEqual(entityBrn(ctx.tenant, ctx.integration, { ...entities[0] }), brn)
    assert.notStrictEqual(entityBrn(ctx.tenant, "azure/other", entities[0]), brn)

    const t = new CsvTokenizer()
    const [header, row] = [...t.push(entitiesDownloadHeader() + entityDownloadRow(entities[0], ctx)), ...t.end()].map((i) => (i._tag === "record" ? i.fields : []))
    assert.deepStrictEqual(header.slice(0, 4), ["BRN*", "Timestamp*", "App*", "Integration*"])
    assert.deepStrictEqual(row.slice(0, 5), [brn, "2024-04-27 06:33:31 +0000 UTC", "azure", ctx.integration, 'Doe, "JD" Jane'])
    assert.deepStrictEqual(JSON.parse(row[10]), entities[0].metadata)

    const t2 = new CsvTokenizer()
    const [relationRow] = [...t2.push(relationDownloadRow(relations[0], ctx)), ...t2.end()].map((i) => (i._tag === "record" ? i.fields : []))
    assert.strictEqual(relationRow[3], brn, "the parent BRN is the parent entity's BRN")
    assert.strictEqual(relationRow[4], entityBrn(ctx.tenant, ctx.integration, entities[1]))
  })

  it.effect("a download file of entities can be uploaded again (BRN, Timestamp and Integration are ignored)", () =>
    Effect.gen(function* () {
      const ctx = { tenant: "t", integration: "azure/1", timestamp: new Date(0) }
      const text = entitiesDownloadHeader() + entities.map((e) => entityDownloadRow(e, ctx)).join("")
      const { report, state } = yield* ingestToMemory({ entities: textInput("download.csv", text) })
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual([...state.entities.values()], entities)
    }))
})
