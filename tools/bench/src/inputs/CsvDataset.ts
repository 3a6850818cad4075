import { once } from "node:events"
import { createWriteStream } from "node:fs"
import * as path from "node:path"
import { writeEntitiesCsv, writeRelationsCsv } from "@idconnect/ingest/CsvWriter"
import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"

/**
 * The upload of scenarios 3 and 4, generated at bench time (never committed): a directory-like
 * tenant in the BalkanID upload format. Deterministic (a seeded generator), so every bench run
 * ingests the same bytes.
 *
 * Shape at the default size (100k entities, 1M relations):
 * - entities: 90,000 users, 8,000 groups, 1,500 directory roles, 500 applications;
 * - relations: 900,000 user -> group memberships (10 distinct groups per user), 6,000 nested
 *   group -> group memberships (two levels deep under 2,000 top groups, no cycles), 94,000 grants:
 *   500 group -> role and 1,000 user -> role assignments, 92,500 user -> application assignments.
 */
export interface CsvDatasetSize {
  readonly users: number
  readonly groups: number
  readonly roles: number
  readonly applications: number
  readonly groupsPerUser: number
  readonly grants: number
}

/** Role assignments among the grants (a third to groups); the rest are app role assignments to users. */
const ROLE_GRANTS = 1_500

export const DEFAULT_CSV_SIZE: CsvDatasetSize = { users: 90_000, groups: 8_000, roles: 1_500, applications: 500, groupsPerUser: 10, grants: 94_000 }

/** A tenth of the default, for `--quick` smoke runs. */
export const QUICK_CSV_SIZE: CsvDatasetSize = { users: 9_000, groups: 800, roles: 150, applications: 50, groupsPerUser: 10, grants: 9_400 }

export interface CsvDataset {
  readonly entitiesFile: string
  readonly relationsFile: string
  readonly entities: number
  readonly relations: number
  readonly bytes: number
}

/** A small fast PRNG (mulberry32): the same seed gives the same dataset. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const uuid = (kind: number, i: number): string => {
  const hex = (kind * 0x1000000 + i).toString(16).padStart(12, "0")
  return `b3c4a5d6-0000-4000-8000-${hex}`
}

const SYSTEM = "bench"

const user = (i: number): Entity => ({
  app: "bench",
  name: `User ${i}`,
  entityType: "identity",
  sourceSystem: SYSTEM,
  sourceId: uuid(1, i),
  sourceType: "user",
  metadataVersion: "v1",
  metadata: { email: `user${i}@bench.example`, accountEnabled: i % 37 !== 0, department: `Dept ${i % 40}` }
})
const group = (i: number): Entity => ({
  app: "bench",
  name: `Group ${i}`,
  entityType: "connection",
  sourceSystem: SYSTEM,
  sourceId: uuid(2, i),
  sourceType: "group",
  metadataVersion: "v1",
  metadata: { securityEnabled: true }
})
const role = (i: number): Entity => ({
  app: "bench",
  name: `Role ${i}`,
  entityType: "connection",
  sourceSystem: SYSTEM,
  sourceId: uuid(3, i),
  sourceType: "directoryRole",
  metadataVersion: "v1"
})
const application = (i: number): Entity => ({
  app: "bench",
  name: `Application ${i}`,
  entityType: "resource",
  sourceSystem: SYSTEM,
  sourceId: uuid(4, i),
  sourceType: "application",
  metadataVersion: "v1"
})

const relation = (parent: Entity, child: Entity, privilegeName: string, connectionType: string): EntityRelation => ({
  app: "bench",
  parentSourceId: parent.sourceId,
  parentEntityType: parent.entityType,
  parentSourceType: parent.sourceType,
  entitySourceId: child.sourceId,
  entityType: child.entityType,
  entitySourceType: child.sourceType,
  sourceSystem: SYSTEM,
  metadataVersion: "v1",
  metadata: { privilegeName, privilegeValue: true, connectionType }
})

export function* datasetEntities(size: CsvDatasetSize): Generator<Entity> {
  for (let i = 0; i < size.users; i++) yield user(i)
  for (let i = 0; i < size.groups; i++) yield group(i)
  for (let i = 0; i < size.roles; i++) yield role(i)
  for (let i = 0; i < size.applications; i++) yield application(i)
}

/** Top-level groups (a quarter); every other group nests in one group of the level above. */
const parentGroupOf = (g: number, groups: number): number | undefined => {
  const top = Math.floor(groups / 4)
  if (g < top) return undefined
  const middle = Math.floor(groups / 2)
  return g < middle ? g % top : top + (g % (middle - top))
}

export function* datasetRelations(size: CsvDatasetSize, seed = 42): Generator<EntityRelation> {
  const random = prng(seed)
  const picked = new Set<number>()
  for (let u = 0; u < size.users; u++) {
    picked.clear()
    while (picked.size < Math.min(size.groupsPerUser, size.groups)) picked.add(Math.floor(random() * size.groups))
    for (const g of picked) yield relation(user(u), group(g), "member", "group")
  }
  for (let g = 0; g < size.groups; g++) {
    const parent = parentGroupOf(g, size.groups)
    if (parent !== undefined) yield relation(group(g), group(parent), "member", "group")
  }
  // Distinct pairs only (a repeated relation key is an error in a strict upload). Most grants are
  // direct app role assignments; a few roles go to users and groups, as in a directory, so a
  // user's effective access stays in the tens of rows, not the hundreds.
  const granted = new Set<string>()
  const roleGrants = Math.min(size.grants, ROLE_GRANTS)
  for (let k = 0; k < size.grants; ) {
    const kind = k < roleGrants / 3 ? "groupRole" : k < roleGrants ? "userRole" : "userApp"
    const holder = Math.floor(random() * (kind === "groupRole" ? size.groups : size.users))
    const target = Math.floor(random() * (kind === "userApp" ? size.applications : size.roles))
    const key = `${kind}:${holder}:${target}`
    if (granted.has(key)) continue
    granted.add(key)
    k++
    if (kind === "groupRole") yield relation(group(holder), role(target), "roleAssignment", "role")
    else if (kind === "userRole") yield relation(user(holder), role(target), "roleAssignment", "role")
    else yield relation(user(holder), application(target), "appRoleAssignment", "appRole")
  }
}

const writeLines = async (file: string, lines: AsyncIterable<string>): Promise<number> => {
  const out = createWriteStream(file)
  let bytes = 0
  let chunk = ""
  for await (const line of lines) {
    chunk += line
    if (chunk.length >= 1 << 16) {
      bytes += Buffer.byteLength(chunk)
      if (!out.write(chunk)) await once(out, "drain")
      chunk = ""
    }
  }
  bytes += Buffer.byteLength(chunk)
  out.end(chunk)
  await once(out, "finish")
  return bytes
}

/** Writes only `entities.csv` into `dir` (the bulk upload of scenario 4). */
export const writeEntitiesFile = async (dir: string, size: CsvDatasetSize = DEFAULT_CSV_SIZE): Promise<{ readonly file: string; readonly entities: number; readonly bytes: number }> => {
  const file = path.join(dir, "entities.csv")
  const entities = size.users + size.groups + size.roles + size.applications
  const bytes = await writeLines(file, writeEntitiesCsv(datasetEntities(size)))
  return { file, entities, bytes }
}

/** Writes `entities.csv` and `relations.csv` into `dir`. */
export const writeCsvDataset = async (dir: string, size: CsvDatasetSize = DEFAULT_CSV_SIZE): Promise<CsvDataset> => {
  const entitiesFile = path.join(dir, "entities.csv")
  const relationsFile = path.join(dir, "relations.csv")
  let entities = 0
  let relations = 0
  const countE = function* () {
    for (const e of datasetEntities(size)) {
      entities++
      yield e
    }
  }
  const countR = function* () {
    for (const r of datasetRelations(size)) {
      relations++
      yield r
    }
  }
  const bytes = (await writeLines(entitiesFile, writeEntitiesCsv(countE()))) + (await writeLines(relationsFile, writeRelationsCsv(countR())))
  return { entitiesFile, relationsFile, entities, relations, bytes }
}
