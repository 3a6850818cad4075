import type { ExtractionSink, SinkError, SyncScope } from "@idconnect/core/ExtractionSink"
import { type Entity, entityKey } from "@idconnect/schemas/Entity"
import { type EntityRelation, relationKey } from "@idconnect/schemas/EntityRelation"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { CellProblem } from "./CsvColumns.ts"
import { readCells } from "./CsvColumns.ts"
import { matchHeader, type HeaderMapping } from "./CsvHeaders.ts"
import { type CsvItem, parseCsv, type TextSource } from "./CsvParser.ts"
import { formatCsvRow } from "./CsvWriter.ts"
import { DuplicateKeys } from "./DuplicateKeys.ts"
import { entityColumnOf, entityColumns, entityIgnoredColumns } from "./EntityCsv.ts"
import { IngestInputError, IssueLog, RowIssue } from "./IngestErrors.ts"
import { type NdjsonItem, parseNdjson } from "./NdjsonReader.ts"
import { type EntityRef, type KnownEntities, ReferenceCheck, refKey } from "./ReferenceCheck.ts"
import type { RejectsKind, RejectsSink } from "./RejectsSink.ts"
import { relationColumnOf, relationColumns, relationIgnoredColumns } from "./RelationCsv.ts"
import { validateEntity, validateRelation } from "./RowValidation.ts"

/**
 * The ingestion engine behind CSV uploads, the bulk API and `connector ingest`: it streams an
 * Entities input and an Entity Relations input, validates every row, writes valid rows to an
 * `ExtractionSink` in batches and publishes (`sink.complete()`) only when the upload may be
 * published:
 * - strict (default): any invalid row, and nothing is published. The sink's staging is simply
 *   never completed; the store discards unpublished staging.
 * - best effort: valid rows are published, rejected rows go to a `RejectsSink` with their error.
 *   An input that cannot be read to its end (bad header, unterminated quote, not UTF-8), or one
 *   whose every row was rejected, still publishes nothing: a partial snapshot would replace the
 *   whole previous one.
 * Entities are read first (their keys kept as digests), so relations can be checked against the
 * same upload, then against `KnownEntities` (the integration's last synced data).
 */

/** One file of an upload. `open` may be called more than once (an NDJSON file is read per pass). */
export interface IngestInput {
  /** The name used in error messages, e.g. the uploaded file's name. */
  readonly name: string
  readonly format: "csv" | "ndjson"
  readonly open: () => TextSource
}

export interface IngestOptions {
  /** The Entities file; an NDJSON file may hold relations too. */
  readonly entities?: IngestInput
  /** The Entity Relations file; an NDJSON file may hold entities too. */
  readonly relations?: IngestInput
  readonly sink: ExtractionSink
  readonly known: KnownEntities["Service"]
  /** Publish the valid rows even when some are invalid (default false). */
  readonly bestEffort?: boolean
  /** How many issues the report lists (all are counted). Default 100. */
  readonly maxReportedErrors?: number
  /** Where best-effort mode writes rejected rows. */
  readonly rejects?: RejectsSink
  /** Rows per sink write. Default 5000. */
  readonly batchSize?: number
  /**
   * `full` (default): the upload replaces the integration's snapshot. `incremental`: it is applied
   * on top (for a relations-only upload against entities already synced).
   */
  readonly syncMode?: "full" | "incremental"
  /** What a `full` upload replaces (see core's `SyncScope`); default everything. */
  readonly scope?: SyncScope
}

export const IngestCounts = Schema.Struct({ read: Schema.Int, accepted: Schema.Int, rejected: Schema.Int })
export type IngestCounts = typeof IngestCounts.Type

/** What an ingestion did; serialisable, so the API and the worker can return and keep it. */
export const IngestReport = Schema.Struct({
  entities: IngestCounts,
  relations: IngestCounts,
  accepted: Schema.Int,
  rejected: Schema.Int,
  /** The first `maxReportedErrors` issues, by file then line. */
  errors: Schema.Array(RowIssue),
  /** Every issue found (one row may have several). */
  totalErrors: Schema.Int,
  bestEffort: Schema.Boolean,
  published: Schema.Boolean,
  /** Why nothing was published, when it was not. */
  notPublishedReason: Schema.optionalKey(Schema.String),
  /** Where the rejected rows went, by kind (best-effort mode with a rejects sink). */
  rejects: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
}).annotate({ identifier: "IngestReport" })
export type IngestReport = typeof IngestReport.Type

type Kind = "entity" | "relation"

/** A row on its way through: where it came from and how to write it to the rejects file. */
interface RowOrigin {
  readonly input: InputState
  readonly line: number
  /** CSV cells, or undefined for NDJSON / unsplittable rows. */
  readonly cells: ReadonlyArray<string> | undefined
  /** Original text for NDJSON lines and unsplittable CSV rows. */
  readonly text: string | undefined
}

/** Per-input reading state. */
interface InputState {
  readonly input: IngestInput
  /** Position among the inputs, to say in which file a duplicate's first occurrence is. */
  readonly index: number
  readonly rejectsKind: RejectsKind
  mapping: HeaderMapping | undefined
  headerCells: ReadonlyArray<string> | undefined
  rejectsHeaderWritten: boolean
}

interface PendingRelation {
  readonly relation: EntityRelation
  readonly origin: RowOrigin
}

const newCounts = () => ({ read: 0, accepted: 0, rejected: 0 })

/**
 * Runs one ingestion. Row problems are data (in the report); the effect fails only when an input
 * cannot be read (`IngestInputError`) or the sink or rejects sink fails (`SinkError`).
 */
export const ingestFiles = Effect.fn("ingestFiles")(function* (
  options: IngestOptions
): Effect.fn.Return<IngestReport, IngestInputError | SinkError> {
  const bestEffort = options.bestEffort ?? false
  const batchSize = options.batchSize ?? 5000
  const sink = options.sink
  const issues = new IssueLog(options.maxReportedErrors ?? 100)
  const refs = new ReferenceCheck(options.known)
  const counts = { entity: newCounts(), relation: newCounts() }
  const started = Date.now()
  let fatal: string | undefined

  const states = new Map<IngestInput, InputState>()
  /** "line 3", or "line 3 of other.csv" when the first occurrence is in another file. */
  const where = (first: { readonly line: number; readonly file: number }, origin: RowOrigin) => {
    if (first.file === origin.input.index) return `line ${first.line}`
    const other = [...states.values()].find((s) => s.index === first.file)
    return `line ${first.line} of ${other?.input.name ?? "another file"}`
  }
  const stateOf = (input: IngestInput, rejectsKind: RejectsKind): InputState => {
    let state = states.get(input)
    if (state === undefined) {
      state = { input, index: states.size, rejectsKind, mapping: undefined, headerCells: undefined, rejectsHeaderWritten: false }
      states.set(input, state)
    }
    return state
  }

  // Strict mode stops writing at the first issue: that staging will never be published.
  const writing = () => bestEffort || issues.total === 0

  const report = (origin: RowOrigin, problems: ReadonlyArray<CellProblem>): Array<string> => {
    const reasons: Array<string> = []
    for (const p of problems) {
      issues.add(p.column === "" ? { file: origin.input.input.name, line: origin.line, reason: p.reason } : { file: origin.input.input.name, line: origin.line, column: p.column, reason: p.reason })
      reasons.push(p.reason)
    }
    return reasons
  }

  const rejectTexts: Array<{ kind: RejectsKind; text: string }> = []
  /** Counts and reports a rejected row, queueing its rejects-file text. */
  const reject = (kind: Kind, origin: RowOrigin, problems: ReadonlyArray<CellProblem>) => {
    counts[kind].rejected++
    const reasons = report(origin, problems)
    if (options.rejects === undefined || !bestEffort) return
    const state = origin.input
    if (state.input.format === "ndjson") {
      rejectTexts.push({ kind: state.rejectsKind, text: `${JSON.stringify({ line: origin.line, errors: reasons, record: origin.text ?? "" })}\n` })
      return
    }
    if (!state.rejectsHeaderWritten && state.headerCells !== undefined) {
      state.rejectsHeaderWritten = true
      rejectTexts.push({ kind: state.rejectsKind, text: formatCsvRow(["Error", ...state.headerCells]) })
    }
    const cells = origin.cells ?? [origin.text ?? ""]
    rejectTexts.push({ kind: state.rejectsKind, text: formatCsvRow([reasons.join("; "), ...cells]) })
  }

  const flushRejects = Effect.fnUntraced(function* () {
    if (rejectTexts.length === 0 || options.rejects === undefined) return
    const pending = rejectTexts.splice(0, rejectTexts.length)
    for (const r of pending) yield* options.rejects.write(r.kind, r.text)
  })

  const progress = (phase: string) =>
    sink.progress({
      phase,
      entities: counts.entity.accepted,
      relations: counts.relation.accepted,
      deletions: 0,
      requests: 0,
      ratePerSecond: Math.round(((counts.entity.read + counts.relation.read) * 1000) / Math.max(1, Date.now() - started))
    })

  // ---- entities ---------------------------------------------------------------------------------

  // Entity keys are only needed while entities are read; released before the relations pass.
  let entityDuplicates: DuplicateKeys | undefined = new DuplicateKeys()
  let entityBatch: Array<Entity> = []

  const acceptEntityCandidate = (origin: RowOrigin, candidate: unknown, columnOf: (f: string) => string) => {
    const result = validateEntity(candidate, columnOf)
    if (!result.ok) return reject("entity", origin, result.problems)
    const entity = result.value
    entityDuplicates ??= new DuplicateKeys()
    const first = entityDuplicates.check(entityKey(entity), origin.line, origin.input.index)
    if (first !== undefined) {
      return reject("entity", origin, [{
        column: "",
        reason: `duplicate entity: ${columnOf("entityType")} "${entity.entityType}", ${columnOf("sourceType")} "${entity.sourceType}", ${columnOf("sourceId")} "${entity.sourceId}" is already on ${where(first, origin)}`
      }])
    }
    counts.entity.accepted++
    refs.addUploaded(entity)
    if (writing()) entityBatch.push(entity)
  }

  const flushEntities = Effect.fnUntraced(function* (final: boolean) {
    yield* flushRejects()
    if (entityBatch.length === 0 || (!final && entityBatch.length < batchSize)) return
    const batch = entityBatch
    entityBatch = []
    if (writing()) {
      yield* sink.write({ entities: batch, relations: [], deletions: [] }, undefined)
      yield* progress("entities")
    }
  })

  // ---- relations --------------------------------------------------------------------------------

  const relationDuplicates = new DuplicateKeys()
  let pendingRelations: Array<PendingRelation> = []

  const acceptRelationCandidate = (origin: RowOrigin, candidate: unknown, columnOf: (f: string) => string) => {
    const result = validateRelation(candidate, columnOf)
    if (!result.ok) return reject("relation", origin, result.problems)
    const relation = result.value
    const first = relationDuplicates.check(relationKey(relation), origin.line, origin.input.index)
    if (first !== undefined) {
      const privilege = relation.metadata?.privilegeName
      return reject("relation", origin, [{
        column: "",
        reason: `duplicate relation: ${relation.parentEntityType} "${relation.parentSourceId}" -> ${relation.entityType} "${relation.entitySourceId}"${privilege === undefined ? "" : ` (${privilege})`} is already on ${where(first, origin)}`
      }])
    }
    pendingRelations.push({ relation, origin })
  }

  const flushRelations = Effect.fnUntraced(function* (final: boolean) {
    if (pendingRelations.length === 0 || (!final && pendingRelations.length < batchSize)) return yield* flushRejects()
    const batch = pendingRelations
    pendingRelations = []
    // Ends not in the upload are looked up in the last synced data, once per batch.
    const PARENT_OUTSIDE = 1
    const CHILD_OUTSIDE = 2
    const outside = new Uint8Array(batch.length)
    const lookups: Array<EntityRef> = []
    batch.forEach(({ relation: r }, i) => {
      if (!refs.isUploaded(r.parentEntityType, r.parentSourceId)) {
        outside[i] |= PARENT_OUTSIDE
        lookups.push({ entityType: r.parentEntityType, sourceId: r.parentSourceId })
      }
      if (!refs.isUploaded(r.entityType, r.entitySourceId)) {
        outside[i] |= CHILD_OUTSIDE
        lookups.push({ entityType: r.entityType, sourceId: r.entitySourceId })
      }
    })
    const missing = lookups.length === 0 ? new Set<string>() : yield* refs.missing(lookups)
    const accepted: Array<EntityRelation> = []
    for (let i = 0; i < batch.length; i++) {
      const { relation: r, origin } = batch[i]
      if (outside[i] === 0) {
        counts.relation.accepted++
        accepted.push(r)
        continue
      }
      const problems: Array<CellProblem> = []
      const columnOf = origin.input.input.format === "csv" ? relationColumnOf : (f: string) => f
      if ((outside[i] & PARENT_OUTSIDE) !== 0 && missing.has(refKey({ entityType: r.parentEntityType, sourceId: r.parentSourceId }))) {
        problems.push({ column: columnOf("parentSourceId"), reason: danglingReason(r.parentEntityType, r.parentSourceId, "parent") })
      }
      if ((outside[i] & CHILD_OUTSIDE) !== 0 && missing.has(refKey({ entityType: r.entityType, sourceId: r.entitySourceId }))) {
        problems.push({ column: columnOf("entitySourceId"), reason: danglingReason(r.entityType, r.entitySourceId, "child") })
      }
      if (problems.length > 0) {
        reject("relation", origin, problems)
        continue
      }
      counts.relation.accepted++
      accepted.push(r)
    }
    yield* flushRejects()
    if (accepted.length > 0 && writing()) {
      yield* sink.write({ entities: [], relations: accepted, deletions: [] }, undefined)
      yield* progress("relations")
    }
  })

  // ---- reading ----------------------------------------------------------------------------------

  /** Handles one CSV item of an input read for `kind`. */
  const onCsvItem = (state: InputState, kind: Kind, item: CsvItem) => {
    const file = state.input.name
    if (item._tag === "syntaxError" && state.headerCells === undefined) {
      // A header that cannot be read leaves the whole file unreadable.
      state.headerCells = []
      fatal ??= `the header of ${file} is not valid`
      issues.add({ file, line: item.line, reason: item.reason })
      return
    }
    if (item._tag === "syntaxError") {
      const column = item.field === undefined ? undefined : columnName(state, item.field)
      if (item.fatal) {
        fatal ??= `${file} could not be read to its end`
        issues.add({ file, line: item.line, reason: item.reason, ...(column === undefined ? {} : { column }) })
        return
      }
      counts[kind].read++
      reject(kind, { input: state, line: item.line, cells: undefined, text: item.text }, [{ column: column ?? "", reason: item.reason }])
      return
    }
    if (state.headerCells === undefined) {
      state.headerCells = item.fields
      const columns = kind === "entity" ? entityColumns : relationColumns
      const header = matchHeader(columns, item.fields, kind === "entity" ? entityIgnoredColumns : relationIgnoredColumns)
      if (header.ok) {
        state.mapping = header.mapping
      } else {
        fatal ??= `the header of ${file} is not valid`
        for (const p of header.problems) issues.add({ file, line: item.line, reason: p.reason, ...(p.column === undefined ? {} : { column: p.column }) })
      }
      return
    }
    const mapping = state.mapping
    if (mapping === undefined) return
    counts[kind].read++
    const origin: RowOrigin = { input: state, line: item.line, cells: item.fields, text: undefined }
    if (item.fields.length !== mapping.width) {
      return reject(kind, origin, [{
        column: "",
        reason: `the row has ${item.fields.length} cells but the header has ${mapping.width}${item.fields.length > mapping.width ? " (an unquoted comma in a cell?)" : ""}`
      }])
    }
    for (const i of mapping.unnamed) {
      if (item.fields[i].trim().length > 0) {
        return reject(kind, origin, [{ column: `cell ${i + 1}`, reason: `cell ${i + 1} has a value but its column has no header` }])
      }
    }
    const cells = readCells(mapping.positions, item.fields)
    if (!cells.ok) return reject(kind, origin, cells.problems)
    if (kind === "entity") acceptEntityCandidate(origin, cells.value, entityColumnOf)
    else acceptRelationCandidate(origin, cells.value, relationColumnOf)
  }

  /** Handles one NDJSON item of an input read for `kind`; invalid lines are reported in the entity pass only. */
  const onNdjsonItem = (state: InputState, kind: Kind, item: NdjsonItem) => {
    if (item._tag === "invalid") {
      if (kind !== "entity") return
      if (item.fatal) {
        fatal ??= `${state.input.name} could not be read to its end`
        issues.add({ file: state.input.name, line: item.line, reason: item.reason })
        return
      }
      counts[state.rejectsKind === "entities" ? "entity" : "relation"].read++
      reject(state.rejectsKind === "entities" ? "entity" : "relation", { input: state, line: item.line, cells: undefined, text: item.text }, [{ column: "", reason: item.reason }])
      return
    }
    if (item._tag !== kind) return
    counts[kind].read++
    const origin: RowOrigin = { input: state, line: item.line, cells: undefined, text: item.text }
    if (kind === "entity") acceptEntityCandidate(origin, item.value, (f) => f)
    else acceptRelationCandidate(origin, item.value, (f) => f)
  }

  const readInput = Effect.fnUntraced(function* (input: IngestInput, rejectsKind: RejectsKind, kind: Kind) {
    const state = stateOf(input, rejectsKind)
    const flush = kind === "entity" ? flushEntities : flushRelations
    if (input.format === "csv") {
      yield* forEachChunk(input.name, () => parseCsv(input.open()), (items: Array<CsvItem>) => {
        for (const item of items) onCsvItem(state, kind, item)
        return flush(false)
      })
      if (state.headerCells === undefined) {
        fatal ??= `${input.name} is empty`
        issues.add({ file: input.name, line: 1, reason: "the file is empty: expected a header row" })
      }
    } else {
      yield* forEachChunk(input.name, () => parseNdjson(input.open()), (items: Array<NdjsonItem>) => {
        for (const item of items) onNdjsonItem(state, kind, item)
        return flush(false)
      })
    }
    yield* flush(true)
  })

  yield* sink.begin(options.syncMode ?? "full", options.scope ?? "all")

  // Pass 1: entities (from the entities input, and from any NDJSON input, which may mix kinds).
  if (options.entities !== undefined) yield* readInput(options.entities, "entities", "entity")
  if (options.relations?.format === "ndjson" && options.relations !== options.entities) {
    yield* readInput(options.relations, "relations", "entity")
  }
  // Pass 2: relations, now that every entity of the upload is known.
  entityDuplicates = undefined
  if (options.relations !== undefined) yield* readInput(options.relations, "relations", "relation")
  if (options.entities?.format === "ndjson" && options.relations !== options.entities) {
    yield* readInput(options.entities, "entities", "relation")
  }

  const accepted = counts.entity.accepted + counts.relation.accepted
  const rejected = counts.entity.rejected + counts.relation.rejected
  let notPublishedReason: string | undefined
  if (options.entities === undefined && options.relations === undefined) notPublishedReason = "nothing was published: the upload has no file"
  else if (fatal !== undefined) notPublishedReason = `nothing was published: ${fatal}`
  else if (!bestEffort && issues.total > 0) notPublishedReason = `nothing was published: ${rejected} invalid row(s); fix them, or upload in best-effort mode to publish the valid rows`
  else if (bestEffort && accepted === 0 && rejected > 0) notPublishedReason = "nothing was published: every row was rejected"

  const published = notPublishedReason === undefined
  if (published) {
    yield* progress("publishing")
    yield* sink.complete()
  }
  const rejectsWritten = options.rejects !== undefined && bestEffort ? yield* options.rejects.close() : undefined

  return {
    entities: counts.entity,
    relations: counts.relation,
    accepted,
    rejected,
    errors: issues.reported,
    totalErrors: issues.total,
    bestEffort,
    published,
    ...(notPublishedReason === undefined ? {} : { notPublishedReason }),
    ...(rejectsWritten === undefined || Object.keys(rejectsWritten).length === 0 ? {} : { rejects: rejectsWritten as Record<string, string> })
  }
})

const danglingReason = (entityType: string, sourceId: string, end: "parent" | "child") =>
  `the ${end} ${entityType} "${sourceId}" is neither an entity of this upload nor of the integration's last synced data`

/** The name of cell `field` (1-based) of a CSV row, for syntax errors. */
const columnName = (state: InputState, field: number): string => state.mapping?.positions[field - 1]?.name ?? `cell ${field}`

/**
 * Iterates an async source chunk by chunk, running `f` on each; the source is closed (its
 * `return()` called, which destroys a Node stream) however the loop ends.
 */
const forEachChunk = <A, E>(
  file: string,
  open: () => AsyncIterable<A>,
  f: (chunk: A) => Effect.Effect<void, E>
): Effect.Effect<void, E | IngestInputError> =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => open()[Symbol.asyncIterator](),
      catch: (cause) => new IngestInputError({ file, message: `Could not open ${file}: ${describeCause(cause)}`, cause })
    }),
    (iterator) =>
      Effect.gen(function* () {
        for (;;) {
          const next = yield* Effect.tryPromise({
            try: () => iterator.next(),
            catch: (cause) => new IngestInputError({ file, message: `Could not read ${file}: ${describeCause(cause)}`, cause })
          })
          if (next.done === true) return
          yield* f(next.value)
        }
      }),
    (iterator) => Effect.tryPromise(async () => void (await iterator.return?.())).pipe(Effect.ignore)
  )

const describeCause = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
