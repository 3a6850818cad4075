import * as Effect from "effect/Effect"
import type { SqlConnection } from "../SqlDriver.ts"
import type { StoreError } from "../StoreError.ts"
import { textArrayLiteral, type CopyValue } from "./Csv.ts"

/**
 * Rebuilds an integration's effective access inside a publish transaction, as rows valid from `seq`.
 *
 * The rule: an identity holds directly whatever its own relations point at. It also inherits what
 * every connection (group) it is a `member` of holds, through chains of connection -> connection
 * `member` relations (nested groups), up to `maxDepth` hops; cycles are cut. Relations with
 * `privilegeValue: false` (explicit deny) grant nothing and carry no membership. Each
 * (identity, target, privilege) keeps its shortest path; a direct grant wins over an inherited one.
 *
 * How: the group nesting graph is small (groups, not users), so its closure is computed here with a
 * breadth-first search per starting group (shortest paths, a visited set per start, depth limit)
 * and loaded with COPY; the large join (memberships x closure x holdings) runs in SQL.
 */
const NOT_DENIED = (alias: string) => `coalesce((${alias}.metadata->>'privilegeValue')::boolean, true)`

type Edge = {
  parent_source_type: string
  parent_source_id: string
  entity_source_type: string
  entity_source_id: string
}

const SEP = "\u001f"
const nodeKey = (sourceType: string, sourceId: string) => `${sourceType}${SEP}${sourceId}`

function* closureRows(
  starts: ReadonlyArray<{ entity_source_type: string; entity_source_id: string }>,
  edges: ReadonlyArray<Edge>,
  maxDepth: number
): Generator<ReadonlyArray<CopyValue>> {
  const adjacency = new Map<string, Array<{ sourceType: string; sourceId: string }>>()
  for (const e of edges) {
    const from = nodeKey(e.parent_source_type, e.parent_source_id)
    let list = adjacency.get(from)
    if (list === undefined) adjacency.set(from, (list = []))
    list.push({ sourceType: e.entity_source_type, sourceId: e.entity_source_id })
  }
  for (const start of starts) {
    const startKey = nodeKey(start.entity_source_type, start.entity_source_id)
    type Visit = { sourceType: string; sourceId: string; path: Array<string> }
    const visited = new Set<string>([startKey])
    let frontier: Array<Visit> = [{ sourceType: start.entity_source_type, sourceId: start.entity_source_id, path: [start.entity_source_id] }]
    for (let depth = 0; frontier.length > 0; depth++) {
      const next: Array<Visit> = []
      for (const node of frontier) {
        yield [
          start.entity_source_type,
          start.entity_source_id,
          node.sourceType,
          node.sourceId,
          depth,
          textArrayLiteral(node.path)
        ]
        if (depth >= maxDepth) continue
        for (const parent of adjacency.get(nodeKey(node.sourceType, node.sourceId)) ?? []) {
          const key = nodeKey(parent.sourceType, parent.sourceId)
          if (visited.has(key)) continue
          visited.add(key)
          next.push({ sourceType: parent.sourceType, sourceId: parent.sourceId, path: [...node.path, parent.sourceId] })
        }
      }
      frontier = next
    }
  }
}

export interface EffectiveAccessChange {
  readonly closed: number
  readonly opened: number
  readonly rows: number
  readonly closureRows: number
}

export const rebuildEffectiveAccess = (
  tx: SqlConnection,
  integrationId: string,
  seq: number,
  maxDepth: number
): Effect.Effect<EffectiveAccessChange, StoreError> =>
  Effect.gen(function* () {
    const current = `integration_id = $1 and valid_to is null`
    const edges = yield* tx.query<Edge>(
      `select parent_source_type, parent_source_id, entity_source_type, entity_source_id from relations r
       where ${current} and privilege_name = 'member' and parent_entity_type = 'connection' and entity_type = 'connection'
         and ${NOT_DENIED("r")}`,
      [integrationId]
    )
    const starts = yield* tx.query<{ entity_source_type: string; entity_source_id: string }>(
      `select distinct entity_source_type, entity_source_id from relations r
       where ${current} and privilege_name = 'member' and parent_entity_type = 'identity' and entity_type = 'connection'
         and ${NOT_DENIED("r")}`,
      [integrationId]
    )
    yield* tx.exec(`
      create temp table ea_closure (
        start_source_type text not null, start_source_id text not null,
        anc_source_type text not null, anc_source_id text not null,
        depth int not null, path text[] not null
      ) on commit drop`)
    const closureRowCount = yield* tx.copyIn(
      "ea_closure",
      ["start_source_type", "start_source_id", "anc_source_type", "anc_source_id", "depth", "path"],
      closureRows(starts, edges, maxDepth)
    )
    yield* tx.exec("create index on ea_closure (start_source_id, start_source_type); analyze ea_closure")

    yield* tx.exec(`
      create temp table ea_next (
        identity_source_type text, identity_source_id text, target_entity_type text, target_source_type text,
        target_source_id text, privilege_name text, kind text, path text[], hash text
      ) on commit drop`)
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
         union all
         select m.parent_source_type, m.parent_source_id, h.entity_type, h.entity_source_type, h.entity_source_id,
                h.privilege_name, 'inherited', array[m.parent_source_id] || c.path || h.entity_source_id, c.depth + 1
         from relations m
         join ea_closure c on c.start_source_id = m.entity_source_id and c.start_source_type = m.entity_source_type
         join relations h on h.integration_id = $1 and h.valid_to is null and h.parent_entity_type = 'connection'
           and h.parent_source_id = c.anc_source_id and h.parent_source_type = c.anc_source_type and ${NOT_DENIED("h")}
         where m.integration_id = $1 and m.valid_to is null and m.parent_entity_type = 'identity' and m.privilege_name = 'member'
           and m.entity_type = 'connection' and ${NOT_DENIED("m")}
       ) grants
       order by identity_source_id, identity_source_type, target_entity_type, target_source_type, target_source_id, privilege_name,
         depth, kind`,
      [integrationId]
    )
    yield* tx.exec(
      `create index on ea_next (identity_source_id, identity_source_type, target_entity_type, target_source_type, target_source_id, privilege_name);
       analyze ea_next`
    )
    const key = (a: string, b: string) =>
      ["identity_source_id", "identity_source_type", "target_entity_type", "target_source_type", "target_source_id", "privilege_name"]
        .map((c) => `${a}.${c} = ${b}.${c}`)
        .join(" and ")
    const closed = yield* tx.query<{ n: number }>(
      `with closed as (
         update effective_access e set valid_to = $2
         where e.integration_id = $1 and e.valid_to is null
           and not exists (select 1 from ea_next n where ${key("n", "e")} and n.hash = e.hash)
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
         where not exists (select 1 from effective_access e where e.integration_id = $1 and e.valid_to is null and ${key("n", "e")})
         returning 1)
       select count(*)::int as n from opened`,
      [integrationId, seq]
    )
    const total = yield* tx.query<{ n: number }>("select count(*)::int as n from ea_next")
    yield* tx.exec("drop table ea_next; drop table ea_closure")
    return { closed: closed[0]!.n, opened: opened[0]!.n, rows: total[0]!.n, closureRows: closureRowCount }
  })
