import { type Entity, entityKey } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { createHash } from "node:crypto"
import { entityCells, entityColumns } from "./EntityCsv.ts"
import { relationCells, relationColumns } from "./RelationCsv.ts"

/**
 * Writes Entities and Entity Relations as CSV: the upload formats (what `ingest` reads back, so
 * export -> import gives the same snapshot) and the BalkanID download formats with BRN, Timestamp
 * and Integration columns. Rows end with CRLF (RFC 4180); cells are quoted only when they hold a
 * comma, quote, line break or leading/trailing space.
 */

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/u

/** One cell, quoted when needed (quotes inside are doubled). */
export const formatCsvCell = (cell: string): string => (NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

/** One row, with its line end. */
export const formatCsvRow = (cells: ReadonlyArray<string>): string => `${cells.map(formatCsvCell).join(",")}\r\n`

export interface UploadFormatOptions {
  /**
   * Also write the `Parent Entity Source Type` / `Entity Source Type` extension columns of the
   * relations file (default true: needed for an exact round trip of connector data; false gives
   * exactly the documented BalkanID columns).
   */
  readonly sourceTypeColumns?: boolean
}

/** The Entities upload header, required columns starred as documented. */
export const entitiesHeader = (): string => formatCsvRow(entityColumns.map((c) => (c.required ? `${c.name}*` : c.name)))

export const entityRow = (e: Entity): string => formatCsvRow(entityCells(e))

const relationWidth = (options: UploadFormatOptions) =>
  options.sourceTypeColumns === false ? relationColumns.filter((c) => c.documented).length : relationColumns.length

/** The Entity Relations upload header. */
export const relationsHeader = (options: UploadFormatOptions = {}): string =>
  formatCsvRow(relationColumns.slice(0, relationWidth(options)).map((c) => (c.required ? `${c.name}*` : c.name)))

export const relationRow = (r: EntityRelation, options: UploadFormatOptions = {}): string =>
  formatCsvRow(relationCells(r).slice(0, relationWidth(options)))

/** Streams an Entities CSV (header, then one row per entity). */
export async function* writeEntitiesCsv(entities: AsyncIterable<Entity> | Iterable<Entity>): AsyncGenerator<string> {
  yield entitiesHeader()
  for await (const e of entities) yield entityRow(e)
}

/** Streams an Entity Relations CSV. */
export async function* writeRelationsCsv(
  relations: AsyncIterable<EntityRelation> | Iterable<EntityRelation>,
  options: UploadFormatOptions = {}
): AsyncGenerator<string> {
  yield relationsHeader(options)
  for await (const r of relations) yield relationRow(r, options)
}

// ---- Download formats --------------------------------------------------------------------------

/** What the download formats add to each row: who owns it and when it was synced. */
export interface DownloadContext {
  readonly tenant: string
  /** The integration id as shown to users (BalkanID writes `<app>/<ULID>`). */
  readonly integration: string
  /** When the data was synced. */
  readonly timestamp: Date
}

/**
 * The BalkanID resource name of an entity:
 * `brn:bid:idconnect:::<tenant>:<entityType>:<43-char url-safe sha256>`. The hash covers the
 * integration and the entity key (entityType, sourceType, sourceId), so the same source object in
 * two integrations gets two BRNs and a BRN is stable across syncs.
 */
export const entityBrn = (
  tenant: string,
  integration: string,
  e: Pick<Entity, "entityType" | "sourceType" | "sourceId">
): string =>
  `brn:bid:idconnect:::${tenant}:${e.entityType}:${createHash("sha256").update(`${integration}\u0000${entityKey(e)}`).digest("base64url")}`

/** A timestamp as the download files write it (Go style): `2024-04-27 06:33:31 +0000 UTC`. */
export const downloadTimestamp = (date: Date): string => `${date.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`

export const entitiesDownloadHeader = (): string =>
  formatCsvRow([
    "BRN*",
    "Timestamp*",
    "App*",
    "Integration*",
    "Name*",
    "Entity Type*",
    "Source System*",
    "Source ID*",
    "Source Type*",
    "Metadata Version",
    "Metadata"
  ])

export const entityDownloadRow = (e: Entity, ctx: DownloadContext): string =>
  formatCsvRow([
    entityBrn(ctx.tenant, ctx.integration, e),
    downloadTimestamp(ctx.timestamp),
    e.app ?? "",
    ctx.integration,
    e.name,
    e.entityType,
    e.sourceSystem,
    e.sourceId,
    e.sourceType,
    e.metadataVersion ?? "",
    e.metadata === undefined ? "" : JSON.stringify(e.metadata)
  ])

export const relationsDownloadHeader = (): string =>
  formatCsvRow([
    "App*",
    "Timestamp*",
    "Integration*",
    "Parent Entity BRN*",
    "Entity BRN*",
    "Entity Type*",
    "Source System*",
    "Metadata Version*",
    "Metadata*"
  ])

/**
 * A relation in the download format. Its BRNs need both ends' source types: the store fills
 * `parentSourceType`/`entitySourceType` from the snapshot's entities before calling this (relations
 * uploaded without them are matched to entities by type and source id).
 */
export const relationDownloadRow = (r: EntityRelation, ctx: DownloadContext): string =>
  formatCsvRow([
    r.app ?? "",
    downloadTimestamp(ctx.timestamp),
    ctx.integration,
    entityBrn(ctx.tenant, ctx.integration, { entityType: r.parentEntityType, sourceType: r.parentSourceType ?? "", sourceId: r.parentSourceId }),
    entityBrn(ctx.tenant, ctx.integration, { entityType: r.entityType, sourceType: r.entitySourceType ?? "", sourceId: r.entitySourceId }),
    r.entityType,
    r.sourceSystem ?? "",
    r.metadataVersion ?? "",
    r.metadata === undefined ? "" : JSON.stringify(r.metadata)
  ])
