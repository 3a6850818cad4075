import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ReadCapability } from "@idconnect/core/ConnectorPlugin"
import { Catalog } from "@idconnect/schemas/Catalog"
import { entityKey } from "@idconnect/schemas/Entity"
import { relationKey } from "@idconnect/schemas/EntityRelation"
import { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import { Checkpoint } from "@idconnect/schemas/Run"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { isPlainJson, sample, showKey, type Defects } from "./Defects.ts"

/** What a full extraction of the live target must contain, when the target knows. */
export interface ExpectedCounts {
  readonly entities?: number
  readonly relations?: number
}

/** Every record an extraction emitted, in order: the raw output of `extract`, no runner involved. */
export const collectRecords = <C>(
  read: ReadCapability<C>,
  config: C,
  checkpoint?: Checkpoint
): Effect.Effect<ReadonlyArray<ExtractRecord>, ConnectorError> => Stream.runCollect(read.extract(config, checkpoint))

/** The first failure's message, on one line. */
const failureMessage = (cause: Cause.Cause<unknown>): string => {
  const reason = cause.reasons.find((r) => r._tag === "Fail")
  const error = reason !== undefined && "error" in reason ? reason.error : undefined
  return (error instanceof Error ? error.message : Cause.pretty(cause)).replace(/\s+/g, " ")
}

const encodeRecord = Schema.encodeUnknownExit(ExtractRecord)
const decodeRecord = Schema.decodeUnknownExit(ExtractRecord, { onExcessProperty: "error" })
const decodeCheckpoint = Schema.decodeUnknownExit(Checkpoint)

/**
 * Checks one uninterrupted extraction: the stream ended (pagination exhausted) with the expected
 * counts; every record encodes to JSON and decodes back strictly; no entity or relation appears
 * twice; relations point at entities the run emitted (unless allowed); checkpoints survive a JSON
 * round trip (they are stored as JSON); there is at least one checkpoint and the last one comes
 * after the last data record, so a completed run can be resumed without replaying data.
 */
export const checkExtraction = (
  records: ReadonlyArray<ExtractRecord>,
  options: { readonly expected?: ExpectedCounts | undefined; readonly allowDanglingRelations?: boolean | undefined } = {}
): Defects => {
  const defects: Array<string> = []
  const undecodable: Array<string> = []
  const entityCount = new Map<string, number>()
  const relationCount = new Map<string, number>()
  const relations: Array<ExtractRecord & { _tag: "relation" }> = []
  let checkpoints = 0
  let lastCheckpoint = -1
  let lastData = -1
  records.forEach((record, i) => {
    const encoded = encodeRecord(record)
    const roundTrip = Exit.isSuccess(encoded) ? decodeRecord(JSON.parse(JSON.stringify(encoded.value))) : encoded
    if (Exit.isFailure(roundTrip)) undecodable.push(`#${i} (${record._tag}): ${failureMessage(roundTrip.cause)}`)
    switch (record._tag) {
      case "entity": {
        const key = entityKey(record.entity)
        entityCount.set(key, (entityCount.get(key) ?? 0) + 1)
        lastData = i
        break
      }
      case "relation": {
        const key = relationKey(record.relation)
        relationCount.set(key, (relationCount.get(key) ?? 0) + 1)
        relations.push(record)
        lastData = i
        break
      }
      case "checkpoint": {
        checkpoints++
        lastCheckpoint = i
        if (!isPlainJson(record.checkpoint.state) || Exit.isFailure(decodeCheckpoint(JSON.parse(JSON.stringify(record.checkpoint))))) {
          defects.push(`checkpoint #${checkpoints} does not survive a JSON round trip: keep its state plain JSON`)
        }
        break
      }
      default:
        break
    }
  })
  if (undecodable.length > 0) defects.push(`${undecodable.length} records do not decode as ExtractRecord: ${sample(undecodable, 3)}`)
  const dupEntities = [...entityCount].filter(([, n]) => n > 1).map(([k, n]) => `${showKey(k)} x${n}`)
  const dupRelations = [...relationCount].filter(([, n]) => n > 1).map(([k, n]) => `${showKey(k)} x${n}`)
  if (dupEntities.length > 0) defects.push(`duplicate entities in one run: ${sample(dupEntities)}`)
  if (dupRelations.length > 0) defects.push(`duplicate relations in one run: ${sample(dupRelations)}`)
  if (checkpoints === 0) defects.push("no checkpoint emitted: a killed run could only start over")
  else if (lastData > lastCheckpoint) defects.push("data records follow the last checkpoint: emit a checkpoint after the last page")
  const expected = options.expected
  if (expected?.entities !== undefined && entityCount.size !== expected.entities) {
    defects.push(`expected ${expected.entities} entities from the target, got ${entityCount.size}: pages lost or pagination not exhausted`)
  }
  if (expected?.relations !== undefined && relationCount.size !== expected.relations) {
    defects.push(`expected ${expected.relations} relations from the target, got ${relationCount.size}: pages lost or pagination not exhausted`)
  }
  if (options.allowDanglingRelations !== true) {
    const known = new Set([...entityCount.keys()])
    const dangling: Array<string> = []
    for (const { relation: r } of relations) {
      const ends = [
        { entityType: r.parentEntityType, sourceType: r.parentSourceType, sourceId: r.parentSourceId },
        { entityType: r.entityType, sourceType: r.entitySourceType, sourceId: r.entitySourceId }
      ]
      for (const end of ends) {
        if (end.sourceType !== undefined && !known.has(entityKey({ ...end, sourceType: end.sourceType }))) {
          dangling.push(`${end.entityType}/${end.sourceType}/${end.sourceId}`)
        }
      }
    }
    if (dangling.length > 0) {
      defects.push(`${dangling.length} relation ends point at entities the run did not emit (lost page?): ${sample([...new Set(dangling)])}`)
    }
  }
  return defects
}

/**
 * Checks that `discover` describes what `extract` emits: the catalog decodes, and every emitted
 * entity and relation type is listed.
 */
export const checkCatalog = (catalog: unknown, records: ReadonlyArray<ExtractRecord>): Defects => {
  const decoded = Schema.decodeUnknownExit(Catalog, { onExcessProperty: "error" })(catalog)
  if (Exit.isFailure(decoded)) return [`discover returned something that is not a Catalog: ${failureMessage(decoded.cause)}`]
  const defects: Array<string> = []
  const entityTypes = new Set(decoded.value.entityTypes.map((t) => `${t.entityType}/${t.sourceType}`))
  const relationTypes = new Set(
    decoded.value.relationTypes.flatMap((t) =>
      t.parentSourceTypes.flatMap((p) => t.entitySourceTypes.map((c) => `${t.privilegeName}:${t.parentEntityType}/${p}->${t.entityType}/${c}`))
    )
  )
  const missingEntities = new Set<string>()
  const missingRelations = new Set<string>()
  for (const r of records) {
    if (r._tag === "entity" && !entityTypes.has(`${r.entity.entityType}/${r.entity.sourceType}`)) {
      missingEntities.add(`${r.entity.entityType}/${r.entity.sourceType}`)
    }
    if (r._tag === "relation") {
      const x = r.relation
      const key = `${x.metadata?.privilegeName ?? ""}:${x.parentEntityType}/${x.parentSourceType ?? ""}->${x.entityType}/${x.entitySourceType ?? ""}`
      if (!relationTypes.has(key)) missingRelations.add(key)
    }
  }
  if (missingEntities.size > 0) defects.push(`emitted entity types missing from the catalog: ${sample([...missingEntities])}`)
  if (missingRelations.size > 0) defects.push(`emitted relation types missing from the catalog: ${sample([...missingRelations])}`)
  return defects
}
