import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdtempSync, readFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CsvTokenizer } from "../src/CsvParser.ts"
import { formatRowIssue, type RowIssue } from "../src/IngestErrors.ts"
import { KnownEntities } from "../src/ReferenceCheck.ts"
import { makeFileRejectsSink, makeMemoryRejectsSink } from "../src/RejectsSink.ts"
import { fixture, ingestToMemory, textInput } from "./support.ts"

/** Issues without their reason text, for exact file/line/column assertions. */
const located = (errors: ReadonlyArray<RowIssue>) => errors.map((e) => [e.file, e.line, e.column ?? ""])

const csvRows = (text: string) => {
  const t = new CsvTokenizer()
  return [...t.push(text), ...t.end()].map((i) => (i._tag === "record" ? i.fields : i.reason))
}

describe("ingest: tolerances", () => {
  it.effect("reads BOM, CRLF, messy reordered headers, quoted commas/quotes/newlines, empty optional cells and metadata JSON", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({ entities: fixture("entities-tolerant.csv"), relations: fixture("relations-tolerant.csv") })
      assert.deepStrictEqual(report.errors, [])
      assert.isTrue(report.published)
      assert.isTrue(state.completed)
      assert.strictEqual(state.mode, "full")
      assert.deepStrictEqual([...state.entities.values()], [
        {
          app: "azure",
          name: "Doe, Jane",
          entityType: "identity",
          sourceSystem: "azure",
          sourceId: "u-1",
          sourceType: "user",
          metadataVersion: "v1",
          metadata: { username: "jane@example.com", department: "R&D" }
        },
        { name: 'The "Admins" group', entityType: "connection", sourceSystem: "azure", sourceId: "g-1", sourceType: "group" },
        { app: "azure", name: "Multi\r\nline name", entityType: "resource", sourceSystem: "azure", sourceId: "app-1", sourceType: "application", metadata: {} },
        { name: "Jo Bloggs", entityType: "identity", sourceSystem: "azure", sourceId: "u-2", sourceType: "user", metadata: { jobTitle: "Engineer, Platform" } }
      ])
      assert.deepStrictEqual([...state.relations.values()], [
        {
          app: "azure",
          parentSourceId: "u-1",
          parentEntityType: "identity",
          entitySourceId: "g-1",
          entityType: "connection",
          sourceSystem: "azure",
          metadataVersion: "v1",
          metadata: { privilegeName: "member", privilegeValue: true, connectionType: "group" },
          entitySourceType: "group"
        },
        {
          app: "azure",
          parentSourceId: "u-2",
          parentEntityType: "identity",
          entitySourceId: "g-1",
          entityType: "connection",
          sourceSystem: "azure",
          metadataVersion: "v1",
          metadata: { privilegeName: "owner" }
        },
        { parentSourceId: "g-1", parentEntityType: "connection", entitySourceId: "app-1", entityType: "resource" }
      ])
      assert.deepStrictEqual(report.entities, { read: 4, accepted: 4, rejected: 0 })
      assert.deepStrictEqual(report.relations, { read: 3, accepted: 3, rejected: 0 })
    }))

  it.effect("gives the same result when the bytes arrive in 7-byte chunks", () =>
    Effect.gen(function* () {
      const text = readFileSync(new URL("./fixtures/entities-tolerant.csv", import.meta.url), "utf8")
      const whole = yield* ingestToMemory({ entities: fixture("entities-tolerant.csv") })
      const chunked = yield* ingestToMemory({ entities: textInput("entities-tolerant.csv", `\uFEFF${text}`) })
      assert.deepStrictEqual([...chunked.state.entities.values()], [...whole.state.entities.values()])
      assert.strictEqual(chunked.report.totalErrors, 0)
    }))

  it.effect("accepts relations pointing at the integration's last synced entities", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({
        relations: textInput("r.csv", "Parent Entity Source ID,Parent Entity Type,Entity Source ID,Entity Type\nu-1,identity,g-1,connection\n"),
        known: KnownEntities.fromEntities([{ entityType: "identity", sourceId: "u-1" }, { entityType: "connection", sourceId: "g-1" }]),
        syncMode: "incremental"
      })
      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(state.relations.size, 1)
      assert.strictEqual(state.mode, "incremental")
    }))
})

describe("ingest: errors", () => {
  it.effect("reports every bad entity row with its file, line and column, and publishes nothing", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({ entities: fixture("entities-errors.csv") })
      assert.deepStrictEqual(located(report.errors), [
        ["entities-errors.csv", 3, "Entity Type"],
        ["entities-errors.csv", 4, "Name"],
        ["entities-errors.csv", 5, "Metadata"],
        ["entities-errors.csv", 6, "Metadata"],
        ["entities-errors.csv", 7, ""],
        ["entities-errors.csv", 8, ""],
        ["entities-errors.csv", 9, ""],
        ["entities-errors.csv", 10, "Name"]
      ])
      const reasons = report.errors.map((e) => e.reason)
      assert.strictEqual(reasons[0], 'Entity Type must be one of identity, connection, resource (got "user")')
      assert.strictEqual(reasons[1], "Name is required")
      assert.match(reasons[2], /^Metadata is not valid JSON \(/)
      assert.strictEqual(reasons[3], 'Metadata must be a JSON object like {"key":"value"}, got an array')
      assert.strictEqual(reasons[4], 'duplicate entity: Entity Type "identity", Source Type "user", Source ID "u-1" is already on line 2')
      assert.strictEqual(reasons[5], "the row has 9 cells but the header has 8 (an unquoted comma in a cell?)")
      assert.strictEqual(reasons[6], "the row has 4 cells but the header has 8")
      assert.strictEqual(reasons[7], "stray quote in unquoted cell 2: quote the whole cell and double the quotes inside it")
      assert.strictEqual(formatRowIssue(report.errors[0]), 'entities-errors.csv:3:Entity Type: Entity Type must be one of identity, connection, resource (got "user")')
      assert.strictEqual(formatRowIssue(report.errors[4]), 'entities-errors.csv:7: duplicate entity: Entity Type "identity", Source Type "user", Source ID "u-1" is already on line 2')
      assert.deepStrictEqual(report.entities, { read: 10, accepted: 2, rejected: 8 })
      assert.strictEqual(report.totalErrors, 8)
      assert.isFalse(report.published)
      assert.isFalse(state.completed)
      assert.match(report.notPublishedReason ?? "", /8 invalid row\(s\)/)
    }))

  it.effect("reports dangling references, duplicate relations and bad relation cells", () =>
    Effect.gen(function* () {
      const { report } = yield* ingestToMemory({
        entities: fixture("groups.csv"),
        relations: fixture("relations-errors.csv"),
        known: KnownEntities.fromEntities([{ entityType: "identity", sourceId: "u-1" }])
      })
      assert.deepStrictEqual(located(report.errors), [
        ["relations-errors.csv", 3, "Entity Source ID"],
        ["relations-errors.csv", 4, ""],
        ["relations-errors.csv", 5, "Parent Entity Type"],
        ["relations-errors.csv", 6, "Metadata"]
      ])
      assert.deepStrictEqual(report.errors.map((e) => e.reason), [
        `the child connection "g-404" is neither an entity of this upload nor of the integration's last synced data`,
        'duplicate relation: identity "u-1" -> connection "g-1" (member) is already on line 2',
        'Parent Entity Type must be one of identity, connection, resource (got "person")',
        'Metadata field "privilegeValue" must be a boolean (got "yes")'
      ])
      assert.deepStrictEqual(report.relations, { read: 5, accepted: 1, rejected: 4 })
    }))

  it.effect("names missing and unknown columns and reads no row of that file", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({ entities: fixture("entities-bad-header.csv"), bestEffort: true })
      assert.deepStrictEqual(located(report.errors), [
        ["entities-bad-header.csv", 1, "Sauce Type"],
        ["entities-bad-header.csv", 1, "Source ID"],
        ["entities-bad-header.csv", 1, "Source Type"]
      ])
      assert.match(report.errors[0].reason, /^unknown column "Sauce Type"; expected: App, Name\*, Entity Type\*/)
      assert.strictEqual(report.errors[1].reason, 'missing required column "Source ID"')
      assert.strictEqual(report.entities.read, 0)
      assert.isFalse(report.published, "even best-effort publishes nothing from an unreadable file")
      assert.isFalse(state.completed)
    }))

  it.effect("stops at an unterminated quote, names the line it opened on, and publishes nothing even in best-effort mode", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({ entities: fixture("entities-unterminated.csv"), bestEffort: true })
      assert.deepStrictEqual(report.errors, [
        { file: "entities-unterminated.csv", line: 3, reason: "unterminated quoted field: the quote opened on line 3 is never closed" }
      ])
      assert.isFalse(report.published)
      assert.isFalse(state.completed)
      assert.strictEqual(report.notPublishedReason, "nothing was published: entities-unterminated.csv could not be read to its end")
    }))

  it.effect("reports an empty file and a value under a column without header", () =>
    Effect.gen(function* () {
      const empty = yield* ingestToMemory({ entities: textInput("empty.csv", "") })
      assert.deepStrictEqual(empty.report.errors, [{ file: "empty.csv", line: 1, reason: "the file is empty: expected a header row" }])
      const unnamed = yield* ingestToMemory({
        entities: textInput("u.csv", "Name,Entity Type,Source System,Source ID,Source Type,\nA,identity,azure,1,user,\nB,identity,azure,2,user,oops\n")
      })
      assert.deepStrictEqual(unnamed.report.errors, [{ file: "u.csv", line: 3, column: "cell 6", reason: "cell 6 has a value but its column has no header" }])
    }))

  it.effect("caps the reported errors but counts them all", () =>
    Effect.gen(function* () {
      const { report } = yield* ingestToMemory({ entities: fixture("entities-errors.csv"), maxReportedErrors: 3 })
      assert.deepStrictEqual(located(report.errors), [
        ["entities-errors.csv", 3, "Entity Type"],
        ["entities-errors.csv", 4, "Name"],
        ["entities-errors.csv", 5, "Metadata"]
      ])
      assert.strictEqual(report.totalErrors, 8)
    }))

  it.effect("a relation whose entity row was rejected is itself rejected", () =>
    Effect.gen(function* () {
      const { report } = yield* ingestToMemory({
        entities: textInput("e.csv", "Name,Entity Type,Source System,Source ID,Source Type\nA,identity,azure,u-1,user\nB,person,azure,u-2,user\n"),
        relations: textInput("r.csv", "Parent Entity Source ID,Parent Entity Type,Entity Source ID,Entity Type\nu-1,identity,u-2,identity\n"),
        bestEffort: true
      })
      assert.deepStrictEqual(located(report.errors), [["e.csv", 3, "Entity Type"], ["r.csv", 2, "Entity Source ID"]])
      assert.deepStrictEqual(report.relations, { read: 1, accepted: 0, rejected: 1 })
    }))
})

describe("ingest: strict and best-effort publishing", () => {
  it.effect("best effort publishes the valid rows and writes the rejects, with the reason, as CSV", () =>
    Effect.gen(function* () {
      const rejects = makeMemoryRejectsSink()
      const { report, state } = yield* ingestToMemory({
        entities: fixture("entities-errors.csv"),
        relations: fixture("relations-errors.csv"),
        known: KnownEntities.fromEntities([{ entityType: "connection", sourceId: "g-1" }]),
        bestEffort: true,
        rejects: rejects.sink
      })
      assert.isTrue(report.published)
      assert.isTrue(state.completed)
      assert.deepStrictEqual([...state.entities.values()].map((e) => e.sourceId), ["u-1", "u-9"])
      assert.deepStrictEqual([...state.relations.values()].map((r) => r.entitySourceId), ["g-1"])
      assert.deepStrictEqual(report.rejects, { entities: "memory:entities", relations: "memory:relations" })

      const rows = csvRows(rejects.texts.entities.join(""))
      assert.deepStrictEqual(rows[0], ["Error", "App", "Name*", "Entity Type*", "Source System*", "Source ID*", "Source Type*", "Metadata Version", "Metadata"])
      assert.deepStrictEqual(rows[1], ['Entity Type must be one of identity, connection, resource (got "user")', "azure", "Bob", "user", "azure", "u-2", "user", "", ""])
      assert.deepStrictEqual(rows[4], ['Metadata must be a JSON object like {"key":"value"}, got an array', "azure", "Eve", "identity", "azure", "u-5", "user", "", "[1,2]"])
      // The row that could not be split into cells keeps its original text in one cell.
      assert.deepStrictEqual(rows[8], ["stray quote in unquoted cell 2: quote the whole cell and double the quotes inside it", 'azure,Heidi "the hacker",identity,azure,u-8,user,,'])
      assert.strictEqual(rows.length, 9)
      assert.strictEqual(csvRows(rejects.texts.relations.join("")).length, 1 + 4)
    }))

  it.effect("a fixed rejects file can be uploaded as it is: the Error column is ignored", () =>
    Effect.gen(function* () {
      const rejects = makeMemoryRejectsSink()
      yield* ingestToMemory({ entities: fixture("entities-errors.csv"), bestEffort: true, rejects: rejects.sink })
      const fixed = rejects.texts.entities.join("").replace(",Bob,user,", ",Bob,identity,")
      const { report } = yield* ingestToMemory({ entities: textInput("entities-errors.rejects.csv", fixed), bestEffort: true })
      // Bob (fixed) and the former duplicate of Alice (alone in this file) now pass.
      assert.deepStrictEqual(report.entities, { read: 8, accepted: 2, rejected: 6 })
      assert.strictEqual(report.errors.find((e) => e.line === 2), undefined)
    }))

  it.effect("writes rejects files only for the kinds that had rejects", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ingest-rejects-"))
      const paths = { entities: join(dir, "entities.rejects.csv"), relations: join(dir, "relations.rejects.csv") }
      const { report } = yield* ingestToMemory({ entities: fixture("entities-errors.csv"), bestEffort: true, rejects: makeFileRejectsSink(paths) })
      assert.deepStrictEqual(report.rejects, { entities: paths.entities })
      assert.strictEqual(csvRows(readFileSync(paths.entities, "utf8")).length, 9)
      assert.isFalse(existsSync(paths.relations))
    }))

  it.effect("best effort publishes nothing when every row was rejected", () =>
    Effect.gen(function* () {
      const { report, state } = yield* ingestToMemory({
        entities: textInput("e.csv", "Name,Entity Type,Source System,Source ID,Source Type\nA,person,azure,u-1,user\n"),
        bestEffort: true
      })
      assert.isFalse(report.published)
      assert.isFalse(state.completed)
      assert.strictEqual(report.notPublishedReason, "nothing was published: every row was rejected")
    }))

  it.effect("strict mode stops writing to the sink at the first invalid row", () =>
    Effect.gen(function* () {
      const rows = Array.from({ length: 30 }, (_, i) => `N${i},identity,azure,u-${i},user`)
      rows[20] = "bad,person,azure,u-20,user"
      const { report, state } = yield* ingestToMemory({
        entities: textInput("e.csv", `Name,Entity Type,Source System,Source ID,Source Type\n${rows.join("\n")}\n`),
        batchSize: 10
      })
      assert.deepStrictEqual(located(report.errors), [["e.csv", 22, "Entity Type"]])
      assert.strictEqual(state.entities.size, 20, "the two batches before the error were staged, nothing after")
      assert.isFalse(state.completed)
    }))
})

describe("ingest: NDJSON", () => {
  it.effect("reads extract output, typed and bare records, skips non-data records, reports bad lines with their numbers", () =>
    Effect.gen(function* () {
      const rejects = makeMemoryRejectsSink()
      const { report, state } = yield* ingestToMemory({ entities: fixture("upload.ndjson"), bestEffort: true, rejects: rejects.sink })
      assert.deepStrictEqual([...state.entities.values()].map((e) => e.sourceId), ["u-1", "g-1"])
      assert.deepStrictEqual([...state.relations.values()].map((r) => [r.parentSourceId, r.entitySourceId]), [["u-1", "g-1"]])
      assert.deepStrictEqual(located(report.errors), [
        ["upload.ndjson", 6, "entitySourceId"],
        ["upload.ndjson", 8, "entityType"],
        ["upload.ndjson", 9, ""]
      ])
      assert.strictEqual(report.errors[1].reason, "entityType is required")
      assert.match(report.errors[2].reason, /^not valid JSON/)
      const rejected = rejects.texts.entities.map((t) => JSON.parse(t))
      assert.deepStrictEqual(rejected.map((r) => r.line), [8, 9, 6], "entity lines are rejected in the entity pass, relation lines after")
      assert.deepStrictEqual(rejected[0].errors, ["entityType is required"])
      assert.strictEqual(rejected[1].record, "{not json")
    }))

  it.effect("reports unknown fields and wrong types by field name", () =>
    Effect.gen(function* () {
      const line = JSON.stringify({ name: "A", entityType: "identity", sourceSystem: "azure", sourceId: 7, sourceType: "user", colour: "red" })
      const { report } = yield* ingestToMemory({ entities: textInput("e.ndjson", `${line}\n`, "ndjson") })
      assert.deepStrictEqual(report.errors.map((e) => [e.line, e.column, e.reason]), [
        [1, "colour", 'unknown field "colour"'],
        [1, "sourceId", "sourceId must be a string (got 7)"]
      ])
    }))
})
