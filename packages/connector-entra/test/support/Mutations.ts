import type { SimTenant } from "@idconnect/graph-sim/GraphSim"

/** What a batch of directory changes did, for assertions. */
export interface ChangeLog {
  readonly createdUsers: ReadonlyArray<string>
  readonly updatedUsers: ReadonlyArray<string>
  readonly softDeletedUsers: ReadonlyArray<string>
  readonly purgedUsers: ReadonlyArray<string>
  readonly createdGroups: ReadonlyArray<string>
  readonly deletedGroups: ReadonlyArray<string>
  readonly membershipChanges: number
}

/**
 * Changes about `fraction` of the tenant's users (at least one of each kind) and a few groups:
 * new, updated (job title, disabled, new manager), soft-deleted and permanently deleted users; a
 * new group with members and a nested group; members added and removed; a renamed group; a
 * deleted security group. Deterministic: picks objects by position.
 */
export const changeTenant = (tenant: SimTenant, fraction: number, tag: string): ChangeLog => {
  const users = tenant.truth.users()
  const groups = tenant.truth.groups().filter((g) => !g.groupTypes.includes("DynamicMembership"))
  const n = Math.max(5, Math.round(users.length * fraction))
  const per = Math.max(1, Math.floor(n / 5))
  const domain = tenant.domain
  const log = { createdUsers: [] as string[], updatedUsers: [] as string[], softDeletedUsers: [] as string[], purgedUsers: [] as string[], createdGroups: [] as string[], deletedGroups: [] as string[], membershipChanges: 0 }
  const pickUser = (i: number) => users[(i * 37 + 11) % users.length]!
  const used = new Set<string>()
  const next = (i: number) => {
    let k = i
    while (used.has(pickUser(k).id)) k++
    const u = pickUser(k)
    used.add(u.id)
    return u
  }
  for (let i = 0; i < per; i++) {
    const created = tenant.createUser({ displayName: `New Hire ${tag} ${i}`, userPrincipalName: `new.hire.${tag}.${i}@${domain}`, accountEnabled: true, userType: "Member", jobTitle: "Analyst" })
    log.createdUsers.push(created.id)
  }
  for (let i = 0; i < per * 2; i++) {
    const u = next(i)
    tenant.updateUser(u.id, i % 2 === 0 ? { jobTitle: `Senior ${u.jobTitle ?? "Staff"}`, accountEnabled: false } : { managerId: pickUser(i + 500).id })
    log.updatedUsers.push(u.id)
  }
  for (let i = 0; i < per; i++) {
    const u = next(100 + i)
    tenant.deleteUser(u.id)
    log.softDeletedUsers.push(u.id)
  }
  for (let i = 0; i < per; i++) {
    const u = next(200 + i)
    tenant.deleteUser(u.id, { permanent: true })
    log.purgedUsers.push(u.id)
  }
  const g0 = groups[0]!
  const g1 = groups[1]!
  const g2 = groups[2]!
  const newGroup = tenant.createGroup({ displayName: `Project ${tag}`, securityEnabled: true, mailEnabled: false, groupTypes: [] })
  log.createdGroups.push(newGroup.id)
  for (const id of log.createdUsers) {
    tenant.addMember(newGroup.id, id)
    log.membershipChanges++
  }
  tenant.addMember(g0.id, newGroup.id)
  log.membershipChanges++
  const liveNow = new Set(tenant.truth.users().map((u) => u.id))
  const outsider = tenant.truth.users().find((u) => !tenant.truth.members(g1.id).some((m) => m.id === u.id) && liveNow.has(u.id))
  if (outsider !== undefined && tenant.addMember(g1.id, outsider.id)) log.membershipChanges++
  const leaving = tenant.truth.members(g1.id).find((m) => m.type === "user" && m.id !== outsider?.id)
  if (leaving !== undefined && tenant.removeMember(g1.id, leaving.id)) log.membershipChanges++
  tenant.updateGroup(g2.id, { displayName: `${g2.displayName} (renamed ${tag})` })
  const doomed = groups.find((g, i) => i > 3 && !g.groupTypes.includes("Unified") && !g.isAssignableToRole)
  if (doomed !== undefined) {
    tenant.deleteGroup(doomed.id)
    log.deletedGroups.push(doomed.id)
  }
  return log
}
