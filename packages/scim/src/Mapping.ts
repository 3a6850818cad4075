import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import { ENTERPRISE_USER_SCHEMA } from "./Discovery.ts"
import { asArray, asBoolean, asNonBlank, getCi, getPath, isRecord, resourceId, type JsonRecord } from "./Envelope.ts"

/** Who the data is attributed to: the plugin's source system and, optionally, an app name. */
export interface MappingContext {
  readonly sourceSystem: string
  readonly app?: string | undefined
}

export const METADATA_VERSION = "scim/1"

const compact = (o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v
  return out
}

const appOf = (ctx: MappingContext) => (ctx.app === undefined ? {} : { app: ctx.app })

/** The enterprise extension (RFC 7643 §4.3) of a user, found case-insensitively. */
const enterprise = (user: JsonRecord): unknown => getCi(user, ENTERPRISE_USER_SCHEMA)

/** The manager's id: an object `{ value }` per the RFC, or a bare string as Entra's samples send it. */
export const managerIdOf = (user: JsonRecord): string | undefined => {
  const manager = getCi(enterprise(user), "manager")
  return isRecord(manager) ? asNonBlank(getCi(manager, "value")) : asNonBlank(manager)
}

/**
 * A SCIM User as an `identity/user` entity. Metadata keeps what reviewers act on: userName,
 * active (string booleans normalised), names, e-mails, title/userType and the enterprise
 * extension (employeeNumber, department, costCenter, organization, division, manager).
 */
export const userToEntity = (user: JsonRecord, ctx: MappingContext): Entity | undefined => {
  const id = resourceId(user)
  if (id === undefined) return undefined
  const userName = asNonBlank(getCi(user, "userName"))
  const givenName = asNonBlank(getPath(user, "name.givenName"))
  const familyName = asNonBlank(getPath(user, "name.familyName"))
  const formatted = asNonBlank(getPath(user, "name.formatted"))
  const displayName = asNonBlank(getCi(user, "displayName"))
  const emails = asArray(getCi(user, "emails"))
    .filter(isRecord)
    .map((e) => compact({ value: asNonBlank(getCi(e, "value")), type: asNonBlank(getCi(e, "type")), primary: asBoolean(getCi(e, "primary")) }))
    .filter((e) => e.value !== undefined)
  const email = (emails.find((e) => e.primary === true) ?? emails[0])?.value
  const ext = enterprise(user)
  const manager = getCi(ext, "manager")
  const joinedName = [givenName, familyName].filter((p) => p !== undefined).join(" ")
  const metadata = compact({
    userName,
    externalId: asNonBlank(getCi(user, "externalId")),
    active: asBoolean(getCi(user, "active")),
    displayName,
    givenName,
    familyName,
    formattedName: formatted,
    nickName: asNonBlank(getCi(user, "nickName")),
    title: asNonBlank(getCi(user, "title")),
    userType: asNonBlank(getCi(user, "userType")),
    preferredLanguage: asNonBlank(getCi(user, "preferredLanguage")),
    locale: asNonBlank(getCi(user, "locale")),
    timezone: asNonBlank(getCi(user, "timezone")),
    email,
    emails,
    employeeNumber: asNonBlank(getCi(ext, "employeeNumber")),
    costCenter: asNonBlank(getCi(ext, "costCenter")),
    organization: asNonBlank(getCi(ext, "organization")),
    division: asNonBlank(getCi(ext, "division")),
    department: asNonBlank(getCi(ext, "department")),
    manager: managerIdOf(user),
    managerDisplayName: isRecord(manager) ? asNonBlank(getCi(manager, "displayName")) : undefined,
    created: asNonBlank(getPath(user, "meta.created")),
    lastModified: asNonBlank(getPath(user, "meta.lastModified"))
  })
  return {
    ...appOf(ctx),
    name: displayName ?? formatted ?? (joinedName === "" ? undefined : joinedName) ?? userName ?? id,
    entityType: "identity",
    sourceSystem: ctx.sourceSystem,
    sourceId: id,
    sourceType: "user",
    metadataVersion: METADATA_VERSION,
    metadata
  }
}

/** A SCIM Group as a `connection/group` entity. */
export const groupToEntity = (group: JsonRecord, ctx: MappingContext): Entity | undefined => {
  const id = resourceId(group)
  if (id === undefined) return undefined
  const displayName = asNonBlank(getCi(group, "displayName"))
  return {
    ...appOf(ctx),
    name: displayName ?? id,
    entityType: "connection",
    sourceSystem: ctx.sourceSystem,
    sourceId: id,
    sourceType: "group",
    metadataVersion: METADATA_VERSION,
    metadata: compact({
      displayName,
      externalId: asNonBlank(getCi(group, "externalId")),
      created: asNonBlank(getPath(group, "meta.created")),
      lastModified: asNonBlank(getPath(group, "meta.lastModified"))
    })
  }
}

export type MemberKind = "user" | "group"

/** A `members[]` entry: its id and whether it is a user or a nested group (`type`, else `$ref`). */
export const readMember = (member: unknown): { readonly id: string; readonly kind: MemberKind } | undefined => {
  const id = asNonBlank(getCi(member, "value"))
  if (id === undefined) return undefined
  const type = asNonBlank(getCi(member, "type"))?.toLowerCase()
  const ref = asNonBlank(getCi(member, "$ref")) ?? ""
  return { id, kind: type === "group" || (type === undefined && /\/groups\//iu.test(ref)) ? "group" : "user" }
}

/** "Member holds group": a user (or nested group) is a member of a group. */
export const memberRelation = (memberId: string, kind: MemberKind, groupId: string, ctx: MappingContext): EntityRelation => ({
  ...appOf(ctx),
  parentSourceId: memberId,
  parentEntityType: kind === "user" ? "identity" : "connection",
  parentSourceType: kind,
  entitySourceId: groupId,
  entityType: "connection",
  entitySourceType: "group",
  sourceSystem: ctx.sourceSystem,
  metadataVersion: METADATA_VERSION,
  metadata: { privilegeName: "member", privilegeValue: true, connectionType: "group" }
})

/** "Manager holds report": optional, from the enterprise extension's `manager`. */
export const managerRelation = (managerId: string, userId: string, ctx: MappingContext): EntityRelation => ({
  ...appOf(ctx),
  parentSourceId: managerId,
  parentEntityType: "identity",
  parentSourceType: "user",
  entitySourceId: userId,
  entityType: "identity",
  entitySourceType: "user",
  sourceSystem: ctx.sourceSystem,
  metadataVersion: METADATA_VERSION,
  metadata: { privilegeName: "manager", privilegeValue: true, connectionType: "manager" }
})
