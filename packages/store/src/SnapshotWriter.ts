import type { SinkBatch, SyncScope } from "@idconnect/core/ExtractionSink"
import type { Entity } from "@idconnect/schemas/Entity"
import { relationKey, type EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CopyValue } from "./internal/Csv.ts"
import { rebuildEffectiveAccess } from "./internal/EffectiveAccessBuilder.ts"
import { ID_TEXT } from "./internal/ByteOrder.ts"
import { SqlDriver, type SqlConnection } from "./SqlDriver.ts"
import { StoreConfig } from "./StoreConfig.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/** Rows closed and opened by one publish, per table. A changed row counts once in each. */
export interface PublishResult {
  readonly runId: string
  readonly integrationId: string
  readonly seq: number
  readonly mode: "full" | "incremental"
  readonly entities: { readonly closed: number; readonly opened: number }
  readonly relations: { readonly closed: number; readonly opened: number }
  readonly effectiveAccess: {
    readonly closed: number
    readonly opened: number
    /** Whether relations changed and effective access was recomputed; `incremental` = only for affected identities. */
    readonly scope: "unchanged" | "full" | "incremental"
    readonly identitiesRecomputed: number | null
  }
}

export interface StageResult {
  readonly entities: number
  readonly relations: number
  readonly deletions: number
}

/**
 * A relation's key inside a snapshot (`rkey`): both ends, the privilege and the scope, as in core's
 * `relationKey`. Computed in SQL at publish so staging stays a plain COPY.
 */
const RKEY = `md5(concat_ws(chr(31), parent_entity_type, parent_source_type, parent_source_id, entity_type, entity_source_type,
  entity_source_id, privilege_name, scope)) collate "C"`

const ENTITY_COLUMNS = [
  "run_id",
  "entity_type",
  "source_type",
  "source_id",
  "name",
  "app",
  "source_system",
  "metadata_version",
  "metadata",
  "deleted"
]
const RELATION_COLUMNS = [
  "run_id",
  "parent_entity_type",
  "parent_source_type",
  "parent_source_id",
  "entity_type",
  "entity_source_type",
  "entity_source_id",
  "privilege_name",
  "scope",
  "app",
  "source_system",
  "metadata_version",
  "metadata",
  "deleted"
]

/** A publish that opened or closed at least this many rows of a table refreshes its statistics. */
const ANALYZE_AFTER_ROWS = 10_000

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))

const entityRow = (runId: string, e: Entity): ReadonlyArray<CopyValue> => [
  runId,
  e.entityType,
  e.sourceType,
  e.sourceId,
  e.name,
  e.app,
  e.sourceSystem,
  e.metadataVersion,
  json(e.metadata),
  false
]

const relationRow = (runId: string, r: EntityRelation, deleted: boolean): ReadonlyArray<CopyValue> => [
  runId,
  r.parentEntityType,
  r.parentSourceType ?? "",
  r.parentSourceId,
  r.entityType,
  r.entitySourceType ?? "",
  r.entitySourceId,
  r.metadata?.privilegeName ?? "",
  r.metadata?.scope ?? "",
  r.app,
  r.sourceSystem,
  r.metadataVersion,
  json(r.metadata),
  deleted
]

/** Last write wins within a batch, as it does across batches at publish. */
const dedupe = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Array<A> => [...new Map(items.map((a) => [key(a), a])).values()]

const count = (tx: SqlConnection, sql: string, params: ReadonlyArray<unknown>) =>
  tx.query<{ n: number }>(`with changed as (${sql} returning 1) select count(*)::int as n from changed`, params).pipe(Effect.map((r) => r[0]!.n))

/**
 * Closes the current relations at either end of the entities `gone` selects (entity_type,
 * source_type, source_id; `$1` is the integration, `$2` the publish's seq). A relation end without a
 * source type matches any entity with that type and id. Returns how many were closed.
 */
const closeRelationsOf = (tx: SqlConnection, gone: string, integrationId: string, seq: number) =>
  count(
    tx,
    `update relations r set valid_to = $2 from (${gone}) p
     where r.integration_id = $1 and r.valid_to is null and (
       (r.parent_entity_type = p.entity_type and r.parent_source_id = p.source_id
         and (r.parent_source_type = '' or r.parent_source_type = p.source_type))
       or (r.entity_type = p.entity_type and r.entity_source_id = p.source_id
         and (r.entity_source_type = '' or r.entity_source_type = p.source_type)))`,
    [integrationId, seq]
  )

const entityKeyMatch = (a: string, b: string) =>
  `${a}.entity_type = ${b}.entity_type and ${a}.source_type = ${b}.source_type and ${a}.source_id = ${b}.source_id`

/**
 * The write path of snapshots. A run `stage`s batches (COPY into `staged_*`, with its checkpoint in
 * the same transaction), may `rewind` to its last checkpoint before resuming, and `publish`es: one
 * transaction that turns the staged rows into the integration's next snapshot.
 *
 * Every call is fenced by the run's lease: a worker that lost its lease (it stalled and another took
 * over) gets a Conflict instead of writing.
 *
 * @category services
 */
export class SnapshotWriter extends Context.Service<
  SnapshotWriter,
  {
    readonly stage: (
      runId: string,
      owner: string,
      batch: SinkBatch,
      checkpoint: Checkpoint | undefined
    ) => Effect.Effect<StageResult, StoreError>
    /**
     * Drops staged rows the saved checkpoint does not cover (they will be replayed). `fromScratch`
     * also forgets the checkpoint: the extraction restarts without one.
     */
    readonly rewind: (runId: string, fromScratch: boolean) => Effect.Effect<void, StoreError>
    /**
     * Publishes the run's staged data as the integration's next snapshot (full: replaces; incremental:
     * applies upserts and deletions on top), rebuilds effective access, marks the run succeeded and
     * the integration Connected ("Data available"), and prunes history beyond retention.
     */
    readonly publish: (runId: string, owner: string) => Effect.Effect<PublishResult, StoreError>
  }
>()("idconnect/store/SnapshotWriter") {
  static readonly layer = Layer.effect(
    SnapshotWriter,
    Effect.gen(function* () {
      const db = yield* SqlDriver
      const config = yield* StoreConfig

      const fence = (tx: SqlConnection, runId: string, owner: string) =>
        tx
          .query<{ integration_id: string; sync_mode: "full" | "incremental" | null; sync_scope: SyncScope }>(
            "select integration_id, sync_mode, sync_scope from runs where id = $1 and lease_owner = $2 and status = 'running' for update",
            [runId, owner]
          )
          .pipe(
            Effect.flatMap((rows) =>
              rows.length === 0
                ? Effect.fail(StoreErrors.conflict({ what: "run lease", message: `Worker ${owner} does not hold the lease of run ${runId}` }))
                : Effect.succeed(rows[0]!)
            )
          )

      const stage = Effect.fn("SnapshotWriter.stage")(function* (
        runId: string,
        owner: string,
        batch: SinkBatch,
        checkpoint: Checkpoint | undefined
      ) {
        const entities = dedupe(batch.entities, (e) => `${e.entityType}\u0000${e.sourceType}\u0000${e.sourceId}`)
        const relations = dedupe(batch.relations, relationKey)
        const entityDeletions = batch.deletions.filter((d) => d.target === "entity")
        const relationDeletions = batch.deletions.flatMap((d) => (d.target === "relation" && d.relation !== undefined ? [d.relation] : []))
        return yield* db.transaction((tx) =>
          Effect.gen(function* () {
            yield* fence(tx, runId, owner)
            // Deletions go in after the upserts of the same batch: within a batch, the source said them later.
            yield* tx.copyIn("staged_entities", ENTITY_COLUMNS, [
              ...entities.map((e) => entityRow(runId, e)),
              ...entityDeletions.map((d): ReadonlyArray<CopyValue> => [runId, d.entityType, d.sourceType, d.sourceId, null, null, null, null, null, true])
            ])
            yield* tx.copyIn("staged_relations", RELATION_COLUMNS, [
              ...relations.map((r) => relationRow(runId, r, false)),
              ...relationDeletions.map((r) => relationRow(runId, r, true))
            ])
            if (checkpoint !== undefined) {
              yield* tx.query(
                `insert into checkpoints (run_id, checkpoint, sequence, entities_ord, relations_ord)
                 values ($1, $2::jsonb, 1,
                   (select coalesce(max(ord), 0) from staged_entities where run_id = $1),
                   (select coalesce(max(ord), 0) from staged_relations where run_id = $1))
                 on conflict (run_id) do update set checkpoint = excluded.checkpoint, sequence = checkpoints.sequence + 1,
                   entities_ord = excluded.entities_ord, relations_ord = excluded.relations_ord, saved_at = now()`,
                [runId, JSON.stringify(checkpoint)]
              )
            }
            return { entities: entities.length, relations: relations.length, deletions: batch.deletions.length }
          })
        )
      })

      const rewind = Effect.fn("SnapshotWriter.rewind")(function* (runId: string, fromScratch: boolean) {
        yield* db.transaction((tx) =>
          Effect.gen(function* () {
            if (fromScratch) yield* tx.query("delete from checkpoints where run_id = $1", [runId])
            const saved = yield* tx.query<{ entities_ord: number; relations_ord: number }>(
              "select entities_ord, relations_ord from checkpoints where run_id = $1",
              [runId]
            )
            const covered = saved[0] ?? { entities_ord: 0, relations_ord: 0 }
            yield* tx.query("delete from staged_entities where run_id = $1 and ord > $2", [runId, covered.entities_ord])
            yield* tx.query("delete from staged_relations where run_id = $1 and ord > $2", [runId, covered.relations_ord])
          })
        )
      })

      const publish = Effect.fn("SnapshotWriter.publish")(function* (runId: string, owner: string) {
        return yield* db.transaction((tx) =>
          Effect.gen(function* () {
            const run = yield* fence(tx, runId, owner)
            const integrationId = run.integration_id
            const mode = run.sync_mode ?? "full"
            // A full run replaces what its scope names; the other kind of data is applied on top.
            const entityMode = mode === "full" && run.sync_scope !== "relations" ? "full" : "incremental"
            const relationMode = mode === "full" && run.sync_scope !== "entities" ? "full" : "incremental"
            const integ = yield* tx.query<{ published_seq: number }>("select published_seq from integrations where id = $1 for update", [
              integrationId
            ])
            const seq = integ[0]!.published_seq + 1
            // Publishing sorts and hashes whole snapshots: give this transaction room to do it in memory.
            yield* tx.exec("set local work_mem = '64MB'")

            // The run's final word per key: the last staged row wins.
            yield* tx.exec(`
              create temp table pub_entities (
                entity_type ${ID_TEXT}, source_type ${ID_TEXT}, source_id ${ID_TEXT}, name text, app text, source_system text,
                metadata_version text, metadata jsonb, deleted boolean, hash ${ID_TEXT}
              ) on commit drop;
              create temp table pub_relations (
                rkey ${ID_TEXT}, parent_entity_type ${ID_TEXT}, parent_source_type ${ID_TEXT}, parent_source_id ${ID_TEXT},
                entity_type ${ID_TEXT}, entity_source_type ${ID_TEXT}, entity_source_id ${ID_TEXT}, privilege_name ${ID_TEXT},
                scope ${ID_TEXT}, app text, source_system text, metadata_version text, metadata jsonb, deleted boolean, hash ${ID_TEXT}
              ) on commit drop`)
            yield* tx.query(
              `insert into pub_entities
               select distinct on (entity_type, source_type, source_id) entity_type, source_type, source_id, name, app, source_system,
                 metadata_version, metadata, deleted, md5(jsonb_build_array(name, app, source_system, metadata_version, metadata)::text)
               from staged_entities where run_id = $1
               order by entity_type, source_type, source_id, ord desc`,
              [runId]
            )
            yield* tx.query(
              `insert into pub_relations
               select distinct on (rkey) rkey, parent_entity_type, parent_source_type, parent_source_id, entity_type, entity_source_type,
                 entity_source_id, privilege_name, scope, app, source_system, metadata_version, metadata, deleted,
                 md5(jsonb_build_array(app, source_system, metadata_version, metadata)::text)
               from (select ${RKEY} as rkey, * from staged_relations where run_id = $1) s
               order by rkey, ord desc`,
              [runId]
            )
            yield* tx.exec(`
              create index on pub_entities (entity_type, source_type, source_id);
              create index on pub_relations (rkey);
              analyze pub_entities;
              analyze pub_relations`)

            const entitiesClosed =
              entityMode === "full"
                ? yield* count(
                    tx,
                    `update entities e set valid_to = $2 where e.integration_id = $1 and e.valid_to is null
                     and not exists (select 1 from pub_entities p where not p.deleted and ${entityKeyMatch("p", "e")} and p.hash = e.hash)`,
                    [integrationId, seq]
                  )
                : yield* count(
                    tx,
                    `update entities e set valid_to = $2 from pub_entities p where e.integration_id = $1 and e.valid_to is null
                     and ${entityKeyMatch("p", "e")} and (p.deleted or p.hash <> e.hash)`,
                    [integrationId, seq]
                  )
            const entitiesOpened = yield* count(
              tx,
              `insert into entities (integration_id, entity_type, source_type, source_id, name, app, source_system, metadata_version,
                 metadata, hash, valid_from)
               select $1, p.entity_type, p.source_type, p.source_id, p.name, p.app, p.source_system, p.metadata_version, p.metadata,
                 p.hash, $2
               from pub_entities p
               where not p.deleted and not exists (select 1 from entities e where e.integration_id = $1 and e.valid_to is null
                 and ${entityKeyMatch("p", "e")})`,
              [integrationId, seq]
            )

            // An entity deleted by an incremental run takes its relations with it; so does one that a
            // full entities-only run left out (closed now and not reopened).
            const orphaned =
              relationMode === "full"
                ? 0
                : yield* closeRelationsOf(
                    tx,
                    entityMode === "full"
                      ? `select g.entity_type, g.source_type, g.source_id from entities g
                         where g.integration_id = $1 and g.valid_to = $2 and not exists (select 1 from entities c
                           where c.integration_id = $1 and c.valid_to is null and ${entityKeyMatch("c", "g")})`
                      : "select entity_type, source_type, source_id from pub_entities where deleted",
                    integrationId,
                    seq
                  )
            const relationsClosed =
              relationMode === "full"
                ? yield* count(
                    tx,
                    `update relations r set valid_to = $2 where r.integration_id = $1 and r.valid_to is null
                     and not exists (select 1 from pub_relations p where not p.deleted and p.rkey = r.rkey and p.hash = r.hash)`,
                    [integrationId, seq]
                  )
                : yield* count(
                    tx,
                    `update relations r set valid_to = $2 from pub_relations p where r.integration_id = $1 and r.valid_to is null
                     and p.rkey = r.rkey and (p.deleted or p.hash <> r.hash)`,
                    [integrationId, seq]
                  )
            const relationsOpened = yield* count(
              tx,
              `insert into relations (integration_id, rkey, parent_entity_type, parent_source_type, parent_source_id, entity_type,
                 entity_source_type, entity_source_id, privilege_name, scope, app, source_system, metadata_version, metadata, hash, valid_from)
               select $1, p.rkey, p.parent_entity_type, p.parent_source_type, p.parent_source_id, p.entity_type, p.entity_source_type,
                 p.entity_source_id, p.privilege_name, p.scope, p.app, p.source_system, p.metadata_version, p.metadata, p.hash, $2
               from pub_relations p
               where not p.deleted and not exists (select 1 from relations r where r.integration_id = $1 and r.valid_to is null
                 and r.rkey = p.rkey)`,
              [integrationId, seq]
            )
            yield* tx.exec("drop table pub_entities; drop table pub_relations")

            // Effective access only changes when relations do.
            const relationsChanged = orphaned + relationsClosed + relationsOpened > 0
            const ea = relationsChanged
              ? yield* rebuildEffectiveAccess(tx, integrationId, seq, config.effectiveAccessMaxDepth)
              : { closed: 0, opened: 0, scope: "unchanged" as const, identitiesRecomputed: null }

            // Fresh planner statistics for what changed a lot: autovacuum analyzes only a minute or more
            // after the commit, and meanwhile a query planned on the old counts (the first page of a
            // 95k-member group's holders, estimated at 1 row) sorts every row instead of reading 100.
            const changedRows: ReadonlyArray<readonly [string, number]> = [
              ["entities", entitiesClosed + entitiesOpened],
              ["relations", relationsClosed + orphaned + relationsOpened],
              ["effective_access", ea.closed + ea.opened]
            ]
            for (const [table, n] of changedRows) if (n >= ANALYZE_AFTER_ROWS) yield* tx.exec(`analyze ${table}`)

            yield* tx.query(
              `update runs set status = 'succeeded', seq = $2, published_at = now(), finished_at = now(), lease_owner = null,
                 lease_expires_at = null, progress = jsonb_set(progress, '{phase}', '"published"')
               where id = $1`,
              [runId, seq]
            )
            yield* tx.query(
              `update integrations set published_seq = $2, published_run_id = $3, last_run_id = $3,
                 status = case when status = 'Disabled' then status else 'Connected' end,
                 message = case when status = 'Disabled' then message else 'Data available' end, updated_at = now()
               where id = $1`,
              [integrationId, seq, runId]
            )
            yield* tx.query("delete from staged_entities where run_id = $1", [runId])
            yield* tx.query("delete from staged_relations where run_id = $1", [runId])
            yield* tx.query("delete from checkpoints where run_id = $1", [runId])

            // Retention: keep what the last N snapshots can see; a row whose validity ended at or
            // before the oldest kept snapshot is invisible to all of them.
            const oldestKept = seq - config.retentionRuns + 1
            if (oldestKept > 1) {
              for (const table of ["entities", "relations", "effective_access"]) {
                yield* tx.query(`delete from ${table} where integration_id = $1 and valid_to is not null and valid_to <= $2`, [
                  integrationId,
                  oldestKept
                ])
              }
            }
            const result: PublishResult = {
              runId,
              integrationId,
              seq,
              mode,
              entities: { closed: entitiesClosed, opened: entitiesOpened },
              relations: { closed: relationsClosed + orphaned, opened: relationsOpened },
              effectiveAccess: { closed: ea.closed, opened: ea.opened, scope: ea.scope, identitiesRecomputed: ea.identitiesRecomputed }
            }
            return result
          })
        )
      })

      return SnapshotWriter.of({ stage, rewind, publish })
    })
  )
}
