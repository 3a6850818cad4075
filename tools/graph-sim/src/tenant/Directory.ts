import { guidOf, stringCode } from "../internal/Random.ts"
import { EMPTY_REFS, hasRef, insertRef, removeRef } from "../internal/SortedRefs.ts"
import { CAN_ACT_ON_PRIVILEGED, PRIVILEGED_TARGET_ROLES } from "./BuiltInRoles.ts"
import {
  type AdministrativeUnitRecord,
  type AppRoleAssignmentRecord,
  type ApplicationRecord,
  type DeviceRecord,
  type DirectoryAuditRecord,
  type DirectoryKind,
  type DirectoryRoleRecord,
  encodeRef,
  type GroupRecord,
  type OAuth2PermissionGrantRecord,
  type ObjectRef,
  type OrganizationRecord,
  type OrgContactRecord,
  refIndex,
  refKind,
  type RiskDetectionRecord,
  type RiskyUserRecord,
  type RoleAssignmentRecord,
  type RoleDefinitionRecord,
  type RoleEligibilityScheduleRecord,
  type ScopedRoleMembershipRecord,
  type ServicePrincipalRecord,
  type SignInRecord,
  type UserRecord
} from "./Records.ts"
import { LIVE, PURGED, SOFT_DELETED, Table } from "./Table.ts"

/** One entry of the change log the delta engine reads. */
export interface Change {
  readonly v: number
  readonly kind: "user" | "group"
  readonly index: number
  /** Changed property names; null when the object itself was created, deleted or restored. */
  readonly props: ReadonlyArray<string> | null
  /** Set for membership changes of a group: the member whose membership changed. */
  readonly memberRef?: number
}

/** A lazily generated, time-ordered log (newest first): entry i is computed from i. */
export interface LazyLog<R> {
  readonly count: number
  /** Entry i, newest first. */
  readonly at: (i: number) => R
  /** Epoch ms of entry i; must be non-increasing in i. */
  readonly timeAt: (i: number) => number
}

const SOFT_DELETE_RETENTION_MS = 30 * 86_400_000

/**
 * The simulated tenant's data: every directory object, every relation, and the change log. All
 * mutations go through this class so the delta engine and the ground-truth API see the same state.
 */
export class Directory {
  readonly users = new Table<UserRecord>("user")
  readonly groups = new Table<GroupRecord>("group")
  readonly servicePrincipals = new Table<ServicePrincipalRecord>("servicePrincipal")
  readonly devices = new Table<DeviceRecord>("device")
  readonly orgContacts = new Table<OrgContactRecord>("orgContact")
  readonly applications = new Table<ApplicationRecord>("application")
  readonly administrativeUnits = new Table<AdministrativeUnitRecord>("administrativeUnit")

  /** Direct members per group index (sorted encoded refs, including soft-deleted members). */
  readonly groupMembers: Uint32Array[] = []
  readonly groupOwners: Uint32Array[] = []
  readonly applicationOwners: Uint32Array[] = []
  readonly servicePrincipalOwners: Uint32Array[] = []
  readonly auMembers: Uint32Array[] = []

  appRoleAssignments: AppRoleAssignmentRecord[] = []
  oauth2PermissionGrants: OAuth2PermissionGrantRecord[] = []
  roleDefinitions: RoleDefinitionRecord[] = []
  roleAssignments: RoleAssignmentRecord[] = []
  roleEligibilitySchedules: RoleEligibilityScheduleRecord[] = []
  /** PIM requests made through Graph (roleEligibilityScheduleRequests), newest last. */
  roleEligibilityScheduleRequests: Array<Record<string, unknown>> = []
  /** Activated directory roles (the legacy /directoryRoles view). */
  directoryRoles: DirectoryRoleRecord[] = []
  scopedRoleMembers: ScopedRoleMembershipRecord[] = []
  riskyUsers: RiskyUserRecord[] = []
  riskDetections: RiskDetectionRecord[] = []
  directoryAudits: LazyLog<DirectoryAuditRecord> = { count: 0, at: () => { throw new Error("empty") }, timeAt: () => 0 }
  signIns: LazyLog<SignInRecord> = { count: 0, at: () => { throw new Error("empty") }, timeAt: () => 0 }
  organization!: OrganizationRecord

  /** Monotonic change counter; delta tokens remember the version they were issued at. */
  version = 0
  readonly changes: Change[] = []
  /** Bumped on any membership change; keys the transitive-members cache. */
  private membershipVersion = 0
  private readonly transitiveCache = new Map<number, { v: number; refs: Uint32Array }>()
  readonly now: () => number

  constructor(now: () => number) {
    this.now = now
  }

  // ---------------------------------------------------------------- lookup

  table(kind: DirectoryKind): Table<{ id: string }> {
    switch (kind) {
      case "user": return this.users
      case "group": return this.groups
      case "servicePrincipal": return this.servicePrincipals
      case "device": return this.devices
      case "orgContact": return this.orgContacts
      case "application": return this.applications
      case "administrativeUnit": return this.administrativeUnits
    }
  }

  private static readonly LOOKUP_ORDER: ReadonlyArray<DirectoryKind> = [
    "user", "group", "servicePrincipal", "device", "orgContact", "application", "administrativeUnit"
  ]

  /** Finds any directory object by id, whatever its state. */
  find(id: string): ObjectRef | undefined {
    for (const kind of Directory.LOOKUP_ORDER) {
      const index = this.table(kind).indexOf(id)
      if (index >= 0) return { kind, index }
    }
    return undefined
  }

  /** Finds a live directory object by id. */
  findLive(id: string): ObjectRef | undefined {
    const ref = this.find(id)
    return ref !== undefined && this.table(ref.kind).isLive(ref.index) ? ref : undefined
  }

  isLiveRef(ref: number): boolean {
    return this.table(refKind(ref)).isLive(refIndex(ref))
  }

  idOfRef(ref: number): string {
    return this.table(refKind(ref)).id(refIndex(ref))
  }

  objectOfRef(ref: number): { id: string } {
    return this.table(refKind(ref)).get(refIndex(ref))
  }

  displayNameOf(id: string): string | null {
    const ref = this.find(id)
    if (ref === undefined) return null
    const o = this.table(ref.kind).get(ref.index) as { displayName?: string }
    return o.displayName ?? null
  }

  /** Index of a user by userPrincipalName (any state), or -1. The index is built once, then kept current. */
  userByUpn(upn: string): number {
    const lower = upn.toLowerCase()
    if (this.upnIndex === undefined) {
      this.upnIndex = new Map()
      this.upnIndexSize = 0
    }
    for (; this.upnIndexSize < this.users.size; this.upnIndexSize++) {
      const i = this.upnIndexSize
      if (this.users.state(i) !== PURGED) this.upnIndex.set(this.users.get(i).userPrincipalName.toLowerCase(), i)
    }
    const i = this.upnIndex.get(lower)
    return i !== undefined && this.users.state(i) !== PURGED && this.users.get(i).userPrincipalName.toLowerCase() === lower ? i : -1
  }
  private upnIndex: Map<string, number> | undefined
  private upnIndexSize = 0

  // ---------------------------------------------------------------- memberships

  /** Live direct members of a group, in stable ref order. */
  members(groupIndex: number): number[] {
    const out: number[] = []
    for (const ref of this.groupMembers[groupIndex] ?? EMPTY_REFS) if (this.isLiveRef(ref)) out.push(ref)
    return out
  }

  isMember(groupIndex: number, ref: number): boolean {
    return hasRef(this.groupMembers[groupIndex] ?? EMPTY_REFS, ref) && this.isLiveRef(ref)
  }

  owners(list: Uint32Array[], index: number): number[] {
    const out: number[] = []
    for (const ref of list[index] ?? EMPTY_REFS) if (this.isLiveRef(ref)) out.push(ref)
    return out
  }

  /** Live transitive members (users, groups, and everything below nested groups), cycle-safe, sorted. */
  transitiveMembers(groupIndex: number): Uint32Array {
    const cached = this.transitiveCache.get(groupIndex)
    if (cached !== undefined && cached.v === this.membershipVersion) return cached.refs
    const seen = new Set<number>()
    const visitedGroups = new Set<number>([groupIndex])
    const stack = [groupIndex]
    while (stack.length > 0) {
      const g = stack.pop()!
      for (const ref of this.groupMembers[g] ?? EMPTY_REFS) {
        if (!this.isLiveRef(ref)) continue
        seen.add(ref)
        if (refKind(ref) === "group") {
          const child = refIndex(ref)
          if (!visitedGroups.has(child)) {
            visitedGroups.add(child)
            stack.push(child)
          }
        }
      }
    }
    seen.delete(encodeRef("group", groupIndex))
    const refs = Uint32Array.from(seen).sort()
    if (this.transitiveCache.size > 256) this.transitiveCache.clear()
    this.transitiveCache.set(groupIndex, { v: this.membershipVersion, refs })
    return refs
  }

  /** Live groups that directly contain `ref`. */
  memberOf(ref: number): number[] {
    const out: number[] = []
    for (let g = 0; g < this.groupMembers.length; g++) {
      if (this.groups.isLive(g) && hasRef(this.groupMembers[g] ?? EMPTY_REFS, ref)) out.push(g)
    }
    return out
  }

  /** Live groups that contain `ref` directly or through nesting. */
  transitiveMemberOf(ref: number): number[] {
    const result = new Set<number>()
    const queue = this.memberOf(ref)
    while (queue.length > 0) {
      const g = queue.pop()!
      if (result.has(g)) continue
      result.add(g)
      for (const parent of this.memberOf(encodeRef("group", g))) if (!result.has(parent)) queue.push(parent)
    }
    return [...result].sort((a, b) => a - b)
  }

  // ---------------------------------------------------------------- change log

  private record(kind: "user" | "group", index: number, props: ReadonlyArray<string> | null, memberRef?: number): void {
    this.version++
    this.changes.push(memberRef === undefined ? { v: this.version, kind, index, props } : { v: this.version, kind, index, props, memberRef })
  }

  private membershipChanged(groupIndex: number, ref: number): void {
    this.membershipVersion++
    this.record("group", groupIndex, [], ref)
  }

  /** Changes with version in (from, to], oldest first. */
  changesBetween(from: number, to: number): ReadonlyArray<Change> {
    let lo = 0
    let hi = this.changes.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.changes[mid].v <= from) lo = mid + 1
      else hi = mid
    }
    const out: Change[] = []
    for (let i = lo; i < this.changes.length && this.changes[i].v <= to; i++) out.push(this.changes[i])
    return out
  }

  // ---------------------------------------------------------------- users

  createUser(record: UserRecord): number {
    const index = this.users.add(record)
    this.record("user", index, null)
    return index
  }

  updateUser(index: number, patch: Partial<UserRecord>): void {
    const current = this.users.get(index)
    const changed: string[] = []
    for (const [k, v] of Object.entries(patch)) {
      if (JSON.stringify((current as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v)) changed.push(k === "_managerId" ? "manager" : k)
    }
    if (changed.length === 0) return
    this.users.put(index, { ...current, ...patch })
    if (patch.userPrincipalName !== undefined && this.upnIndex !== undefined && index < this.upnIndexSize) {
      this.upnIndex.delete(current.userPrincipalName.toLowerCase())
      this.upnIndex.set(patch.userPrincipalName.toLowerCase(), index)
    }
    this.record("user", index, changed)
  }

  /** Soft delete: the user disappears from collections and group listings but keeps its memberships for restore. */
  softDeleteUser(index: number): void {
    this.users.put(index, { ...this.users.get(index), deletedDateTime: new Date(this.now()).toISOString() })
    this.setStateWithMemberships("user", index, SOFT_DELETED)
  }

  restoreUser(index: number): void {
    this.users.put(index, { ...this.users.get(index), deletedDateTime: null })
    this.setStateWithMemberships("user", index, LIVE)
  }

  /** Permanent delete: removes the object from every relation. */
  purge(kind: DirectoryKind, index: number): void {
    const table = this.table(kind)
    const ref = encodeRef(kind, index)
    const id = table.id(index)
    const wasLive = table.isLive(index)
    const parents = this.memberOf(ref)
    table.setState(index, PURGED)
    for (const g of parents) {
      this.groupMembers[g] = removeRef(this.groupMembers[g], ref)
      if (wasLive) this.membershipChanged(g, ref)
    }
    // Soft-deleted members are no longer "live" so memberOf skipped them; sweep the arrays directly.
    for (let g = 0; g < this.groupMembers.length; g++) {
      if (hasRef(this.groupMembers[g] ?? EMPTY_REFS, ref)) this.groupMembers[g] = removeRef(this.groupMembers[g], ref)
    }
    for (const list of [this.groupOwners, this.applicationOwners, this.servicePrincipalOwners, this.auMembers]) {
      for (let i = 0; i < list.length; i++) if (hasRef(list[i] ?? EMPTY_REFS, ref)) list[i] = removeRef(list[i], ref)
    }
    if (kind === "group") {
      this.groupMembers[index] = EMPTY_REFS
      this.groupOwners[index] = EMPTY_REFS
    }
    this.appRoleAssignments = this.appRoleAssignments.filter((a) => a.principalId !== id && a.resourceId !== id)
    this.roleAssignments = this.roleAssignments.filter((a) => a.principalId !== id)
    this.roleEligibilitySchedules = this.roleEligibilitySchedules.filter((a) => a.principalId !== id)
    this.oauth2PermissionGrants = this.oauth2PermissionGrants.filter((g) => g.clientId !== id && g.resourceId !== id && g.principalId !== id)
    this.scopedRoleMembers = this.scopedRoleMembers.filter((s) => s.roleMemberInfo.id !== id && s.administrativeUnitId !== id)
    this.membershipVersion++
    if (kind === "user" || kind === "group") this.record(kind, index, null)
  }

  private setStateWithMemberships(kind: DirectoryKind, index: number, state: number): void {
    const ref = encodeRef(kind, index)
    const table = this.table(kind)
    // Compute the containing groups while the member still counts as the "before" state.
    const groups: number[] = []
    for (let g = 0; g < this.groupMembers.length; g++) {
      if (this.groups.isLive(g) && hasRef(this.groupMembers[g] ?? EMPTY_REFS, ref)) groups.push(g)
    }
    table.setState(index, state)
    if (kind === "user" || kind === "group") this.record(kind, index, null)
    for (const g of groups) this.membershipChanged(g, ref)
  }

  /** Purges soft-deleted objects older than the 30-day retention. */
  purgeExpiredDeletedItems(): void {
    const cutoff = this.now() - SOFT_DELETE_RETENTION_MS
    for (const [kind, table] of [["user", this.users], ["group", this.groups]] as const) {
      for (let i = 0; i < table.size; i++) {
        if (table.state(i) !== SOFT_DELETED) continue
        const deleted = (table.get(i) as { deletedDateTime: string | null }).deletedDateTime
        if (deleted !== null && Date.parse(deleted) < cutoff) this.purge(kind, i)
      }
    }
  }

  // ---------------------------------------------------------------- groups

  createGroup(record: GroupRecord): number {
    const index = this.groups.add(record)
    this.groupMembers[index] = EMPTY_REFS
    this.groupOwners[index] = EMPTY_REFS
    this.record("group", index, null)
    return index
  }

  updateGroup(index: number, patch: Partial<GroupRecord>): void {
    const current = this.groups.get(index)
    const changed = Object.keys(patch).filter(
      (k) => JSON.stringify((current as unknown as Record<string, unknown>)[k]) !== JSON.stringify((patch as Record<string, unknown>)[k])
    )
    if (changed.length === 0) return
    this.groups.put(index, { ...current, ...patch })
    this.record("group", index, changed)
  }

  softDeleteGroup(index: number): void {
    this.groups.put(index, { ...this.groups.get(index), deletedDateTime: new Date(this.now()).toISOString() })
    this.setStateWithMemberships("group", index, SOFT_DELETED)
    this.membershipVersion++
  }

  restoreGroup(index: number): void {
    this.groups.put(index, { ...this.groups.get(index), deletedDateTime: null })
    this.setStateWithMemberships("group", index, LIVE)
    this.membershipVersion++
  }

  /** Adds a member; returns false when it already was one. */
  addMember(groupIndex: number, ref: number): boolean {
    const before = this.groupMembers[groupIndex] ?? EMPTY_REFS
    if (hasRef(before, ref)) return false
    this.groupMembers[groupIndex] = insertRef(before, ref)
    this.membershipChanged(groupIndex, ref)
    return true
  }

  /** Removes a member; returns false when it was not one. */
  removeMember(groupIndex: number, ref: number): boolean {
    const before = this.groupMembers[groupIndex] ?? EMPTY_REFS
    if (!hasRef(before, ref)) return false
    this.groupMembers[groupIndex] = removeRef(before, ref)
    this.membershipChanged(groupIndex, ref)
    return true
  }

  addOwner(list: Uint32Array[], index: number, ref: number): boolean {
    const before = list[index] ?? EMPTY_REFS
    if (hasRef(before, ref)) return false
    list[index] = insertRef(before, ref)
    return true
  }

  removeOwner(list: Uint32Array[], index: number, ref: number): boolean {
    const before = list[index] ?? EMPTY_REFS
    if (!hasRef(before, ref)) return false
    list[index] = removeRef(before, ref)
    return true
  }

  // ---------------------------------------------------------------- roles

  /** Ensures the legacy directoryRole object exists for an assigned role template. */
  activateRole(templateId: string): DirectoryRoleRecord | undefined {
    const existing = this.directoryRoles.find((r) => r.roleTemplateId === templateId)
    if (existing !== undefined) return existing
    const def = this.roleDefinitions.find((d) => d.templateId === templateId && d.isBuiltIn)
    if (def === undefined) return undefined
    const role: DirectoryRoleRecord = {
      id: roleObjectId(templateId, this.organization.id),
      roleTemplateId: templateId,
      displayName: def.displayName,
      description: def.description,
      deletedDateTime: null
    }
    this.directoryRoles.push(role)
    return role
  }

  /** Principals (ids) with an active tenant-wide assignment of the role: the directoryRole's members. */
  directoryRoleMembers(role: DirectoryRoleRecord): string[] {
    const ids = new Set<string>()
    for (const a of this.roleAssignments) {
      if (a.roleDefinitionId === role.roleTemplateId && a.directoryScopeId === "/") ids.add(a.principalId)
    }
    return [...ids]
  }

  /** True when a user holds (actively or eligibly, directly or via a role-assignable group) a privileged role. */
  isPrivilegedTarget(userIndex: number): boolean {
    const id = this.users.id(userIndex)
    const ref = encodeRef("user", userIndex)
    const principals = new Set([id])
    for (const g of this.memberOf(ref)) {
      if (this.groups.get(g).isAssignableToRole === true) return true
      principals.add(this.groups.id(g))
    }
    for (let g = 0; g < this.groupOwners.length; g++) {
      if (hasRef(this.groupOwners[g] ?? EMPTY_REFS, ref) && this.groups.isLive(g) && this.groups.get(g).isAssignableToRole === true) return true
    }
    const holds = (a: { principalId: string; roleDefinitionId: string }) =>
      principals.has(a.principalId) && PRIVILEGED_TARGET_ROLES.has(a.roleDefinitionId)
    return this.roleAssignments.some(holds) || this.roleEligibilitySchedules.some(holds)
  }

  /** True when the service principal holds a role that may act on privileged targets. */
  canActOnPrivileged(servicePrincipalId: string): boolean {
    return this.roleAssignments.some(
      (a) => a.principalId === servicePrincipalId && a.directoryScopeId === "/" && CAN_ACT_ON_PRIVILEGED.has(a.roleDefinitionId)
    )
  }
}

/** Directory role object id for a template in a tenant (distinct from the template id, as in Entra). */
export const roleObjectId = (templateId: string, tenantId: string): string =>
  guidOf(0x726f6c65, stringCode(templateId), stringCode(tenantId))
