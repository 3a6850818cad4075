import type { Entity, EntityType } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { decodeCursor, encodeCursor, pageLimit, type Page, type PageRequest } from "./Page.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreConfig } from "./StoreConfig.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

export interface EntityFilter extends PageRequest {
  readonly entityType?: EntityType
  readonly sourceType?: string
  /** Case-insensitive substring of the name. */
  readonly search?: string
  /** Read the snapshot a given (published, retained) run produced instead of the latest. */
  readonly atRun?: string
}

export interface RelationFilter extends PageRequest {
  readonly parentEntityType?: EntityType
  readonly parentSourceId?: string
  readonly entityType?: EntityType
  readonly entitySourceId?: string
  readonly privilegeName?: string
  readonly atRun?: string
}

export interface EntityRef {
  readonly entityType: EntityType
  readonly sourceType: string
  readonly sourceId: string
}

/** One section of a diff: items capped at `limit` per change kind, counts always complete. */
export interface DiffSection<A> {
  readonly added: ReadonlyArray<A>
  readonly removed: ReadonlyArray<A>
  readonly changed: ReadonlyArray<{ readonly before: A; readonly after: A }>
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number }
  readonly truncated: boolean
}

export interface EffectiveAccessItem {
  readonly identity: { readonly sourceType?: string; readonly sourceId: string }
  readonly target: { readonly entityType: EntityType; readonly sourceType?: string; readonly sourceId: string }
  readonly privilegeName: string
  readonly kind: "direct" | "inherited"
  readonly path: ReadonlyArray<string>
}

/** What changed between the snapshots of two published runs of one integration (from -> to). */
export interface SnapshotDiff {
  readonly integrationId: string
  readonly from: { readonly runId: string; readonly seq: number }
  readonly to: { readonly runId: string; readonly seq: number }
  readonly entities: DiffSection<Entity>
  readonly relations: DiffSection<EntityRelation>
  readonly effectiveAccess: DiffSection<EffectiveAccessItem>
}

type EntityRow = {
  entity_type: EntityType
  source_type: string
  source_id: string
  name: string
  app: string | null
  source_system: string
  metadata_version: string | null
  metadata: Record<string, unknown> | null
}

type RelationRow = {
  rkey: string
  parent_entity_type: EntityType
  parent_source_type: string
  parent_source_id: string
  entity_type: EntityType
  entity_source_type: string
  entity_source_id: string
  app: string | null
  source_system: string | null
  metadata_version: string | null
  metadata: EntityRelation["metadata"] | null
}

type AccessRow = {
  identity_source_type: string
  identity_source_id: string
  target_entity_type: EntityType
  target_source_type: string
  target_source_id: string
  privilege_name: string
  kind: "direct" | "inherited"
  path: ReadonlyArray<string>
}

export const entityOf = (r: EntityRow): Entity => ({
  ...(r.app === null ? {} : { app: r.app }),
  name: r.name,
  entityType: r.entity_type,
  sourceSystem: r.source_system,
  sourceId: r.source_id,
  sourceType: r.source_type,
  ...(r.metadata_version === null ? {} : { metadataVersion: r.metadata_version }),
  ...(r.metadata === null ? {} : { metadata: r.metadata })
})

export const relationOf = (r: RelationRow): EntityRelation => ({
  ...(r.app === null ? {} : { app: r.app }),
  parentSourceId: r.parent_source_id,
  parentEntityType: r.parent_entity_type,
  ...(r.parent_source_type === "" ? {} : { parentSourceType: r.parent_source_type }),
  entitySourceId: r.entity_source_id,
  entityType: r.entity_type,
  ...(r.entity_source_type === "" ? {} : { entitySourceType: r.entity_source_type }),
  ...(r.source_system === null ? {} : { sourceSystem: r.source_system }),
  ...(r.metadata_version === null ? {} : { metadataVersion: r.metadata_version }),
  ...(r.metadata === null ? {} : { metadata: r.metadata })
})

export const accessOf = (r: AccessRow): EffectiveAccessItem => ({
  identity: { ...(r.identity_source_type === "" ? {} : { sourceType: r.identity_source_type }), sourceId: r.identity_source_id },
  target: {
    entityType: r.target_entity_type,
    ...(r.target_source_type === "" ? {} : { sourceType: r.target_source_type }),
    sourceId: r.target_source_id
  },
  privilegeName: r.privilege_name,
  kind: r.kind,
  path: r.path
})

/** Which snapshot a read sees: the integration's publish sequence number, and whether it is the latest. */
export interface SnapshotRef {
  readonly seq: number
  readonly current: boolean
}

/** SQL that keeps the rows of one snapshot (`$n` holds its seq). Open rows are exactly the latest snapshot. */
export const visibleAt = (alias: string, param: string, current: boolean) =>
  current
    ? `${alias}.valid_to is null and ${param}::bigint is not null`
    : `${alias}.valid_from <= ${param} and (${alias}.valid_to is null or ${alias}.valid_to > ${param})`

const isKeyCursor = (v: unknown): v is { s: number; k: ReadonlyArray<string> } =>
  typeof v === "object" && v !== null && typeof (v as any).s === "number" && Array.isArray((v as any).k)

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

const EXPORT_PAGE = 2000

/**
 * Reads of the published snapshots: lists with filters and keyset cursors, exports as streams, and
 * the diff between two runs. Readers only ever see published data: a run in progress is invisible
 * until its publish commits. A cursor pins the snapshot it started on, so paging through a list
 * while a new run publishes still returns one consistent snapshot.
 *
 * @category services
 */
export class Snapshots extends Context.Service<
  Snapshots,
  {
    /** The snapshot a read would see: the latest, or the one `atRun` published. */
    readonly resolve: (tenantId: string, integrationId: string, atRun?: string) => Effect.Effect<SnapshotRef, StoreError>
    readonly entities: (tenantId: string, integrationId: string, filter?: EntityFilter) => Effect.Effect<Page<Entity>, StoreError>
    readonly entity: (tenantId: string, integrationId: string, ref: EntityRef) => Effect.Effect<Entity, StoreError>
    readonly relations: (
      tenantId: string,
      integrationId: string,
      filter?: RelationFilter
    ) => Effect.Effect<Page<EntityRelation>, StoreError>
    /** Every entity of a snapshot, streamed in pages (memory stays flat). */
    readonly exportEntities: (tenantId: string, integrationId: string, atRun?: string) => Stream.Stream<Entity, StoreError>
    readonly exportRelations: (tenantId: string, integrationId: string, atRun?: string) => Stream.Stream<EntityRelation, StoreError>
    /**
     * Which of `refs` exist in the latest snapshot, as `${entityType}\u0000${sourceId}` keys (the
     * ingest engine's `KnownEntities` contract: relations of an upload may point at synced entities).
     */
    readonly existing: (
      integrationId: string,
      refs: ReadonlyArray<{ readonly entityType: EntityType; readonly sourceId: string }>
    ) => Effect.Effect<ReadonlySet<string>, StoreError>
    /** Added, removed and changed entities, relations and effective access between two runs' snapshots. */
    readonly diff: (
      tenantId: string,
      integrationId: string,
      fromRunId: string,
      toRunId: string,
      options?: { readonly limit?: number }
    ) => Effect.Effect<SnapshotDiff, StoreError>
  }
>()("idconnect/store/Snapshots") {
  static readonly layer = Layer.effect(
    Snapshots,
    Effect.gen(function* () {
      const db = yield* SqlDriver
      const config = yield* StoreConfig

      const integration = (tenantId: string, integrationId: string) =>
        db
          .query<{ published_seq: number }>("select published_seq from integrations where id = $1 and tenant_id = $2", [integrationId, tenantId])
          .pipe(
            Effect.flatMap((rows) =>
              rows.length === 0 ? Effect.fail(StoreErrors.notFound("integration", integrationId)) : Effect.succeed(rows[0]!.published_seq)
            )
          )

      const runSeq = (integrationId: string, runId: string, latest: number) =>
        Effect.gen(function* () {
          const rows = yield* db.query<{ seq: number | null }>("select seq from runs where id = $1 and integration_id = $2", [runId, integrationId])
          if (rows.length === 0) return yield* StoreErrors.notFound("run", runId)
          const seq = rows[0]!.seq
          if (seq === null) {
            return yield* StoreErrors.invalidInput("runId", `Run ${runId} did not publish a snapshot (only succeeded sync runs do)`)
          }
          if (seq < latest - config.retentionRuns + 1) return yield* StoreErrors.snapshotPruned(runId)
          return seq
        })

      const resolve = Effect.fn("Snapshots.resolve")(function* (tenantId: string, integrationId: string, atRun?: string) {
        const latest = yield* integration(tenantId, integrationId)
        const seq = atRun === undefined ? latest : yield* runSeq(integrationId, atRun, latest)
        return { seq, current: seq === latest }
      })

      /** A cursor's snapshot, unless retention removed it meanwhile. */
      const pinned = (tenantId: string, integrationId: string, seq: number) =>
        Effect.gen(function* () {
          const latest = yield* integration(tenantId, integrationId)
          if (seq < latest - config.retentionRuns + 1) {
            return yield* StoreErrors.invalidInput("cursor", "The snapshot this cursor was reading has been removed by retention; start again")
          }
          return { seq, current: seq === latest }
        })

      const entityPage = (integrationId: string, snap: SnapshotRef, filter: EntityFilter, after: ReadonlyArray<string> | undefined, limit: number) =>
        db.query<EntityRow>(
          `select entity_type, source_type, source_id, name, app, source_system, metadata_version, metadata
           from entities e
           where e.integration_id = $1 and ${visibleAt("e", "$2", snap.current)}
             and ($3::text is null or e.entity_type = $3) and ($4::text is null or e.source_type = $4)
             and ($5::text is null or e.name ilike $5)
             and ($6::text is null or (e.entity_type, e.source_type, e.source_id) > ($6, $7, $8))
           order by e.entity_type, e.source_type, e.source_id
           limit $9`,
          [
            integrationId,
            snap.seq,
            filter.entityType ?? null,
            filter.sourceType ?? null,
            filter.search === undefined || filter.search === "" ? null : `%${escapeLike(filter.search)}%`,
            after?.[0] ?? null,
            after?.[1] ?? null,
            after?.[2] ?? null,
            limit
          ]
        )

      const relationPage = (
        integrationId: string,
        snap: SnapshotRef,
        filter: RelationFilter,
        after: string | undefined,
        limit: number
      ) =>
        db.query<RelationRow>(
          `select rkey, parent_entity_type, parent_source_type, parent_source_id, entity_type, entity_source_type, entity_source_id,
             app, source_system, metadata_version, metadata
           from relations r
           where r.integration_id = $1 and ${visibleAt("r", "$2", snap.current)}
             and ($3::text is null or r.parent_entity_type = $3) and ($4::text is null or r.parent_source_id = $4)
             and ($5::text is null or r.entity_type = $5) and ($6::text is null or r.entity_source_id = $6)
             and ($7::text is null or r.privilege_name = $7) and ($8::text is null or r.rkey > $8)
           order by r.rkey
           limit $9`,
          [
            integrationId,
            snap.seq,
            filter.parentEntityType ?? null,
            filter.parentSourceId ?? null,
            filter.entityType ?? null,
            filter.entitySourceId ?? null,
            filter.privilegeName ?? null,
            after ?? null,
            limit
          ]
        )

      const startSnapshot = (tenantId: string, integrationId: string, cursorSeq: number | undefined, atRun: string | undefined) =>
        cursorSeq === undefined ? resolve(tenantId, integrationId, atRun) : pinned(tenantId, integrationId, cursorSeq)

      const entities = Effect.fn("Snapshots.entities")(function* (tenantId: string, integrationId: string, filter: EntityFilter = {}) {
        const limit = yield* pageLimit(filter.limit)
        const cursor = yield* decodeCursor(filter.cursor, isKeyCursor)
        const snap = yield* startSnapshot(tenantId, integrationId, cursor?.s, filter.atRun)
        if (snap.seq === 0) return { items: [], nextCursor: null }
        const rows = yield* entityPage(integrationId, snap, filter, cursor?.k, limit + 1)
        const more = rows.length > limit
        const kept = more ? rows.slice(0, limit) : rows
        const last = kept[kept.length - 1]
        return {
          items: kept.map(entityOf),
          nextCursor: more && last ? encodeCursor({ s: snap.seq, k: [last.entity_type, last.source_type, last.source_id] }) : null
        }
      })

      const relations = Effect.fn("Snapshots.relations")(function* (tenantId: string, integrationId: string, filter: RelationFilter = {}) {
        const limit = yield* pageLimit(filter.limit)
        const cursor = yield* decodeCursor(filter.cursor, isKeyCursor)
        const snap = yield* startSnapshot(tenantId, integrationId, cursor?.s, filter.atRun)
        if (snap.seq === 0) return { items: [], nextCursor: null }
        const rows = yield* relationPage(integrationId, snap, filter, cursor?.k[0], limit + 1)
        const more = rows.length > limit
        const kept = more ? rows.slice(0, limit) : rows
        const last = kept[kept.length - 1]
        return { items: kept.map(relationOf), nextCursor: more && last ? encodeCursor({ s: snap.seq, k: [last.rkey] }) : null }
      })

      const entity = Effect.fn("Snapshots.entity")(function* (tenantId: string, integrationId: string, ref: EntityRef) {
        const snap = yield* resolve(tenantId, integrationId)
        const rows = yield* db.query<EntityRow>(
          `select entity_type, source_type, source_id, name, app, source_system, metadata_version, metadata from entities e
           where e.integration_id = $1 and e.valid_to is null and e.entity_type = $2 and e.source_type = $3 and e.source_id = $4`,
          [integrationId, ref.entityType, ref.sourceType, ref.sourceId]
        )
        if (snap.seq === 0 || rows.length === 0) return yield* StoreErrors.notFound("entity", `${ref.entityType}/${ref.sourceType}/${ref.sourceId}`)
        return entityOf(rows[0]!)
      })

      const exportEntities = (tenantId: string, integrationId: string, atRun?: string) =>
        Stream.unwrap(
          Effect.map(resolve(tenantId, integrationId, atRun), (snap) =>
            Stream.paginate(undefined as ReadonlyArray<string> | undefined, (after) =>
              snap.seq === 0
                ? Effect.succeed([[], Option.none()] as const)
                : entityPage(integrationId, { seq: snap.seq, current: false }, {}, after, EXPORT_PAGE).pipe(
                    Effect.map((rows) => {
                      const last = rows[rows.length - 1]
                      const next = rows.length === EXPORT_PAGE && last ? Option.some([last.entity_type, last.source_type, last.source_id]) : Option.none()
                      return [rows.map(entityOf), next] as const
                    })
                  )
            )
          )
        )

      const exportRelations = (tenantId: string, integrationId: string, atRun?: string) =>
        Stream.unwrap(
          Effect.map(resolve(tenantId, integrationId, atRun), (snap) =>
            Stream.paginate(undefined as string | undefined, (after) =>
              snap.seq === 0
                ? Effect.succeed([[], Option.none()] as const)
                : relationPage(integrationId, { seq: snap.seq, current: false }, {}, after, EXPORT_PAGE).pipe(
                    Effect.map((rows) => {
                      const last = rows[rows.length - 1]
                      const next = rows.length === EXPORT_PAGE && last ? Option.some(last.rkey) : Option.none()
                      return [rows.map(relationOf), next] as const
                    })
                  )
            )
          )
        )

      /**
       * Versions visible at `a` but not at `b` are the "before" side, the reverse the "after" side;
       * joined on the key, both sides present means changed. Only rows whose validity starts or ends
       * between the two snapshots can differ, which the range indexes find directly.
       */
      const diffSection = <R, A>(
        table: string,
        keyColumns: ReadonlyArray<string>,
        columns: string,
        integrationId: string,
        a: number,
        b: number,
        limit: number,
        toItem: (row: R) => A
      ) =>
        Effect.gen(function* () {
          const lo = Math.min(a, b)
          const hi = Math.max(a, b)
          const onlyLo = `select ${columns}, t.hash from ${table} t where t.integration_id = $1 and t.valid_from <= $2 and t.valid_to > $2 and t.valid_to <= $3`
          const onlyHi = `select ${columns}, t.hash from ${table} t where t.integration_id = $1 and t.valid_from > $2 and t.valid_from <= $3
            and (t.valid_to is null or t.valid_to > $3)`
          const [before, after] = a < b ? [onlyLo, onlyHi] : [onlyHi, onlyLo]
          const join = keyColumns.map((c) => `x.${c} = y.${c}`).join(" and ")
          const order = keyColumns.map((c) => `coalesce(x.${c}, y.${c})`).join(", ")
          const rows = yield* db.query<{ change: "added" | "removed" | "changed"; x: R | null; y: R | null; total: number }>(
            `with x as (${before}), y as (${after}),
             j as (
               select case when x.${keyColumns[0]} is null then 'added' when y.${keyColumns[0]} is null then 'removed' else 'changed' end as change,
                 to_jsonb(x) as x, to_jsonb(y) as y, ${order} as k
               from x full join y on ${join}
               where x.hash is distinct from y.hash
             ),
             r as (select change, x, y, row_number() over (partition by change order by k) as n, count(*) over (partition by change) as total from j)
             select change, x, y, total::int as total from r where n <= $4 order by change, n`,
            [integrationId, lo, hi, limit]
          )
          const counts = { added: 0, removed: 0, changed: 0 }
          const section = { added: [] as Array<A>, removed: [] as Array<A>, changed: [] as Array<{ before: A; after: A }> }
          for (const row of rows) {
            counts[row.change] = row.total
            if (row.change === "added") section.added.push(toItem(row.y!))
            else if (row.change === "removed") section.removed.push(toItem(row.x!))
            else section.changed.push({ before: toItem(row.x!), after: toItem(row.y!) })
          }
          const truncated = counts.added > limit || counts.removed > limit || counts.changed > limit
          const result: DiffSection<A> = { ...section, counts, truncated }
          return result
        })

      const diff = Effect.fn("Snapshots.diff")(function* (
        tenantId: string,
        integrationId: string,
        fromRunId: string,
        toRunId: string,
        options?: { readonly limit?: number }
      ) {
        const limit = yield* pageLimit(options?.limit)
        const latest = yield* integration(tenantId, integrationId)
        const a = yield* runSeq(integrationId, fromRunId, latest)
        const b = yield* runSeq(integrationId, toRunId, latest)
        const entitiesDiff = yield* diffSection<EntityRow, Entity>(
          "entities",
          ["entity_type", "source_type", "source_id"],
          "t.entity_type, t.source_type, t.source_id, t.name, t.app, t.source_system, t.metadata_version, t.metadata",
          integrationId,
          a,
          b,
          limit,
          entityOf
        )
        const relationsDiff = yield* diffSection<RelationRow, EntityRelation>(
          "relations",
          ["rkey"],
          `t.rkey, t.parent_entity_type, t.parent_source_type, t.parent_source_id, t.entity_type, t.entity_source_type,
           t.entity_source_id, t.app, t.source_system, t.metadata_version, t.metadata`,
          integrationId,
          a,
          b,
          limit,
          relationOf
        )
        const accessDiff = yield* diffSection<AccessRow, EffectiveAccessItem>(
          "effective_access",
          ["identity_source_id", "identity_source_type", "target_entity_type", "target_source_type", "target_source_id", "privilege_name"],
          `t.identity_source_type, t.identity_source_id, t.target_entity_type, t.target_source_type, t.target_source_id,
           t.privilege_name, t.kind, t.path`,
          integrationId,
          a,
          b,
          limit,
          accessOf
        )
        const result: SnapshotDiff = {
          integrationId,
          from: { runId: fromRunId, seq: a },
          to: { runId: toRunId, seq: b },
          entities: entitiesDiff,
          relations: relationsDiff,
          effectiveAccess: accessDiff
        }
        return result
      })

      const existing = Effect.fn("Snapshots.existing")(function* (
        integrationId: string,
        refs: ReadonlyArray<{ readonly entityType: EntityType; readonly sourceId: string }>
      ) {
        if (refs.length === 0) return new Set<string>()
        const rows = yield* db.query<{ entity_type: string; source_id: string }>(
          `select distinct e.entity_type, e.source_id from entities e
           join unnest($2::text[], $3::text[]) as r(entity_type, source_id) on e.entity_type = r.entity_type and e.source_id = r.source_id
           where e.integration_id = $1 and e.valid_to is null`,
          [integrationId, refs.map((r) => r.entityType), refs.map((r) => r.sourceId)]
        )
        return new Set(rows.map((r) => `${r.entity_type}\u0000${r.source_id}`))
      })

      return Snapshots.of({ resolve, entities, entity, relations, exportEntities, exportRelations, existing, diff })
    })
  )
}
