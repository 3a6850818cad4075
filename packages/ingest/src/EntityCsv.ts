import type { Entity } from "@idconnect/schemas/Entity"
import { column, type CsvColumn } from "./CsvColumns.ts"

/**
 * The Entities CSV (BalkanID "Entities upload" format):
 * `App, Name*, Entity Type*, Source System*, Source ID*, Source Type*, Metadata Version, Metadata`.
 * Metadata is a JSON object. The download format's `BRN`, `Timestamp` and `Integration` columns
 * are accepted and ignored, so a downloaded file can be uploaded again.
 */
export const entityColumns: ReadonlyArray<CsvColumn> = [
  column("App", "app"),
  column("Name", "name", { required: true }),
  column("Entity Type", "entityType", { required: true, kind: "entityType" }),
  column("Source System", "sourceSystem", { required: true }),
  column("Source ID", "sourceId", { required: true }),
  column("Source Type", "sourceType", { required: true }),
  column("Metadata Version", "metadataVersion"),
  column("Metadata", "metadata", { kind: "jsonObject" })
]

/**
 * Header names accepted and skipped: the download format's BRN/Timestamp/Integration, and the
 * `Error` column of a rejects file (fix the rows in it and upload it as it is).
 */
export const entityIgnoredColumns: ReadonlyArray<string> = ["BRN", "Timestamp", "Integration", "Error"]

/** The CSV column name of an Entity field, for error messages (`sourceId` -> `Source ID`). */
export const entityColumnOf = (field: string): string => entityColumns.find((c) => c.field === field)?.name ?? field

/** The cells of an entity in `entityColumns` order: absent optional fields are empty cells. */
export const entityCells = (e: Entity): Array<string> => [
  e.app ?? "",
  e.name,
  e.entityType,
  e.sourceSystem,
  e.sourceId,
  e.sourceType,
  e.metadataVersion ?? "",
  e.metadata === undefined ? "" : JSON.stringify(e.metadata)
]
