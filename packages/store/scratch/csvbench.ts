import { csvChunks } from "../src/internal/Csv.ts"
import { relationId } from "../src/SnapshotWriter.ts"
import { user, group, memberOf } from "../test/support/StoreFixtures.ts"
const users = Array.from({ length: 100000 }, (_, i) => user(`u${i}`))
const g = group("g")
const rels = users.map((u) => memberOf(u, g))
let t0 = performance.now()
for (const r of rels) relationId(r)
console.log("sha1 keys", performance.now() - t0)
t0 = performance.now()
let n = 0
for (const c of csvChunks(rels.map((r) => ["run", relationId(r), r.parentEntityType, r.parentSourceType ?? "", r.parentSourceId, r.entityType, r.entitySourceType ?? "", r.entitySourceId, r.metadata?.privilegeName ?? "", "", r.app, r.sourceSystem, r.metadataVersion, JSON.stringify(r.metadata), false]))) n += c.length
console.log("csv", performance.now() - t0, n)
