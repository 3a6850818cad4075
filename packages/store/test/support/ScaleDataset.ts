import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { group, holds, memberOf, role, user } from "./StoreFixtures.ts"

/**
 * A generated identity graph shaped like a large Entra tenant, scaled by `scale` (1 = 100k users,
 * 20k groups, two 50k-member groups). Deterministic (seeded), so runs compare.
 * - every user is a direct member of ~5 random groups; users of the two giant groups on top;
 * - 30% of groups are nested in an older group (chains, a forest), and the giant groups nest in
 *   each other (a cycle);
 * - half of the groups hold a directory role.
 */
export const scaleDataset = (scale: number) => {
  const U = Math.max(100, Math.round(100_000 * scale))
  const G = Math.max(20, Math.round(20_000 * scale))
  const giant = Math.min(U, Math.round(50_000 * scale))
  let seed = 42
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const pick = (n: number) => Math.floor(random() * n)
  const users = Array.from({ length: U }, (_, i) => user(`u${i}`))
  const groups = Array.from({ length: G }, (_, i) => group(`g${i}`))
  const roles = Array.from({ length: 300 }, (_, i) => role(`r${i}`))
  const relations: Array<EntityRelation> = []
  for (const u of users) {
    const seen = new Set<number>()
    for (let k = 0; k < 5; k++) {
      const g = 2 + pick(G - 2)
      if (seen.has(g)) continue
      seen.add(g)
      relations.push(memberOf(u, groups[g]!))
    }
  }
  for (let i = 0; i < giant; i++) {
    relations.push(memberOf(users[i]!, groups[0]!))
    relations.push(memberOf(users[U - 1 - i]!, groups[1]!))
  }
  for (let i = 2; i < G; i++) if (random() < 0.3) relations.push(memberOf(groups[i]!, groups[pick(i)]!))
  relations.push(memberOf(groups[0]!, groups[1]!), memberOf(groups[1]!, groups[0]!))
  for (let i = 0; i < G; i++) if (random() < 0.5) relations.push(holds(groups[i]!, roles[pick(roles.length)]!, "roleAssignment"))
  const entities: Array<Entity> = [...users, ...groups, ...roles]
  return { entities, relations, users, groups, roles, giantGroupSize: giant }
}
