import type { Entity, EntityType } from "@idconnect/schemas/Entity"
import type { EntityRelation, RelationMetadata } from "@idconnect/schemas/EntityRelation"

/**
 * Graph objects -> the platform's Entities and EntityRelations. Pure functions: every stream and
 * the ground-truth tests use the same mapping. Entities keep the raw Graph object as metadata
 * (version `graph-v1.0`) plus a few derived signals; relations carry what the relation means
 * (privilege, scope, active/eligible, dates), so the same access read from two endpoints is the
 * same record.
 */

export const SOURCE_SYSTEM = "azure"
export const METADATA_VERSION = "graph-v1.0"

type Raw = Record<string, any>

/** The (entityType, sourceType) of each kind of Graph object the plugin emits. */
export const KINDS = {
  user: { entityType: "identity", sourceType: "user" },
  servicePrincipal: { entityType: "identity", sourceType: "servicePrincipal" },
  device: { entityType: "identity", sourceType: "device" },
  orgContact: { entityType: "identity", sourceType: "orgContact" },
  group: { entityType: "connection", sourceType: "group" },
  directoryRole: { entityType: "connection", sourceType: "directoryRole" },
  appRole: { entityType: "connection", sourceType: "appRole" },
  application: { entityType: "resource", sourceType: "application" },
  enterpriseApplication: { entityType: "resource", sourceType: "enterpriseApplication" },
  administrativeUnit: { entityType: "resource", sourceType: "administrativeUnit" },
  directory: { entityType: "resource", sourceType: "directory" },
  directoryAudit: { entityType: "resource", sourceType: "directoryAudit" },
  signIn: { entityType: "resource", sourceType: "signIn" },
  riskDetection: { entityType: "resource", sourceType: "riskDetection" }
} as const satisfies Record<string, { entityType: EntityType; sourceType: string }>

export type Kind = keyof typeof KINDS

/** The type of an object the fixed kinds do not cover (kept, never dropped). */
export interface KindSpec {
  readonly entityType: EntityType
  readonly sourceType: string
}

/** A reference to one end of a relation. */
export interface Ref {
  readonly kind: Kind | KindSpec
  readonly id: string
}

export const specOf = (kind: Kind | KindSpec): KindSpec => (typeof kind === "string" ? KINDS[kind] : kind)

/** Drops OData annotations that describe the response, not the object. */
const clean = (raw: Raw): Raw => {
  const out: Raw = {}
  for (const [k, v] of Object.entries(raw)) if (k !== "@odata.context" && k !== "@odata.etag") out[k] = v
  return out
}

const nameOf = (...candidates: ReadonlyArray<unknown>): string => {
  for (const c of candidates) if (typeof c === "string" && c.trim() !== "") return c
  return "(unnamed)"
}

export const entity = (kind: Kind, id: string, name: string, metadata: Raw): Entity => ({
  name,
  entityType: KINDS[kind].entityType,
  sourceSystem: SOURCE_SYSTEM,
  sourceId: id,
  sourceType: KINDS[kind].sourceType,
  metadataVersion: METADATA_VERSION,
  metadata
})

export const relation = (parent: Ref, child: Ref, metadata: RelationMetadata): EntityRelation => ({
  parentSourceId: parent.id,
  parentEntityType: specOf(parent.kind).entityType,
  parentSourceType: specOf(parent.kind).sourceType,
  entitySourceId: child.id,
  entityType: specOf(child.kind).entityType,
  entitySourceType: specOf(child.kind).sourceType,
  sourceSystem: SOURCE_SYSTEM,
  metadataVersion: METADATA_VERSION,
  metadata
})

/** Risk signals from Identity Protection, merged into the user's metadata. */
export interface UserRisk {
  readonly riskLevel: string
  readonly riskState: string
  readonly riskDetail: string
  readonly riskLastUpdatedDateTime: string | null
}

/**
 * A user read with `$expand=manager($select=id)`: the expanded manager becomes `managerId` (null
 * when there is none; Graph omits the property in lists and sends null for a single user).
 */
export const userEntity = (raw: Raw, risk?: UserRisk): Entity => {
  const { manager, ...rest } = clean(raw)
  const metadata: Raw = { ...rest, managerId: typeof manager?.id === "string" ? manager.id : null }
  if (risk !== undefined) Object.assign(metadata, risk)
  return entity("user", raw.id, nameOf(raw.displayName, raw.userPrincipalName, raw.id), metadata)
}

export const groupEntity = (raw: Raw): Entity => {
  const metadata = clean(raw)
  delete metadata["members@delta"]
  return entity("group", raw.id, nameOf(raw.displayName, raw.mailNickname, raw.id), metadata)
}

export const tenantEntity = (tenantId: string, raw: Raw | undefined): Entity =>
  entity("directory", tenantId, nameOf(raw?.displayName, tenantId), raw === undefined ? { id: tenantId } : clean(raw))

export const roleDefinitionEntity = (raw: Raw): Entity => entity("directoryRole", raw.id, nameOf(raw.displayName, raw.templateId, raw.id), clean(raw))

export const administrativeUnitEntity = (raw: Raw): Entity => entity("administrativeUnit", raw.id, nameOf(raw.displayName, raw.id), clean(raw))

/** Earliest future expiry and count of expired credentials: what reviewers of app access look at. */
export const credentialSummary = (raw: Raw, now: number): Raw => {
  const creds: Array<Raw> = [...(raw.passwordCredentials ?? []), ...(raw.keyCredentials ?? [])]
  let next: string | null = null
  let expired = 0
  for (const c of creds) {
    const end = typeof c.endDateTime === "string" ? Date.parse(c.endDateTime) : Number.NaN
    if (Number.isNaN(end)) continue
    if (end <= now) expired++
    else if (next === null || end < Date.parse(next)) next = c.endDateTime
  }
  return { credentialCount: creds.length, credentialsExpired: expired, nextCredentialExpiry: next }
}

export const applicationEntity = (raw: Raw, now: number): Entity =>
  entity("application", raw.id, nameOf(raw.displayName, raw.appId, raw.id), { ...clean(raw), ...credentialSummary(raw, now) })

/** A service principal is both a principal (it signs in, holds roles) and an enterprise application (access is to it). */
export const servicePrincipalEntities = (raw: Raw, now: number): ReadonlyArray<Entity> => {
  const metadata = { ...clean(raw), ...credentialSummary(raw, now) }
  const name = nameOf(raw.displayName, raw.appDisplayName, raw.appId, raw.id)
  return [entity("servicePrincipal", raw.id, name, metadata), entity("enterpriseApplication", raw.id, name, metadata)]
}

/** The id of the default-access app role (assignments to an app that defines no roles). */
export const DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000"

export const appRoleId = (servicePrincipalId: string, roleId: string): string => `${servicePrincipalId}/${roleId}`

/** An app role as a connection, and the grant relation saying it gives access to its enterprise app. */
export const appRoleRecords = (sp: Raw, role: Raw): { readonly entity: Entity; readonly grant: EntityRelation } => {
  const id = appRoleId(sp.id, role.id)
  const name = `${nameOf(sp.displayName, sp.appId)}: ${nameOf(role.displayName, role.value, role.id)}`
  return {
    entity: entity("appRole", id, name, { ...clean(role), servicePrincipalId: sp.id, appId: sp.appId ?? null }),
    grant: relation({ kind: "appRole", id }, { kind: "enterpriseApplication", id: sp.id }, {
      privilegeName: "grant",
      privilegeValue: true,
      connectionType: "appRole",
      appRoleValue: role.value ?? null
    })
  }
}

/** The implicit "Default Access" role an assignment with the all-zero role id refers to. */
export const defaultAccessRole = (sp: Raw): Raw => ({
  id: DEFAULT_ACCESS_ROLE,
  displayName: "Default Access",
  value: null,
  description: "Access to the application without a specific app role",
  isEnabled: true,
  origin: "Application",
  allowedMemberTypes: ["User"],
  _servicePrincipalName: sp.displayName ?? null
})

/** `#microsoft.graph.user` -> the kind we map it to, or undefined for types the model does not cover. */
export const kindOfODataType = (odataType: unknown): Kind | undefined => {
  switch (typeof odataType === "string" ? odataType.replace(/^#?microsoft\.graph\./u, "") : "") {
    case "user":
      return "user"
    case "group":
      return "group"
    case "servicePrincipal":
      return "servicePrincipal"
    case "device":
      return "device"
    case "orgContact":
      return "orgContact"
    default:
      return undefined
  }
}

/** `User` | `Group` | `ServicePrincipal` (appRoleAssignment.principalType) -> kind. */
export const kindOfPrincipalType = (principalType: unknown): Kind | undefined =>
  principalType === "User" ? "user" : principalType === "Group" ? "group" : principalType === "ServicePrincipal" ? "servicePrincipal" : undefined

const PRINCIPAL_KIND: Readonly<Record<string, Kind>> = { user: "user", group: "group", servicePrincipal: "servicePrincipal" }

/** The kind to use for a principal of a role assignment or scoped role membership. */
export const principalKind = (kind: Kind | KindSpec | undefined): Kind | undefined =>
  typeof kind === "string" ? PRINCIPAL_KIND[kind] : undefined

export const memberRelation = (member: Ref, groupId: string): EntityRelation =>
  relation(member, { kind: "group", id: groupId }, { privilegeName: "member", privilegeValue: true, connectionType: "group" })

export const ownerRelation = (owner: Ref, target: Ref): EntityRelation =>
  relation(owner, target, { privilegeName: "owner", privilegeValue: true, connectionType: specOf(target.kind).sourceType })

export const administrativeUnitMemberRelation = (member: Ref, auId: string): EntityRelation =>
  relation(member, { kind: "administrativeUnit", id: auId }, { privilegeName: "member", privilegeValue: true, connectionType: "administrativeUnit" })

/** Active or eligible directory role assignment of a principal, at a scope (`/`, `/administrativeUnits/{id}`, `/{appObjectId}`). */
export const roleRelation = (
  principal: Ref,
  roleDefinitionId: string,
  options: {
    readonly scope: string
    readonly kind: "active" | "eligible"
    readonly startDateTime?: string | null
    readonly endDateTime?: string | null
    readonly memberType?: string
  }
): EntityRelation =>
  relation(principal, { kind: "directoryRole", id: roleDefinitionId }, {
    privilegeName: options.kind === "active" ? "roleAssignment" : "roleEligibility",
    privilegeValue: true,
    connectionType: "directoryRole",
    scope: options.scope,
    assignmentKind: options.kind,
    startDateTime: options.startDateTime ?? null,
    endDateTime: options.endDateTime ?? null,
    ...(options.memberType === undefined ? {} : { memberType: options.memberType })
  })

/** Where a role scope points: the tenant, an administrative unit, or an app registration. */
export const scopeTarget = (tenantId: string, scope: string): Ref => {
  const au = /^\/administrativeUnits\/([^/]+)$/u.exec(scope)?.[1]
  if (au !== undefined) return { kind: "administrativeUnit", id: au }
  const app = /^\/([^/]+)$/u.exec(scope)?.[1]
  if (app !== undefined) return { kind: "application", id: app }
  return { kind: "directory", id: tenantId }
}

/** A directory role grants access over its scope. */
export const roleGrantRelation = (roleDefinitionId: string, tenantId: string, scope: string): EntityRelation =>
  relation({ kind: "directoryRole", id: roleDefinitionId }, scopeTarget(tenantId, scope), {
    privilegeName: "grant",
    privilegeValue: true,
    connectionType: "directoryRole",
    scope
  })

export const appRoleAssignmentRelation = (principal: Ref, resourceId: string, roleId: string, raw: Raw): EntityRelation =>
  relation(principal, { kind: "appRole", id: appRoleId(resourceId, roleId) }, {
    privilegeName: "appRoleAssignment",
    privilegeValue: true,
    connectionType: "appRole",
    assignmentId: raw.id ?? null,
    createdDateTime: raw.createdDateTime ?? null
  })

/**
 * A delegated permission grant: the client app may act on the resource app with these scopes,
 * for all users (`scope` "/") or for one user (`/users/{id}`).
 */
export const delegatedGrantRelation = (raw: Raw): EntityRelation =>
  relation({ kind: "servicePrincipal", id: raw.clientId }, { kind: "enterpriseApplication", id: raw.resourceId }, {
    privilegeName: "oauth2PermissionGrant",
    privilegeValue: true,
    connectionType: "oauth2PermissionGrant",
    scope: raw.consentType === "Principal" && typeof raw.principalId === "string" ? `/users/${raw.principalId}` : "/",
    consentType: raw.consentType ?? null,
    permissionScopes: typeof raw.scope === "string" ? raw.scope.split(" ").filter((s: string) => s !== "") : [],
    grantId: raw.id ?? null
  })

/** Audit, sign-in and risk events: evidence kept for reviews, keyed by the event id. */
export const eventEntity = (kind: "directoryAudit" | "signIn" | "riskDetection", raw: Raw): Entity =>
  entity(kind, raw.id, nameOf(raw.activityDisplayName, raw.appDisplayName, raw.riskEventType, raw.id), clean(raw))
