import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { EffectiveAccess, type EffectiveGrant } from "../src/EffectiveAccess.ts"
import { Runs } from "../src/Runs.ts"
import { SnapshotWriter } from "../src/SnapshotWriter.ts"
import { DRIVERS, givenIntegration, group, holds, leasedRun, memberOf, role, storeOn, user } from "./support/StoreFixtures.ts"

const publish = (tenantId: string, integrationId: string, entities: ReadonlyArray<Entity>, relations: ReadonlyArray<EntityRelation>, mode: "full" | "incremental" = "full") =>
  Effect.gen(function* () {
    const writer = yield* SnapshotWriter
    const runs = yield* Runs
    const { runId, owner } = yield* leasedRun(tenantId, integrationId)
    yield* runs.setSyncMode(runId, mode)
    yield* writer.stage(runId, owner, { entities, relations, deletions: [] }, undefined)
    return yield* writer.publish(runId, owner)
  })

const allFor = (tenantId: string, integrationId: string, sourceId: string) =>
  Effect.gen(function* () {
    const access = yield* EffectiveAccess
    const items: Array<EffectiveGrant> = []
    let cursor: string | undefined
    do {
      const page = yield* access.forIdentity(tenantId, integrationId, { sourceId }, { limit: 2, ...(cursor ? { cursor } : {}) })
      items.push(...page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return items
  })

const describeGrants = (items: ReadonlyArray<EffectiveGrant>) =>
  items.map((g) => `${g.target.sourceId}:${g.privilegeName}:${g.kind}:${g.path.join(">")}`).sort()

// ada -> g1 -> g2 -> g3 (holds role r3), g3 -> g1 closes a cycle; g2 holds role r2; bob is directly
// in g3; cy's membership of g2 is an explicit deny.
const [ada, bob, cy] = [user("ada", "Ada"), user("bob", "Bob"), user("cy", "Cy")]
const [g1, g2, g3] = [group("g1", "Staff"), group("g2", "Engineering"), group("g3", "Admins")]
const [r2, r3] = [role("r2", "Reader"), role("r3", "Global Administrator")]
const entities = [ada, bob, cy, g1, g2, g3, r2, r3]
const relations = [
  memberOf(ada, g1),
  memberOf(g1, g2),
  memberOf(g2, g3),
  memberOf(g3, g1),
  memberOf(bob, g3),
  memberOf(cy, g2, { privilegeValue: false }),
  holds(g2, r2, "roleAssignment"),
  holds(g3, r3, "roleAssignment"),
  holds(ada, r2, "roleAssignment")
]

describe("Effective access", () => {
  for (const driver of DRIVERS) {
    layer(storeOn(driver), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("expands nested groups through a cycle, marking direct and inherited grants with their shortest path", () =>
        Effect.gen(function* () {
          const { tenantId, integration } = yield* givenIntegration()
          yield* publish(tenantId, integration.id, entities, relations)
          assert.deepStrictEqual(describeGrants(yield* allFor(tenantId, integration.id, "ada")), [
            "g1:member:direct:ada>g1",
            "g2:member:inherited:ada>g1>g2",
            "g3:member:inherited:ada>g1>g2>g3",
            // Direct beats inherited for the same privilege on the same target.
            "r2:roleAssignment:direct:ada>r2",
            "r3:roleAssignment:inherited:ada>g1>g2>g3>r3"
          ])
          // Bob enters the cycle at g3 and goes round it once: g3 -> g1 -> g2, then stops.
          assert.deepStrictEqual(describeGrants(yield* allFor(tenantId, integration.id, "bob")), [
            "g1:member:inherited:bob>g3>g1",
            "g2:member:inherited:bob>g3>g1>g2",
            "g3:member:direct:bob>g3",
            "r2:roleAssignment:inherited:bob>g3>g1>g2>r2",
            "r3:roleAssignment:inherited:bob>g3>r3"
          ])
          // An explicit deny grants nothing.
          assert.deepStrictEqual(yield* allFor(tenantId, integration.id, "cy"), [])
        }))

      it.effect("answers who has access to an entity, with names and paths", () =>
        Effect.gen(function* () {
          const access = yield* EffectiveAccess
          const { tenantId, integration } = yield* givenIntegration()
          yield* publish(tenantId, integration.id, entities, relations)
          const page = yield* access.whoHas(tenantId, integration.id, { entityType: "connection", sourceId: "r3" })
          assert.deepStrictEqual(
            page.items.map((g) => [g.identityName, g.kind, g.targetName, g.path.join(">")]),
            [
              ["Ada", "inherited", "Global Administrator", "ada>g1>g2>g3>r3"],
              ["Bob", "inherited", "Global Administrator", "bob>g3>r3"]
            ]
          )
          const direct = yield* access.whoHas(tenantId, integration.id, { entityType: "connection", sourceId: "r2" }, { kind: "direct" })
          assert.deepStrictEqual(direct.items.map((g) => g.identity.sourceId), ["ada"])
        }))

      it.effect("stops expanding at the configured depth", () =>
        Effect.gen(function* () {
          const { tenantId, integration } = yield* givenIntegration()
          // A chain of 15 nested groups: ada reaches 13 of them (the direct one plus 12 levels of nesting).
          const chain = Array.from({ length: 15 }, (_, i) => group(`c${i}`))
          const rels = [memberOf(ada, chain[0]!), ...chain.slice(1).map((g, i) => memberOf(chain[i]!, g))]
          yield* publish(tenantId, integration.id, [ada, ...chain], rels)
          const grants = yield* allFor(tenantId, integration.id, "ada")
          assert.strictEqual(grants.length, 13)
          assert.strictEqual(Math.max(...grants.map((g) => g.path.length)), 14)
        }))

      it.effect("an update recomputes only affected identities and gives the same result as computing from scratch", () =>
        Effect.gen(function* () {
          const { tenantId, integration } = yield* givenIntegration()
          const others = Array.from({ length: 30 }, (_, i) => user(`o${i}`))
          const g9 = group("g9", "Others")
          // Ten teams nobody touches: their members must not be recomputed.
          const teams = Array.from({ length: 10 }, (_, i) => group(`t${i}`))
          const teamRelations = others.map((o, i) => memberOf(o, teams[i % 10]!))
          const base = [...relations, ...others.map((o) => memberOf(o, g9)), ...teamRelations]
          yield* publish(tenantId, integration.id, [...entities, ...others, g9, ...teams], base)
          // g2 no longer holds r2, g3 stops being nested in g1, and g9 now holds r3.
          const changed = [
            ...base.filter((r) => !(r.parentSourceId === "g2" && r.entitySourceId === "r2") && !(r.parentSourceId === "g3" && r.entitySourceId === "g1")),
            holds(g9, r3, "roleAssignment")
          ]
          const second = yield* publish(tenantId, integration.id, [...entities, ...others, g9, ...teams], changed)
          assert.strictEqual(second.effectiveAccess.scope, "incremental")
          // ada, bob and the 30 members of g9.
          assert.strictEqual(second.effectiveAccess.identitiesRecomputed, 32)

          const fresh = yield* givenIntegration("direct", "Fresh")
          const scratch = yield* publish(fresh.tenantId, fresh.integration.id, [...entities, ...others, g9, ...teams], changed)
          assert.strictEqual(scratch.effectiveAccess.scope, "full")
          for (const who of ["ada", "bob", "cy", "o0", "o29"]) {
            assert.deepStrictEqual(
              describeGrants(yield* allFor(tenantId, integration.id, who)),
              describeGrants(yield* allFor(fresh.tenantId, fresh.integration.id, who)),
              who
            )
          }
          assert.deepStrictEqual(describeGrants(yield* allFor(tenantId, integration.id, "bob")), [
            "g3:member:direct:bob>g3",
            "r3:roleAssignment:inherited:bob>g3>r3"
          ])
        }))
    })
  }
})
