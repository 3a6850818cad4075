import * as Effect from "effect/Effect"
import type { SqlConnection } from "../SqlDriver.ts"
import type { StoreError } from "../StoreError.ts"
import { ID_TEXT } from "./ByteOrder.ts"
import { textArrayLiteral, type CopyValue } from "./Csv.ts"

/**
 * Brings an integration's effective access up to date inside a publish transaction, as rows valid
 * from `seq`.
 *
 * The rule: an identity holds directly whatever its own relations point at. It also inherits what
 * every connection (group) it is a `member` of holds, through chains of connection -> connection
 * `member` relations (nested groups), following at most `maxDepth` levels of nesting; cycles are cut. Relations with
 * `privilegeValue: false` (explicit deny) grant nothing and carry no membership. Each
 * (identity, target, privilege) keeps its shortest path; a direct grant wins over an inherited one.
 *
 * How: the group nesting graph is small (groups, not users), so its closure is computed here with a
 * breadth-first search per starting group (shortest paths, a visited set per start, depth limit)
 * and loaded with COPY; the large join (memberships x closure x holdings) runs in SQL.
 *
 * Only identities the publish can have affected are recomputed: those whose own relations changed
 * and the members of groups whose closure reaches a connection whose relations changed. (If an old
 * path went through a removed edge, its unchanged prefix still reaches that edge's holder, so the
 * identity is in the set.) When that is most of them, or nothing was built yet, all are recomputed.
 */
const NOT_DENIED = (alias: string) => `coalesce((${alias}.metadata->>'privilegeValue')::boolean, true)`

type Edge = {
  parent_source_type: string
  parent_source_id: string
  entity_source_type: string
  entity_source_id: string
}

type Node = { readonly sourceType: string; readonly sourceId: string }

const SEP = "\u001f"
const nodeKey = (sourceType: string, sourceId: string) => `${sourceType}${SEP}${sourceId}`

/**
 * Closure rows (start group, ancestor, depth, path) for COPY; adds to `affected` every start whose
 * closure contains a node of `changed`.
 */
function* closureRows(
  starts: ReadonlyArray<Node>,
  edges: ReadonlyArray<Edge>,
  maxDepth: number,
  changed: ReadonlySet<string>,
  affected: Array<Node>
): Generator<ReadonlyArray<CopyValue>> {
  const adjacency = new Map<string, Array<Node>>()
  for (const e of edges) {
    const from = nodeKey(e.parent_source_type, e.parent_source_id)
    let list = adjacency.get(from)
    if (list === undefined) adjacency.set(from, (list = []))
    list.push({ sourceType: e.entity_source_type, sourceId: e.entity_source_id })
  }
  for (const start of starts) {
    const startKey = nodeKey(start.sourceType, start.sourceId)
    type Visit = Node & { readonly path: ReadonlyArray<string> }
    const visited = new Set<string>([startKey])
    let touched = false
    let frontier: Array<Visit> = [{ ...start, path: [start.sourceId] }]
    for (let depth = 0; frontier.length > 0; depth++) {
      const next: Array<Visit> = []
      for (const node of frontier) {
        touched ||= changed.has(nodeKey(node.sourceType, node.sourceId))
        yield [start.sourceType, start.sourceId, node.sourceType, node.sourceId, depth, textArrayLiteral(node.path)]
        if (depth >= maxDepth) continue
        for (const parent of adjacency.get(nodeKey(node.sourceType, node.sourceId)) ?? []) {
          const key = nodeKey(parent.sourceType, parent.sourceId)
          if (visited.has(key)) continue
          visited.add(key)
          next.push({ ...parent, path: [...node.path, parent.sourceId] })
        }
      }
      frontier = next
    }
    if (touched) affected.push(start)
  }
}

export interface EffectiveAccessChange {
  readonly closed: number
  readonly opened: number
  /** Rows computed: for every identity (full) or for the affected ones (incremental). */
  readonly computed: number
  readonly scope: "full" | "incremental"
  readonly identitiesRecomputed: number | null
  readonly closureRows: number
}

const KEY = ["identity_source_id", "identity_source_type", "target_entity_type", "target_source_type", "target_source_id", "privilege_name"]
const keyMatch = (a: string, b: string) => KEY.map((c) => `${a}.${c} = ${b}.${c}`).join(" and ")

export const rebuildEffectiveAccess = (
  tx: SqlConnection,
  integrationId: string,
  seq: number,
  maxDepth: number
): Effect.Effect<EffectiveAccessChange, StoreError> =>
  Effect.gen(function* () {
    // The two sides of the expansion, copied out of the snapshot into analyzed temp tables so the
    // planner joins them with fresh statistics (the snapshot tables may have just grown a lot).
    yield* tx.exec(`
      create temp table ea_members (
        identity_source_type ${ID_TEXT} not null, identity_source_id ${ID_TEXT} not null,
        group_source_type ${ID_TEXT} not null, group_source_id ${ID_TEXT} not null
      ) on commit drop;
      create temp table ea_holdings (
        holder_source_type ${ID_TEXT} not null, holder_source_id ${ID_TEXT} not null, target_entity_type ${ID_TEXT} not null,
        target_source_type ${ID_TEXT} not null, target_source_id ${ID_TEXT} not null, privilege_name ${ID_TEXT} not null
      ) on commit drop;
      create temp table ea_closure (
        start_source_type ${ID_TEXT} not null, start_source_id ${ID_TEXT} not null,
        anc_source_type ${ID_TEXT} not null, anc_source_id ${ID_TEXT} not null,
        depth int not null, path text[] not null
      ) on commit drop;
      create temp table ea_affected_groups (source_type ${ID_TEXT} not null, source_id ${ID_TEXT} not null) on commit drop;
      create temp table ea_scope (identity_source_type ${ID_TEXT} not null, identity_source_id ${ID_TEXT} not null) on commit drop;
      create temp table ea_next (
        identity_source_type ${ID_TEXT}, identity_source_id ${ID_TEXT}, target_entity_type ${ID_TEXT}, target_source_type ${ID_TEXT},
        target_source_id ${ID_TEXT}, privilege_name ${ID_TEXT}, kind ${ID_TEXT}, path text[], hash ${ID_TEXT}
      ) on commit drop`)
    yield* tx.query(
      `insert into ea_members
       select parent_source_type, parent_source_id, entity_source_type, entity_source_id from relations r
       where r.integration_id = $1 and r.valid_to is null and r.privilege_name = 'member' and r.parent_entity_type = 'identity'
         and r.entity_type = 'connection' and ${NOT_DENIED("r")}`,
      [integrationId]
    )
    yield* tx.query(
      `insert into ea_holdings
       select parent_source_type, parent_source_id, entity_type, entity_source_type, entity_source_id, privilege_name from relations r
       where r.integration_id = $1 and r.valid_to is null and r.parent_entity_type = 'connection' and ${NOT_DENIED("r")}`,
      [integrationId]
    )
    const edges = yield* tx.query<Edge>(
      `select holder_source_type as parent_source_type, holder_source_id as parent_source_id,
         target_source_type as entity_source_type, target_source_id as entity_source_id
       from ea_holdings where privilege_name = 'member' and target_entity_type = 'connection'`
    )
    const starts = yield* tx.query<Node>(
      "select distinct group_source_type as \"sourceType\", group_source_id as \"sourceId\" from ea_members"
    )
    // With nothing current yet (a first publish, or after everything was removed) there is nothing
    // to compare against: every identity is computed and inserted as is.
    const current = yield* tx.query("select 1 from effective_access where integration_id = $1 and valid_to is null limit 1", [integrationId])
    const fresh = current.length === 0
    // Holders whose relations this publish opened or closed.
    const changedHolders = fresh
      ? []
      : yield* tx.query<{ parent_entity_type: string; parent_source_type: string; parent_source_id: string }>(
        `select distinct parent_entity_type, parent_source_type, parent_source_id from relations
         where integration_id = $1 and (valid_from = $2 or valid_to = $2)`,
        [integrationId, seq]
      )
    const changed = new Set(
      changedHolders.filter((h) => h.parent_entity_type === "connection").map((h) => nodeKey(h.parent_source_type, h.parent_source_id))
    )
    const affectedGroups: Array<Node> = []
    const closureRowCount = yield* tx.copyIn(
      "ea_closure",
      ["start_source_type", "start_source_id", "anc_source_type", "anc_source_id", "depth", "path"],
      closureRows(starts, edges, maxDepth, changed, affectedGroups)
    )
    const full = fresh || affectedGroups.length * 2 > starts.length
    let identitiesRecomputed: number | null = null
    if (!full) {
      yield* tx.copyIn(
        "ea_affected_groups",
        ["source_type", "source_id"],
        affectedGroups.map((g) => [g.sourceType, g.sourceId])
      )
      yield* tx.copyIn(
        "ea_scope",
        ["identity_source_type", "identity_source_id"],
        changedHolders.filter((h) => h.parent_entity_type === "identity").map((h) => [h.parent_source_type, h.parent_source_id])
      )
      yield* tx.exec(`
        insert into ea_scope
        select m.identity_source_type, m.identity_source_id from ea_members m
        join ea_affected_groups g on g.source_id = m.group_source_id and g.source_type = m.group_source_type;
        create temp table ea_scope_distinct on commit drop as select distinct * from ea_scope;
        drop table ea_scope;
        alter table ea_scope_distinct rename to ea_scope;
        create index on ea_scope (identity_source_id, identity_source_type);
        analyze ea_scope`)
      identitiesRecomputed = (yield* tx.query<{ n: number }>("select count(*)::int as n from ea_scope"))[0]!.n
    }
    yield* tx.exec(`
      create index on ea_members (group_source_id, group_source_type);
      create index on ea_holdings (holder_source_id, holder_source_type);
      create index on ea_closure (start_source_id, start_source_type);
      analyze ea_members;
      analyze ea_holdings;
      analyze ea_closure`)

    const inScope = (alias: string, type: string, id: string) =>
      full ? "true" : `exists (select 1 from ea_scope s where s.identity_source_id = ${alias}.${id} and s.identity_source_type = ${alias}.${type})`
    yield* tx.query(
      `insert into ea_next
       select distinct on (identity_source_id, identity_source_type, target_entity_type, target_source_type, target_source_id, privilege_name)
         identity_source_type, identity_source_id, target_entity_type, target_source_type, target_source_id, privilege_name, kind, path,
         md5(kind || chr(31) || array_to_string(path, chr(31))) as hash
       from (
         select r.parent_source_type as identity_source_type, r.parent_source_id as identity_source_id,
                r.entity_type as target_entity_type, r.entity_source_type as target_source_type, r.entity_source_id as target_source_id,
                r.privilege_name, 'direct' as kind, array[r.parent_source_id, r.entity_source_id] as path, 0 as depth
         from relations r
         where r.integration_id = $1 and r.valid_to is null and r.parent_entity_type = 'identity' and ${NOT_DENIED("r")}
           and ${inScope("r", "parent_source_type", "parent_source_id")}
         union all
         select m.identity_source_type, m.identity_source_id, h.target_entity_type, h.target_source_type, h.target_source_id,
                h.privilege_name, 'inherited', array[m.identity_source_id] || c.path || h.target_source_id, c.depth + 1
         from ea_members m
         join ea_closure c on c.start_source_id = m.group_source_id and c.start_source_type = m.group_source_type
         join ea_holdings h on h.holder_source_id = c.anc_source_id and h.holder_source_type = c.anc_source_type
         where ${inScope("m", "identity_source_type", "identity_source_id")}
           -- the deepest group reached still passes on what it holds, but not a membership one level deeper
           and not (c.depth >= $2 and h.privilege_name = 'member' and h.target_entity_type = 'connection')
       ) grants
       order by identity_source_id, identity_source_type, target_entity_type, target_source_type, target_source_id, privilege_name,
         depth, kind`,
      [integrationId, maxDepth]
    )
    // The comparison with what is current needs ea_next indexed; a fresh build compares with nothing.
    if (!fresh) yield* tx.exec(`create index on ea_next (${KEY.join(", ")}); analyze ea_next`)

    const closed = fresh ? [{ n: 0 }] : yield* tx.query<{ n: number }>(
      `with closed as (
         update effective_access e set valid_to = $2
         where e.integration_id = $1 and e.valid_to is null and ${inScope("e", "identity_source_type", "identity_source_id")}
           and not exists (select 1 from ea_next n where ${keyMatch("n", "e")} and n.hash = e.hash)
         returning 1)
       select count(*)::int as n from closed`,
      [integrationId, seq]
    )
    const opened = yield* tx.query<{ n: number }>(
      `with opened as (
         insert into effective_access (integration_id, identity_source_type, identity_source_id, target_entity_type,
           target_source_type, target_source_id, privilege_name, kind, path, hash, valid_from)
         select $1, n.identity_source_type, n.identity_source_id, n.target_entity_type, n.target_source_type, n.target_source_id,
           n.privilege_name, n.kind, n.path, n.hash, $2
         from ea_next n
         where ${fresh ? "true" : `not exists (select 1 from effective_access e where e.integration_id = $1 and e.valid_to is null and ${keyMatch("n", "e")})`}
         returning 1)
       select count(*)::int as n from opened`,
      [integrationId, seq]
    )
    const computed = yield* tx.query<{ n: number }>("select count(*)::int as n from ea_next")
    yield* tx.exec(
      "drop table ea_next; drop table ea_closure; drop table ea_members; drop table ea_holdings; drop table ea_scope; drop table ea_affected_groups"
    )
    return {
      closed: closed[0]!.n,
      opened: opened[0]!.n,
      computed: computed[0]!.n,
      scope: full ? "full" : "incremental",
      identitiesRecomputed,
      closureRows: closureRowCount
    }
  })
