import { assert, describe, it } from "@effect/vitest"
import { matchHeader, normaliseHeader } from "../src/CsvHeaders.ts"
import { entityColumns, entityIgnoredColumns } from "../src/EntityCsv.ts"
import { relationColumns } from "../src/RelationCsv.ts"

describe("CsvHeaders", () => {
  it("matches headers whatever their case, spacing, stars and separators", () => {
    for (const written of ["Source ID*", "  source   id * ", "SOURCE_ID", "sourceId", "source-id"]) {
      assert.strictEqual(normaliseHeader(written), normaliseHeader("Source ID"), written)
    }
  })

  it("maps columns in any order to their fields", () => {
    const result = matchHeader(entityColumns, ["source id*", "NAME", "Entity Type", "Source System", "Source Type", "metadata"])
    assert.isTrue(result.ok)
    if (result.ok) {
      assert.deepStrictEqual(result.mapping.positions.map((c) => c?.field), ["sourceId", "name", "entityType", "sourceSystem", "sourceType", "metadata"])
    }
  })

  it("names missing required columns and unknown columns", () => {
    const result = matchHeader(entityColumns, ["App", "Name*", "Entity Type*", "Source System*", "Sauce Type", "Metadata"])
    assert.isFalse(result.ok)
    if (!result.ok) {
      assert.deepStrictEqual(
        result.problems.map((p) => [p.cell, p.column, p.reason.split(";")[0]]),
        [
          [5, "Sauce Type", 'unknown column "Sauce Type"'],
          [undefined, "Source ID", 'missing required column "Source ID"'],
          [undefined, "Source Type", 'missing required column "Source Type"']
        ]
      )
    }
  })

  it("reports a column given twice", () => {
    const result = matchHeader(relationColumns, ["Parent Entity Source ID", "Parent Entity Type", "Entity Source ID", "Entity Type", "entity type*"])
    assert.isFalse(result.ok)
    if (!result.ok) assert.deepStrictEqual(result.problems.map((p) => p.reason), ['column "Entity Type" appears twice (cells 4 and 5)'])
  })

  it("skips the download format's extra columns and empty trailing header cells", () => {
    const cells = ["BRN*", "Timestamp*", "App*", "Integration*", "Name*", "Entity Type*", "Source System*", "Source ID*", "Source Type*", "Metadata Version", "Metadata", ""]
    const result = matchHeader(entityColumns, cells, entityIgnoredColumns)
    assert.isTrue(result.ok)
    if (result.ok) {
      assert.strictEqual(result.mapping.width, 12)
      assert.deepStrictEqual(result.mapping.unnamed, [11])
      assert.deepStrictEqual(result.mapping.positions.slice(0, 5).map((c) => c?.field), [undefined, undefined, "app", undefined, "name"])
    }
  })
})
