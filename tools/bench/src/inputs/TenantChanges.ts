import type { SimTenant } from "@idconnect/graph-sim/GraphSim"

/**
 * The change between a full and an incremental sync in scenario 2: 1% of the users and 1% of the
 * groups change, picked by a seeded generator (a different seed per repetition, so every
 * incremental sync sees a fresh set). Of the users, 90% are edited (job title, department), 5%
 * created and 5% deleted; of the groups, 90% gain one user member and lose one member, 10% are
 * renamed.
 */
export interface ChangeSummary {
  readonly usersEdited: number
  readonly usersCreated: number
  readonly usersDeleted: number
  readonly groupsMembershipChanged: number
  readonly groupsRenamed: number
}

const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `count` distinct indexes below `n`. */
const pick = (random: () => number, n: number, count: number): Array<number> => {
  const chosen = new Set<number>()
  while (chosen.size < Math.min(count, n)) chosen.add(Math.floor(random() * n))
  return [...chosen]
}

export const changeOnePercent = (tenant: SimTenant, seed: number): ChangeSummary => {
  const random = prng(seed)
  const users = tenant.truth.users()
  const groups = tenant.truth.groups()
  const userChanges = Math.round(users.length / 100)
  const groupChanges = Math.round(groups.length / 100)
  const created = Math.round(userChanges * 0.05)
  const deleted = Math.round(userChanges * 0.05)
  const edited = userChanges - created - deleted
  const renamed = Math.round(groupChanges * 0.1)
  const membership = groupChanges - renamed

  const userPicks = pick(random, users.length, edited + deleted)
  for (const [k, index] of userPicks.entries()) {
    const user = users[index]!
    if (k < edited) tenant.updateUser(user.id, { jobTitle: `Bench title ${seed}-${k}`, department: `Bench department ${k % 20}` })
    else tenant.deleteUser(user.id)
  }
  for (let k = 0; k < created; k++) {
    tenant.createUser({ displayName: `Bench user ${seed}-${k}`, userPrincipalName: `bench.${seed}.${k}@${tenant.domain}`, department: "Bench" })
  }
  const live = new Set(tenant.truth.users().map((u) => u.id))
  const groupPicks = pick(random, groups.length, membership + renamed)
  let membershipChanged = 0
  for (const [k, index] of groupPicks.entries()) {
    const group = groups[index]!
    if (k >= membership) {
      tenant.updateGroup(group.id, { displayName: `${group.displayName} (renamed ${seed})` })
      continue
    }
    const members = tenant.truth.members(group.id)
    const leaving = members.find((m) => m.type !== "user" || live.has(m.id))
    const present = new Set(members.map((m) => m.id))
    const from = Math.floor(random() * users.length)
    const joining = users.find((u, i) => i >= from && live.has(u.id) && !present.has(u.id))
    let changed = false
    if (leaving !== undefined) changed = tenant.removeMember(group.id, leaving.id) || changed
    if (joining !== undefined && !isDynamic(group)) changed = tenant.addMember(group.id, joining.id) || changed
    if (changed) membershipChanged++
  }
  return { usersEdited: edited, usersCreated: created, usersDeleted: deleted, groupsMembershipChanged: membershipChanged, groupsRenamed: renamed }
}

const isDynamic = (group: { readonly groupTypes: ReadonlyArray<string> }): boolean => group.groupTypes.includes("DynamicMembership")
