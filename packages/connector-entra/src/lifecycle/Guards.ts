import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { DirectoryLookup } from "./DirectoryLookup.ts"
import { type Blocker, blocker } from "./Draft.ts"
import { grantFix, REQUIRE } from "./Requirements.ts"

type Raw = Record<string, any>

export const PRIVILEGED_ROLE_NAME = "Privileged Authentication Administrator"

/**
 * Disabling, deleting, revoking the sessions of, or changing sensitive attributes of a user who
 * holds (or is eligible for) a privileged directory role, or who is in or owns a role-assignable
 * group, needs the app's own service principal to hold Privileged Authentication Administrator.
 * Graph would answer 403; the plan says so before any write.
 */
export const privilegedTarget = (user: Raw, action: string): Effect.Effect<Blocker | undefined, ConnectorError, DirectoryLookup> =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    if (yield* lookup.appIsPrivilegedAdmin()) return undefined
    const reasons = yield* lookup.privilegedReasons(String(user.id))
    if (reasons.length === 0) return undefined
    return blocker(
      "privileged-target",
      ConnectorErrors.permissionMissing({
        permission: PRIVILEGED_ROLE_NAME,
        message: `${user.userPrincipalName ?? user.id} is a privileged user (${reasons.join("; ")}): to ${action} such a user the app's service principal must hold the ${PRIVILEGED_ROLE_NAME} role`,
        fix: `In Roles and administrators > ${PRIVILEGED_ROLE_NAME} > Add assignments, assign the role to this app's enterprise application (needs a Privileged Role Administrator), or make the change by hand.`
      })
    )
  })

/** Attributes of a user synchronised from on-premises Active Directory are mastered there. */
export const syncedUser = (user: Raw, what: string): Blocker | undefined =>
  user.onPremisesSyncEnabled !== true
    ? undefined
    : blocker(
      "on-premises-synced",
      ConnectorErrors.unsupported({
        feature: "changing attributes mastered on-premises",
        message: `${user.userPrincipalName ?? user.id} is synchronised from on-premises Active Directory: ${what} is mastered there and Graph refuses to change it`
      }),
      "Make the change in on-premises Active Directory; Microsoft Entra Connect synchronises it."
    )

/** Membership of a dynamic group follows its rule; it cannot be changed by hand. */
export const dynamicGroup = (group: Raw): Blocker | undefined =>
  !Array.isArray(group.groupTypes) || !group.groupTypes.includes("DynamicMembership")
    ? undefined
    : blocker(
      "dynamic-group",
      ConnectorErrors.unsupported({
        feature: "changing the members of a dynamic group",
        message: `${group.displayName} is a dynamic group: its members follow the rule ${JSON.stringify(group.membershipRule ?? "")} and cannot be added or removed by hand`
      }),
      "Change the user's attributes so the rule includes or excludes them, or change the group's membership rule."
    )

export const syncedGroup = (group: Raw): Blocker | undefined =>
  group.onPremisesSyncEnabled !== true
    ? undefined
    : blocker(
      "on-premises-synced",
      ConnectorErrors.unsupported({
        feature: "changing groups mastered on-premises",
        message: `${group.displayName} is synchronised from on-premises Active Directory: its membership is mastered there`
      }),
      "Change the group in on-premises Active Directory; Microsoft Entra Connect synchronises it."
    )

/** Role-assignable groups: changing them (members, owners, deletion) needs RoleManagement.ReadWrite.Directory. */
export const roleAssignableGroup = (group: Raw, action: string): Effect.Effect<Blocker | undefined, ConnectorError, DirectoryLookup> =>
  Effect.gen(function* () {
    if (group.isAssignableToRole !== true) return undefined
    const lookup = yield* DirectoryLookup
    if (yield* lookup.granted(REQUIRE.roles)) return undefined
    const permission = REQUIRE.roles.permission
    return blocker(
      "role-assignable-group",
      ConnectorErrors.permissionMissing({
        permission,
        message: `${group.displayName} is a role-assignable group: to ${action} it the app needs ${permission}`,
        fix: grantFix(permission)
      })
    )
  })

/** A reference that names nothing the operation can act on. */
export const notFound = (field: string, ref: string, what: string): Blocker =>
  blocker(
    "not-found",
    ConnectorErrors.notFound({ target: ref, message: `${field}: no ${what} '${ref}' in the directory` }),
    `Check ${field}: use the object id, or the ${what === "user" ? "userPrincipalName" : "display name"}.`
  )

/** A request Graph would refuse for a reason the caller must fix (wrong kind of member, bad scope...). */
export const invalid = (field: string, message: string): Blocker =>
  blocker("invalid", ConnectorErrors.invalidInput({ field, message: `${field}: ${message}` }))

export const compact = (blockers: ReadonlyArray<Blocker | undefined>): ReadonlyArray<Blocker> => blockers.filter((b): b is Blocker => b !== undefined)
