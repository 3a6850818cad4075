import type { Directory, LazyLog } from "./Directory.ts"
import {
  type AdministrativeUnitRecord,
  type ApplicationRecord,
  type AppRoleAssignmentRecord,
  type DeviceRecord,
  type DirectoryAuditRecord,
  type DirectoryKind,
  type DirectoryRoleRecord,
  type GroupRecord,
  type OAuth2PermissionGrantRecord,
  type OrganizationRecord,
  type OrgContactRecord,
  refKind,
  type RiskDetectionRecord,
  type RiskyUserRecord,
  type RoleAssignmentRecord,
  type RoleAssignmentScheduleRecord,
  type RoleDefinitionRecord,
  type RoleEligibilityScheduleRecord,
  type ScopedRoleMembershipRecord,
  type ServicePrincipalRecord,
  type SignInRecord,
  type UserRecord
} from "./Records.ts"
import type { Table } from "./Table.ts"
import { SOFT_DELETED } from "./Table.ts"

/** A user as Graph would return it with every property selected, plus its manager's id. */
export type TruthUser = Omit<UserRecord, "_managerId"> & { readonly managerId: string | null }

/** A typed reference to a directory object. */
export interface TruthRef {
  readonly id: string
  readonly type: DirectoryKind
}

/** One direct membership or ownership edge. */
export interface TruthEdge {
  readonly parentId: string
  readonly memberId: string
  readonly memberType: DirectoryKind
}

export const toTruthUser = (u: UserRecord): TruthUser => {
  const { _managerId, ...rest } = u
  return { ...rest, managerId: _managerId }
}

const liveOf = <R extends { id: string }>(t: Table<R>): R[] => {
  const out: R[] = []
  for (let i = 0; i < t.size; i++) if (t.isLive(i)) out.push(t.get(i))
  return out
}

/**
 * Read-only access to everything a tenant holds, for tests that compare an extraction record by
 * record. Collections contain live objects only (soft-deleted ones are under `deletedItems`).
 */
export class GroundTruth {
  private readonly dir: Directory

  constructor(dir: Directory) {
    this.dir = dir
  }

  counts(): Record<string, number> {
    const d = this.dir
    let memberships = 0
    for (let g = 0; g < d.groupMembers.length; g++) if (d.groups.isLive(g)) memberships += d.members(g).length
    return {
      users: d.users.live,
      groups: d.groups.live,
      memberships,
      servicePrincipals: d.servicePrincipals.live,
      applications: d.applications.live,
      devices: d.devices.live,
      orgContacts: d.orgContacts.live,
      administrativeUnits: d.administrativeUnits.live,
      appRoleAssignments: d.appRoleAssignments.length,
      oauth2PermissionGrants: d.oauth2PermissionGrants.length,
      roleDefinitions: d.roleDefinitions.length,
      roleAssignments: d.roleAssignments.length,
      roleEligibilitySchedules: d.roleEligibilitySchedules.length,
      directoryRoles: d.directoryRoles.length,
      riskyUsers: d.riskyUsers.length,
      riskDetections: d.riskDetections.length,
      directoryAudits: d.directoryAudits.count,
      signIns: d.signIns.count,
      deletedUsers: countState(d.users, SOFT_DELETED),
      deletedGroups: countState(d.groups, SOFT_DELETED)
    }
  }

  users(): TruthUser[] {
    return liveOf(this.dir.users).map(toTruthUser)
  }

  user(idOrUpn: string): TruthUser | undefined {
    let i = this.dir.users.indexOf(idOrUpn)
    if (i < 0) i = this.dir.userByUpn(idOrUpn)
    return i >= 0 && this.dir.users.isLive(i) ? toTruthUser(this.dir.users.get(i)) : undefined
  }

  groups(): GroupRecord[] {
    return liveOf(this.dir.groups)
  }

  group(id: string): GroupRecord | undefined {
    const i = this.dir.groups.indexOf(id)
    return i >= 0 && this.dir.groups.isLive(i) ? this.dir.groups.get(i) : undefined
  }

  servicePrincipals(): ServicePrincipalRecord[] {
    return liveOf(this.dir.servicePrincipals)
  }

  applications(): ApplicationRecord[] {
    return liveOf(this.dir.applications)
  }

  devices(): DeviceRecord[] {
    return liveOf(this.dir.devices)
  }

  orgContacts(): OrgContactRecord[] {
    return liveOf(this.dir.orgContacts)
  }

  administrativeUnits(): AdministrativeUnitRecord[] {
    return liveOf(this.dir.administrativeUnits)
  }

  private refs(refs: Iterable<number>): TruthRef[] {
    const out: TruthRef[] = []
    for (const r of refs) out.push({ id: this.dir.idOfRef(r), type: refKind(r) })
    return out
  }

  /** Live direct members of a group. */
  members(groupId: string): TruthRef[] {
    const g = this.dir.groups.indexOf(groupId)
    return g < 0 ? [] : this.refs(this.dir.members(g))
  }

  /** Live transitive members of a group (nested groups included, cycle-safe). */
  transitiveMembers(groupId: string): TruthRef[] {
    const g = this.dir.groups.indexOf(groupId)
    return g < 0 ? [] : this.refs(this.dir.transitiveMembers(g))
  }

  /** Owners of a group, application or service principal. */
  owners(objectId: string): TruthRef[] {
    const ref = this.dir.find(objectId)
    if (ref === undefined) return []
    const list = ref.kind === "group" ? this.dir.groupOwners : ref.kind === "application" ? this.dir.applicationOwners : ref.kind === "servicePrincipal" ? this.dir.servicePrincipalOwners : undefined
    return list === undefined ? [] : this.refs(this.dir.owners(list, ref.index))
  }

  /** Every live direct group membership edge. */
  memberships(): TruthEdge[] {
    const out: TruthEdge[] = []
    this.eachMembership((e) => out.push(e))
    return out
  }

  /** Streams membership edges without building one big array (large tenants have millions). */
  eachMembership(f: (edge: TruthEdge) => void): void {
    const d = this.dir
    for (let g = 0; g < d.groupMembers.length; g++) {
      if (!d.groups.isLive(g)) continue
      const parentId = d.groups.id(g)
      for (const r of d.members(g)) f({ parentId, memberId: d.idOfRef(r), memberType: refKind(r) })
    }
  }

  /** Every owner edge of groups, applications and service principals. */
  ownerships(): TruthEdge[] {
    const d = this.dir
    const out: TruthEdge[] = []
    const add = (list: Uint32Array[], t: Table<{ id: string }>) => {
      for (let i = 0; i < list.length; i++) {
        if (!t.isLive(i)) continue
        for (const r of d.owners(list, i)) out.push({ parentId: t.id(i), memberId: d.idOfRef(r), memberType: refKind(r) })
      }
    }
    add(d.groupOwners, d.groups)
    add(d.applicationOwners, d.applications)
    add(d.servicePrincipalOwners, d.servicePrincipals)
    return out
  }

  /** Members of an administrative unit. */
  administrativeUnitMembers(auId: string): TruthRef[] {
    const a = this.dir.administrativeUnits.indexOf(auId)
    return a < 0 ? [] : this.refs(this.dir.owners(this.dir.auMembers, a))
  }

  appRoleAssignments(): AppRoleAssignmentRecord[] {
    return [...this.dir.appRoleAssignments]
  }

  oauth2PermissionGrants(): OAuth2PermissionGrantRecord[] {
    return [...this.dir.oauth2PermissionGrants]
  }

  roleDefinitions(): RoleDefinitionRecord[] {
    return [...this.dir.roleDefinitions]
  }

  roleAssignments(): RoleAssignmentRecord[] {
    return [...this.dir.roleAssignments]
  }

  roleEligibilitySchedules(): RoleEligibilityScheduleRecord[] {
    return [...this.dir.roleEligibilitySchedules]
  }

  roleAssignmentSchedules(): RoleAssignmentScheduleRecord[] {
    return this.dir.roleAssignments.map((a) => assignmentSchedule(a))
  }

  directoryRoles(): Array<DirectoryRoleRecord & { readonly memberIds: string[] }> {
    return this.dir.directoryRoles.map((r) => ({ ...r, memberIds: this.dir.directoryRoleMembers(r) }))
  }

  scopedRoleMembers(auId: string): ScopedRoleMembershipRecord[] {
    return scopedRoleMemberships(this.dir, auId)
  }

  riskyUsers(): RiskyUserRecord[] {
    return [...this.dir.riskyUsers]
  }

  riskDetections(): RiskDetectionRecord[] {
    return [...this.dir.riskDetections]
  }

  organization(): OrganizationRecord {
    return this.dir.organization
  }

  directoryAudits(limit = Infinity): DirectoryAuditRecord[] {
    return fromLog(this.dir.directoryAudits, limit)
  }

  signIns(limit = Infinity): SignInRecord[] {
    return fromLog(this.dir.signIns, limit)
  }

  /** Soft-deleted users and groups (restorable for 30 days). */
  deletedItems(): TruthRef[] {
    const out: TruthRef[] = []
    for (const [kind, t] of [["user", this.dir.users], ["group", this.dir.groups]] as const) {
      for (let i = 0; i < t.size; i++) if (t.state(i) === SOFT_DELETED) out.push({ id: t.id(i), type: kind })
    }
    return out
  }

  /** Whether a user counts as a privileged target for sensitive actions. */
  isPrivilegedTarget(userId: string): boolean {
    const i = this.dir.users.indexOf(userId)
    return i >= 0 && this.dir.isPrivilegedTarget(i)
  }

  kindOf(id: string): DirectoryKind | undefined {
    return this.dir.find(id)?.kind
  }
}

const countState = (t: Table<{ id: string }>, state: number): number => {
  let n = 0
  for (let i = 0; i < t.size; i++) if (t.state(i) === state) n++
  return n
}

const fromLog = <R>(log: LazyLog<R>, limit: number): R[] => {
  const out: R[] = []
  for (let i = 0; i < Math.min(log.count, limit); i++) out.push(log.at(i))
  return out
}

/** The PIM schedule view of an active assignment. */
export const assignmentSchedule = (a: RoleAssignmentRecord): RoleAssignmentScheduleRecord => ({
  id: a.id,
  principalId: a.principalId,
  roleDefinitionId: a.roleDefinitionId,
  directoryScopeId: a.directoryScopeId,
  appScopeId: a.appScopeId,
  memberType: "Direct",
  status: "Provisioned",
  createdUsing: a.id,
  createdDateTime: a.createdDateTime,
  modifiedDateTime: null,
  assignmentType: "Assigned",
  scheduleInfo: { startDateTime: a.createdDateTime, expiration: { type: "noExpiration", endDateTime: null, duration: null } }
})

/** The legacy scopedRoleMembers view of an administrative unit: its AU-scoped role assignments. */
export const scopedRoleMemberships = (dir: Directory, auId: string): ScopedRoleMembershipRecord[] => {
  const scope = `/administrativeUnits/${auId}`
  const out: ScopedRoleMembershipRecord[] = []
  for (const a of dir.roleAssignments) {
    if (a.directoryScopeId !== scope) continue
    const role = dir.activateRole(a.roleDefinitionId)
    if (role === undefined) continue
    out.push({ id: a.id, roleId: role.id, administrativeUnitId: auId, roleMemberInfo: { id: a.principalId, displayName: dir.displayNameOf(a.principalId) ?? "" } })
  }
  return out
}
