import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { column, type CsvColumn } from "./CsvColumns.ts"

/**
 * The Entity Relations CSV (BalkanID "Entity Relations upload" format):
 * `App, Parent Entity Source ID*, Parent Entity Type*, Entity Source ID*, Entity Type*, Source
 * System, Metadata Version, Metadata`. The parent holds (has access to) the child.
 *
 * Two extension columns, `Parent Entity Source Type` and `Entity Source Type`, carry the source
 * types our connectors set (ids are not always unique across source types); they are optional on
 * import and written by the idconnect export so that export -> import keeps relations identical.
 */
export const relationColumns: ReadonlyArray<CsvColumn> = [
  column("App", "app"),
  column("Parent Entity Source ID", "parentSourceId", { required: true }),
  column("Parent Entity Type", "parentEntityType", { required: true, kind: "entityType" }),
  column("Entity Source ID", "entitySourceId", { required: true }),
  column("Entity Type", "entityType", { required: true, kind: "entityType" }),
  column("Source System", "sourceSystem"),
  column("Metadata Version", "metadataVersion"),
  column("Metadata", "metadata", { kind: "jsonObject" }),
  column("Parent Entity Source Type", "parentSourceType", { documented: false }),
  column("Entity Source Type", "entitySourceType", { documented: false })
]

/** Header names accepted and skipped: the `Error` column of a rejects file. */
export const relationIgnoredColumns: ReadonlyArray<string> = ["Error"]

/** The CSV column name of an EntityRelation field, for error messages. */
export const relationColumnOf = (field: string): string => relationColumns.find((c) => c.field === field)?.name ?? field

/** The cells of a relation in `relationColumns` order (extension columns last). */
export const relationCells = (r: EntityRelation): Array<string> => [
  r.app ?? "",
  r.parentSourceId,
  r.parentEntityType,
  r.entitySourceId,
  r.entityType,
  r.sourceSystem ?? "",
  r.metadataVersion ?? "",
  r.metadata === undefined ? "" : JSON.stringify(r.metadata),
  r.parentSourceType ?? "",
  r.entitySourceType ?? ""
]
