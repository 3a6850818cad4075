import type { GroundTruth } from "@idconnect/graph-sim/GraphSim"
import { type Entity, entityKey } from "@idconnect/schemas/Entity"
import { type EntityRelation, relationKey } from "@idconnect/schemas/EntityRelation"
import {
  administrativeUnitEntity,
  administrativeUnitMemberRelation,
  appRoleAssignmentRelation,
  appRoleRecords,
  applicationEntity,
  DEFAULT_ACCESS_ROLE,
  defaultAccessRole,
  delegatedGrantRelation,
  entity,
  groupEntity,
  type Kind,
  memberRelation,
  ownerRelation,
  roleDefinitionEntity,
  roleGrantRelation,
  roleRelation,
  servicePrincipalEntities,
  tenantEntity,
  userEntity
} from "../../src/Mapping.ts"
import { AU_SELECT } from "../../src/streams/AdministrativeUnits.ts"
import { APPLICATION_SELECT } from "../../src/streams/Applications.ts"
import { CONTACT_SELECT, DEVICE_SELECT } from "../../src/streams/Devices.ts"
import { ORGANIZATION_SELECT } from "../../src/streams/Directory.ts"
import { ROLE_DEFINITION_SELECT } from "../../src/streams/DirectoryRoles.ts"
import { GROUP_SELECT } from "../../src/streams/Groups.ts"
import { GRANT_SELECT } from "../../src/streams/OAuth2Grants.ts"
import { SERVICE_PRINCIPAL_SELECT } from "../../src/streams/ServicePrincipals.ts"
import { USER_PROPERTIES } from "../../src/streams/Users.ts"

type Raw = Record<string, any>

/** What Graph returns for `$select`: exactly those properties, null when unset. */
export const pick = (full: Raw, select: string | ReadonlyArray<string>): Raw => {
  const out: Raw = {}
  for (const p of typeof select === "string" ? select.split(",") : select) out[p] = full[p] ?? null
  return out
}

export interface Snapshot {
  readonly entities: Map<string, Entity>
  readonly relations: Map<string, EntityRelation>
}

export interface ExpectOptions {
  readonly tenantId: string
  /** P2 gives sign-in activity, risk and PIM; P1 sign-in activity only. */
  readonly license: "none" | "P1" | "P2"
  readonly now: number
}

const KIND_OF_TYPE: Readonly<Record<string, Kind>> = {
  user: "user",
  group: "group",
  servicePrincipal: "servicePrincipal",
  device: "device",
  orgContact: "orgContact"
}

/**
 * The snapshot a full extraction of the tenant must produce, computed from the simulator's own
 * data (ground truth) with the plugin's mapping functions: what is read is independent of how
 * (paging, fan-out, batching, resume), so equality proves nothing was lost, added or garbled.
 * Log windows are off (auditLogDays 0) for this comparison.
 */
export const expectedSnapshot = (truth: GroundTruth, options: ExpectOptions): Snapshot => {
  const entities = new Map<string, Entity>()
  const relations = new Map<string, EntityRelation>()
  const addE = (e: Entity) => entities.set(entityKey(e), e)
  const addR = (r: EntityRelation) => relations.set(relationKey(r), r)
  const premium = options.license !== "none"
  const p2 = options.license === "P2"

  addE(tenantEntity(options.tenantId, pick(truth.organization(), ORGANIZATION_SELECT)))

  const risks = new Map(p2 ? truth.riskyUsers().map((r) => [r.id, r] as const) : [])
  const userSelect = [...USER_PROPERTIES, "employeeLeaveDateTime", ...(premium ? ["signInActivity"] : [])]
  for (const u of truth.users()) {
    const raw: Raw = pick(u, userSelect)
    if (u.managerId !== null && truth.user(u.managerId) !== undefined) raw.manager = { "@odata.type": "#microsoft.graph.user", id: u.managerId }
    const r = risks.get(u.id)
    addE(userEntity(raw, r === undefined ? undefined : { riskLevel: r.riskLevel, riskState: r.riskState, riskDetail: r.riskDetail, riskLastUpdatedDateTime: r.riskLastUpdatedDateTime }))
  }
  for (const d of truth.devices()) addE(entity("device", d.id, d.displayName, pick(d, DEVICE_SELECT)))
  for (const c of truth.orgContacts()) addE(entity("orgContact", c.id, c.displayName, pick(c, CONTACT_SELECT)))

  for (const g of truth.groups()) {
    addE(groupEntity(pick(g, GROUP_SELECT)))
    for (const m of truth.members(g.id)) addR(memberRelation({ kind: KIND_OF_TYPE[m.type]!, id: m.id }, g.id))
  }
  for (const o of truth.ownerships()) {
    const parent = truth.kindOf(o.parentId)
    const target: Kind = parent === "group" ? "group" : parent === "application" ? "application" : "enterpriseApplication"
    addR(ownerRelation({ kind: KIND_OF_TYPE[o.memberType]!, id: o.memberId }, { kind: target, id: o.parentId }))
  }

  for (const au of truth.administrativeUnits()) {
    const scoped = truth.scopedRoleMembers(au.id)
    const templates = new Map(truth.directoryRoles().map((r) => [r.id, r.roleTemplateId] as const))
    addE(
      administrativeUnitEntity({
        ...pick(au, AU_SELECT),
        scopedRoleMembers: scoped.map((s) => ({ principalId: s.roleMemberInfo.id, roleDefinitionId: templates.get(s.roleId) ?? null }))
      })
    )
    for (const m of truth.administrativeUnitMembers(au.id)) addR(administrativeUnitMemberRelation({ kind: KIND_OF_TYPE[m.type]!, id: m.id }, au.id))
  }

  const live = new Map<string, Kind>()
  for (const u of truth.users()) live.set(u.id, "user")
  for (const g of truth.groups()) live.set(g.id, "group")
  for (const s of truth.servicePrincipals()) live.set(s.id, "servicePrincipal")
  const scopeGrant = (roleId: string, scope: string) => {
    if (scope !== "/") addR(roleGrantRelation(roleId, options.tenantId, scope))
  }
  for (const d of truth.roleDefinitions()) {
    addE(roleDefinitionEntity(pick(d, ROLE_DEFINITION_SELECT)))
    addR(roleGrantRelation(d.id, options.tenantId, "/"))
  }
  for (const a of truth.roleAssignments()) {
    const kind = live.get(a.principalId)
    if (kind === undefined) continue
    addR(
      roleRelation({ kind, id: a.principalId }, a.roleDefinitionId, {
        scope: a.directoryScopeId,
        kind: "active",
        startDateTime: p2 ? a.createdDateTime : null,
        endDateTime: null,
        ...(p2 ? { memberType: "Direct" } : {})
      })
    )
    scopeGrant(a.roleDefinitionId, a.directoryScopeId)
  }
  if (p2) {
    for (const e of truth.roleEligibilitySchedules()) {
      const kind = live.get(e.principalId)
      if (kind === undefined) continue
      addR(
        roleRelation({ kind, id: e.principalId }, e.roleDefinitionId, {
          scope: e.directoryScopeId,
          kind: "eligible",
          startDateTime: e.scheduleInfo.startDateTime,
          endDateTime: e.scheduleInfo.expiration.endDateTime,
          memberType: e.memberType
        })
      )
      scopeGrant(e.roleDefinitionId, e.directoryScopeId)
    }
  }

  for (const app of truth.applications()) addE(applicationEntity(pick(app, APPLICATION_SELECT), options.now))
  const sps = new Map<string, Raw>()
  for (const s of truth.servicePrincipals()) {
    const sp = pick(s, SERVICE_PRINCIPAL_SELECT)
    sps.set(sp.id, sp)
    for (const e of servicePrincipalEntities(sp, options.now)) addE(e)
    for (const role of sp.appRoles) {
      const { entity: e, grant } = appRoleRecords(sp, role)
      addE(e)
      addR(grant)
    }
  }
  for (const a of truth.appRoleAssignments()) {
    const sp = sps.get(a.resourceId)
    if (sp === undefined || !live.has(a.principalId)) continue
    if (!sp.appRoles.some((r: Raw) => r.id === a.appRoleId)) {
      const { entity: e, grant } = appRoleRecords(sp, a.appRoleId === DEFAULT_ACCESS_ROLE ? defaultAccessRole(sp) : { id: a.appRoleId, displayName: "Unknown app role", value: null, isEnabled: false, description: "The app no longer defines this role" })
      addE(e)
      addR(grant)
    }
    const kind: Kind = a.principalType === "User" ? "user" : a.principalType === "Group" ? "group" : "servicePrincipal"
    addR(appRoleAssignmentRelation({ kind, id: a.principalId }, a.resourceId, a.appRoleId, a))
  }
  for (const g of truth.oauth2PermissionGrants()) addR(delegatedGrantRelation(pick(g, GRANT_SELECT)))
  return { entities, relations }
}

/** Differences between two snapshots, as short readable lines (empty = equal). */
export const diffSnapshots = (actual: Snapshot, expected: Snapshot, max = 8): ReadonlyArray<string> => {
  const out: Array<string> = []
  const show = (k: string) => k.split("\u0000").filter((p) => p !== "").join("/")
  const stable = (v: unknown) => JSON.stringify(v, (_k, x) => (x !== null && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x))
  for (const [what, a, e] of [["entity", actual.entities, expected.entities], ["relation", actual.relations, expected.relations]] as const) {
    const missing = [...e.keys()].filter((k) => !a.has(k))
    const extra = [...a.keys()].filter((k) => !e.has(k))
    const changed = [...e.keys()].filter((k) => a.has(k) && stable(a.get(k)) !== stable(e.get(k)))
    if (missing.length > 0) out.push(`${missing.length} ${what}s missing, e.g. ${missing.slice(0, max).map(show).join(", ")}`)
    if (extra.length > 0) out.push(`${extra.length} unexpected ${what}s, e.g. ${extra.slice(0, max).map(show).join(", ")}`)
    for (const k of changed.slice(0, max)) out.push(`${what} ${show(k)} differs:\n  got      ${stable(a.get(k))}\n  expected ${stable(e.get(k))}`)
    if (changed.length > max) out.push(`... ${changed.length - max} more ${what}s differ`)
  }
  return out
}
