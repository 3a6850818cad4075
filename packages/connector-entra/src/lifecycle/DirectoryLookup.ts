import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type AccessTokenInfo, GraphClient, type GraphPage } from "../GraphClient.ts"
import { GLOBAL_ADMINISTRATOR, PRIVILEGED_AUTHENTICATION_ADMINISTRATOR } from "../Permissions.ts"
import { isGranted, type Requirement } from "./Requirements.ts"

type Raw = Record<string, any>

/** The kinds of directory object lifecycle operations point at. */
export type ObjectKind = "user" | "group" | "servicePrincipal" | "device" | "orgContact"

/** A resolved reference: what it is, its id, and a name a human recognises. */
export interface DirectoryObject {
  readonly id: string
  readonly kind: ObjectKind
  readonly label: string
  readonly raw: Raw
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu
export const isGuid = (s: string): boolean => GUID.test(s)

/** An OData string literal (single quotes doubled), URL-encoded inside a `$filter`. */
export const odataString = (s: string): string => `'${s.replace(/'/gu, "''")}'`
const filter = (expression: string): string => `$filter=${encodeURIComponent(expression)}`

/**
 * Roles whose holders Microsoft treats as privileged targets ("Who can perform sensitive actions"):
 * an app may disable, delete or change sensitive attributes of such users only when its own service
 * principal holds Privileged Authentication Administrator or Global Administrator. Role definitions
 * marked `isPrivileged` are added to this list at run time.
 */
export const SENSITIVE_TARGET_ROLES: ReadonlySet<string> = new Set([
  GLOBAL_ADMINISTRATOR,
  "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
  "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
  "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
  "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", // Hybrid Identity Administrator
  "3a2c62db-5318-420d-8d74-23affee5d9d5", // Intune Administrator
  "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
  "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
  "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
  "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
  "9360feb5-f418-4baa-8175-e2a00bac4301" // Directory Writers
])

const USER_SELECT = "id,userPrincipalName,displayName,accountEnabled,onPremisesSyncEnabled,userType,signInSessionsValidFromDateTime"
const GROUP_SELECT = "id,displayName,mailNickname,groupTypes,securityEnabled,mailEnabled,isAssignableToRole,onPremisesSyncEnabled,membershipRule,visibility"
const SP_SELECT = "id,appId,displayName,appRoles,servicePrincipalType"

const KIND_OF_TYPE: Readonly<Record<string, ObjectKind>> = {
  "#microsoft.graph.user": "user",
  "#microsoft.graph.group": "group",
  "#microsoft.graph.servicePrincipal": "servicePrincipal",
  "#microsoft.graph.device": "device",
  "#microsoft.graph.orgContact": "orgContact"
}

/** The container paths whose members lifecycle changes. */
export const CONTAINER_PATH = {
  group: (id: string) => `/groups/${encodeURIComponent(id)}`,
  administrativeUnit: (id: string) => `/directory/administrativeUnits/${encodeURIComponent(id)}`
} as const

const labelOf = (kind: ObjectKind, raw: Raw): string =>
  kind === "user" ? String(raw.userPrincipalName ?? raw.displayName ?? raw.id) : String(raw.displayName ?? raw.id)

const ambiguous = (field: string, what: string, ref: string, candidates: ReadonlyArray<Raw>) =>
  ConnectorErrors.invalidInput({
    field,
    message: `${field}: ${candidates.length} ${what}s are named '${ref}' (${candidates
      .slice(0, 5)
      .map((c) => c.id)
      .join(", ")}); use the object id`
  })

/**
 * Reads what lifecycle plans need from Graph: references resolved to objects (by id, UPN or display
 * name), memberships, owners, and who is privileged. It holds the few facts that do not change
 * during one plan or apply (the token, the role definitions, the app's own admin role); everything
 * else is read fresh each time, because apply re-plans every operation right before writing.
 *
 * References: users by object id or userPrincipalName; groups, administrative units and service
 * principals by object id or display name (service principals also by appId); directory roles by
 * id, template id or display name. A name that matches several objects is an error asking for the id.
 *
 * @category services
 */
export class DirectoryLookup extends Context.Service<
  DirectoryLookup,
  {
    /** `https://graph.microsoft.com/v1.0/` (or the configured cloud's): for `@odata.id` bodies and shown calls. */
    readonly graphRoot: string
    readonly token: () => Effect.Effect<AccessTokenInfo, ConnectorError>
    /** Every item of a collection, following nextLinks. */
    readonly list: (path: string) => Effect.Effect<ReadonlyArray<Raw>, ConnectorError>
    readonly granted: (r: Requirement) => Effect.Effect<boolean, ConnectorError>
    /** A live user, or undefined. `select` adds properties to the default ones. */
    readonly user: (ref: string, select?: ReadonlyArray<string>) => Effect.Effect<Raw | undefined, ConnectorError>
    /** A soft-deleted user (restorable for 30 days), or undefined. */
    readonly deletedUser: (ref: string) => Effect.Effect<Raw | undefined, ConnectorError>
    readonly group: (ref: string, field: string) => Effect.Effect<Raw | undefined, ConnectorError>
    readonly groupByNickname: (mailNickname: string) => Effect.Effect<Raw | undefined, ConnectorError>
    /** A service principal (enterprise app); `appRole` narrows a display name shared by several apps. */
    readonly servicePrincipal: (ref: string, field: string, appRole?: string) => Effect.Effect<Raw | undefined, ConnectorError>
    readonly roleDefinition: (ref: string, field: string) => Effect.Effect<Raw | undefined, ConnectorError>
    readonly administrativeUnit: (ref: string, field: string) => Effect.Effect<Raw | undefined, ConnectorError>
    readonly application: (ref: string, field: string) => Effect.Effect<Raw | undefined, ConnectorError>
    /** Any directory object: an id, a UPN (user), else a display name of `kind` (default: group). */
    readonly object: (ref: string, field: string, kind?: ObjectKind) => Effect.Effect<DirectoryObject | undefined, ConnectorError>
    /** Whether `memberId` is a direct member of the group or administrative unit at `containerPath`. */
    readonly isMember: (containerPath: string, member: DirectoryObject) => Effect.Effect<boolean, ConnectorError>
    /** The groups `member` is a direct member of. */
    readonly memberGroups: (member: DirectoryObject) => Effect.Effect<ReadonlyArray<Raw>, ConnectorError>
    readonly owners: (groupId: string) => Effect.Effect<ReadonlyArray<string>, ConnectorError>
    /** Whether the app's own service principal holds Privileged Authentication Administrator (or Global Administrator). */
    readonly appIsPrivilegedAdmin: () => Effect.Effect<boolean, ConnectorError>
    /** Why a user is a privileged target (roles, eligibilities, role-assignable groups); empty when not. */
    readonly privilegedReasons: (userId: string) => Effect.Effect<ReadonlyArray<string>, ConnectorError>
  }
>()("idconnect/connector-entra/DirectoryLookup") {
  static readonly make = Effect.gen(function* () {
    const graph = yield* GraphClient
    const graphRoot = graph.endpoints.graphRoot

    const orUndefined = <A>(effect: Effect.Effect<A, ConnectorError>): Effect.Effect<A | undefined, ConnectorError> =>
      effect.pipe(Effect.catchIf((e: ConnectorError) => e.code === "NotFound", () => Effect.succeed(undefined)))

    /** Every item of a collection, following nextLinks. */
    const all = (path: string): Effect.Effect<ReadonlyArray<Raw>, ConnectorError> =>
      Effect.gen(function* () {
        const out: Array<Raw> = []
        let url: string | undefined = path
        while (url !== undefined) {
          const page: GraphPage = yield* graph.page(url)
          out.push(...page.items)
          url = page.nextLink
        }
        return out
      })

    /** Whether any item of a collection matches, stopping at the first page that has one. */
    const any = (path: string, predicate: (item: Raw) => boolean): Effect.Effect<boolean, ConnectorError> =>
      Effect.gen(function* () {
        let url: string | undefined = path
        while (url !== undefined) {
          const page: GraphPage = yield* graph.page(url)
          if (page.items.some(predicate)) return true
          url = page.nextLink
        }
        return false
      })

    let tokenInfo: AccessTokenInfo | undefined
    const token = () =>
      tokenInfo !== undefined
        ? Effect.succeed(tokenInfo)
        : graph.accessToken().pipe(Effect.tap((t) => Effect.sync(() => (tokenInfo = t))))

    const granted = (r: Requirement) => token().pipe(Effect.map((t) => isGranted(new Set(t.roles), r)))

    const user = Effect.fn("DirectoryLookup.user")(function* (ref: string, select: ReadonlyArray<string> = []) {
      const props = [...new Set([...USER_SELECT.split(","), ...select])].join(",")
      return yield* orUndefined(graph.get(`/users/${encodeURIComponent(ref)}?$select=${props}`))
    })

    const deletedUser = Effect.fn("DirectoryLookup.deletedUser")(function* (ref: string) {
      if (isGuid(ref)) {
        const found = yield* orUndefined(graph.get(`/directory/deletedItems/${ref}`))
        return found?.["@odata.type"] === undefined || found["@odata.type"] === "#microsoft.graph.user" ? found : undefined
      }
      // Entra prefixes a deleted user's UPN with its object id (no dashes); match either form.
      const wanted = ref.toLowerCase()
      const deleted = yield* all("/directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName,displayName,deletedDateTime&$top=999")
      return deleted.find((u) => {
        const upn = String(u.userPrincipalName ?? "").toLowerCase()
        return upn === wanted || upn === `${String(u.id).replace(/-/gu, "").toLowerCase()}${wanted}`
      })
    })

    const unique = (field: string, what: string, ref: string, candidates: ReadonlyArray<Raw>) =>
      candidates.length > 1 ? Effect.fail(ambiguous(field, what, ref, candidates)) : Effect.succeed(candidates[0])

    const group = Effect.fn("DirectoryLookup.group")(function* (ref: string, field: string) {
      if (isGuid(ref)) return yield* orUndefined(graph.get(`/groups/${ref}?$select=${GROUP_SELECT}`))
      const byName = (yield* graph.get(`/groups?${filter(`displayName eq ${odataString(ref)}`)}&$select=${GROUP_SELECT}`)).value as Array<Raw>
      if (byName.length > 0) return yield* unique(field, "group", ref, byName)
      return yield* groupByNickname(ref)
    })

    const groupByNickname = Effect.fn("DirectoryLookup.groupByNickname")(function* (mailNickname: string) {
      const found = (yield* graph.get(`/groups?${filter(`mailNickname eq ${odataString(mailNickname)}`)}&$select=${GROUP_SELECT}`)).value as Array<Raw>
      return yield* unique("mailNickname", "group", mailNickname, found)
    })

    const hasRole = (sp: Raw, appRole: string) =>
      Array.isArray(sp.appRoles) && sp.appRoles.some((r: Raw) => [r.id, r.value, r.displayName].some((v) => typeof v === "string" && v.toLowerCase() === appRole.toLowerCase()))

    const servicePrincipal = Effect.fn("DirectoryLookup.servicePrincipal")(function* (ref: string, field: string, appRole?: string) {
      if (isGuid(ref)) {
        const byId = yield* orUndefined(graph.get(`/servicePrincipals/${ref}?$select=${SP_SELECT}`))
        if (byId !== undefined) return byId
        const byAppId = (yield* graph.get(`/servicePrincipals?${filter(`appId eq ${odataString(ref)}`)}&$select=${SP_SELECT}`)).value as Array<Raw>
        return byAppId[0]
      }
      let found = (yield* graph.get(`/servicePrincipals?${filter(`displayName eq ${odataString(ref)}`)}&$select=${SP_SELECT}`)).value as Array<Raw>
      if (found.length > 1 && appRole !== undefined && appRole !== "*") {
        const narrowed = found.filter((sp) => hasRole(sp, appRole))
        if (narrowed.length > 0) found = narrowed
      }
      return yield* unique(field, "service principal", ref, found)
    })

    let roleDefinitions: ReadonlyArray<Raw> | undefined
    const definitions = () =>
      roleDefinitions !== undefined
        ? Effect.succeed(roleDefinitions)
        : all("/roleManagement/directory/roleDefinitions?$select=id,templateId,displayName,isPrivileged,isBuiltIn").pipe(
          Effect.tap((d) => Effect.sync(() => (roleDefinitions = d)))
        )

    const roleDefinition = Effect.fn("DirectoryLookup.roleDefinition")(function* (ref: string, field: string) {
      const defs = yield* definitions()
      const wanted = ref.toLowerCase()
      const found = defs.filter((d) =>
        isGuid(ref) ? String(d.id).toLowerCase() === wanted || String(d.templateId ?? "").toLowerCase() === wanted : String(d.displayName ?? "").toLowerCase() === wanted
      )
      return yield* unique(field, "directory role", ref, found)
    })

    const administrativeUnit = Effect.fn("DirectoryLookup.administrativeUnit")(function* (ref: string, field: string) {
      if (isGuid(ref)) return yield* orUndefined(graph.get(`/directory/administrativeUnits/${ref}?$select=id,displayName`))
      const units = yield* all("/directory/administrativeUnits?$select=id,displayName&$top=999")
      return yield* unique(field, "administrative unit", ref, units.filter((u) => String(u.displayName ?? "").toLowerCase() === ref.toLowerCase()))
    })

    const application = Effect.fn("DirectoryLookup.application")(function* (ref: string, field: string) {
      if (isGuid(ref)) {
        const byId = yield* orUndefined(graph.get(`/applications/${ref}?$select=id,appId,displayName`))
        if (byId !== undefined) return byId
        return ((yield* graph.get(`/applications?${filter(`appId eq ${odataString(ref)}`)}&$select=id,appId,displayName`)).value as Array<Raw>)[0]
      }
      const found = (yield* graph.get(`/applications?${filter(`displayName eq ${odataString(ref)}`)}&$select=id,appId,displayName`)).value as Array<Raw>
      return yield* unique(field, "application", ref, found)
    })

    const object = Effect.fn("DirectoryLookup.object")(function* (ref: string, field: string, kind?: ObjectKind) {
      const as = (k: ObjectKind, raw: Raw | undefined): DirectoryObject | undefined =>
        raw === undefined ? undefined : { id: String(raw.id), kind: k, label: labelOf(k, raw), raw }
      if (isGuid(ref) && kind === undefined) {
        const raw = yield* orUndefined(graph.get(`/directoryObjects/${ref}`))
        const k = raw === undefined ? undefined : KIND_OF_TYPE[String(raw["@odata.type"] ?? "")]
        return k === undefined ? undefined : as(k, raw)
      }
      const k: ObjectKind = kind ?? (ref.includes("@") ? "user" : "group")
      switch (k) {
        case "user":
          return as("user", yield* user(ref))
        case "group":
          return as("group", yield* group(ref, field))
        case "servicePrincipal":
          return as("servicePrincipal", yield* servicePrincipal(ref, field))
        case "device":
        case "orgContact": {
          const collection = k === "device" ? "devices" : "contacts"
          if (isGuid(ref)) return as(k, yield* orUndefined(graph.get(`/${collection}/${ref}`)))
          const found = (yield* graph.get(`/${collection}?${filter(`displayName eq ${odataString(ref)}`)}`)).value as Array<Raw>
          return as(k, yield* unique(field, k, ref, found))
        }
      }
    })

    const isMember = Effect.fn("DirectoryLookup.isMember")(function* (containerPath: string, member: DirectoryObject) {
      const containerId = decodeURIComponent(containerPath.split("/").pop() ?? "")
      // A user's own memberships are a short list; a group's members may be a very long one.
      if (member.kind === "user") {
        return yield* any(`/users/${member.id}/memberOf?$select=id&$top=999`, (m) => String(m.id).toLowerCase() === containerId.toLowerCase())
      }
      return yield* any(`${containerPath}/members?$select=id&$top=999`, (m) => String(m.id).toLowerCase() === member.id.toLowerCase())
    })

    const memberGroups = Effect.fn("DirectoryLookup.memberGroups")(function* (member: DirectoryObject) {
      if (member.kind === "user") return yield* all(`/users/${member.id}/memberOf/microsoft.graph.group?$select=${GROUP_SELECT}&$top=999`)
      // Other objects: the ids of the groups they are in, then each group's properties.
      const base = member.kind === "group" ? "groups" : member.kind === "servicePrincipal" ? "servicePrincipals" : member.kind === "device" ? "devices" : "contacts"
      const refs = yield* all(`/${base}/${member.id}/memberOf?$select=id&$top=999`)
      const out: Array<Raw> = []
      for (const r of refs.filter((x) => x["@odata.type"] === "#microsoft.graph.group")) {
        const g = yield* orUndefined(graph.get(`/groups/${r.id}?$select=${GROUP_SELECT}`))
        if (g !== undefined) out.push(g)
      }
      return out
    })

    const owners = Effect.fn("DirectoryLookup.owners")(function* (groupId: string) {
      return (yield* all(`/groups/${groupId}/owners?$select=id&$top=999`)).map((o) => String(o.id).toLowerCase())
    })

    let appPrivileged: boolean | undefined
    const appIsPrivilegedAdmin = () =>
      Effect.gen(function* () {
        if (appPrivileged !== undefined) return appPrivileged
        const sp = (yield* token()).servicePrincipalId
        if (sp === undefined) return (appPrivileged = false)
        const assignments = yield* all(`/roleManagement/directory/roleAssignments?${filter(`principalId eq ${odataString(sp)}`)}&$select=id,roleDefinitionId,directoryScopeId`)
        appPrivileged = assignments.some(
          (a) => (a.roleDefinitionId === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR || a.roleDefinitionId === GLOBAL_ADMINISTRATOR) && (a.directoryScopeId ?? "/") === "/"
        )
        return appPrivileged
      })

    const privilegedRoleNames = () =>
      definitions().pipe(
        Effect.catchIf((e: ConnectorError) => e.code === "PermissionMissing", () => Effect.succeed<ReadonlyArray<Raw>>([])),
        Effect.map((defs) => {
          const names = new Map<string, string>()
          for (const d of defs) {
            if (d.isPrivileged === true || SENSITIVE_TARGET_ROLES.has(d.id) || SENSITIVE_TARGET_ROLES.has(d.templateId)) {
              names.set(String(d.id), String(d.displayName))
              if (typeof d.templateId === "string") names.set(d.templateId, String(d.displayName))
            }
          }
          for (const id of SENSITIVE_TARGET_ROLES) if (!names.has(id)) names.set(id, id)
          return names
        })
      )

    const privilegedReasons = Effect.fn("DirectoryLookup.privilegedReasons")(function* (userId: string) {
      const reasons: Array<string> = []
      const privileged = yield* privilegedRoleNames()
      const byPrincipal = filter(`principalId eq ${odataString(userId)}`)
      for (const a of yield* all(`/roleManagement/directory/roleAssignments?${byPrincipal}&$select=id,roleDefinitionId,directoryScopeId`)) {
        const name = privileged.get(String(a.roleDefinitionId))
        if (name !== undefined) reasons.push(`holds ${name}`)
      }
      const eligible = yield* all(`/roleManagement/directory/roleEligibilitySchedules?${byPrincipal}&$select=id,roleDefinitionId,directoryScopeId`).pipe(
        // Without PIM (no P2 licence) nobody is eligible for anything.
        Effect.catchIf((e: ConnectorError) => e.code === "LicenseMissing" || e.code === "Unsupported", () => Effect.succeed<ReadonlyArray<Raw>>([]))
      )
      for (const e of eligible) {
        const name = privileged.get(String(e.roleDefinitionId))
        if (name !== undefined) reasons.push(`is eligible for ${name}`)
      }
      for (const g of yield* all(`/users/${userId}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName,isAssignableToRole&$top=999`)) {
        if (g.isAssignableToRole === true) reasons.push(`is a member of the role-assignable group ${g.displayName}`)
      }
      for (const g of yield* all(`/groups?${filter("isAssignableToRole eq true")}&$select=id,displayName&$top=999`)) {
        if ((yield* owners(String(g.id))).includes(userId.toLowerCase())) reasons.push(`owns the role-assignable group ${g.displayName}`)
      }
      return reasons
    })

    return DirectoryLookup.of({
      graphRoot,
      token,
      list: all,
      granted,
      user,
      deletedUser,
      group,
      groupByNickname,
      servicePrincipal,
      roleDefinition,
      administrativeUnit,
      application,
      object,
      isMember,
      memberGroups,
      owners,
      appIsPrivilegedAdmin,
      privilegedReasons
    })
  })

  /** A lookup over the GraphClient in context; build one per plan or apply. */
  static readonly layer = Layer.effect(DirectoryLookup, DirectoryLookup.make)
}
