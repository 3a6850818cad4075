import { holds } from "../Permissions.ts"

/**
 * A Graph application permission a lifecycle operation needs. `permission` is the name shown to the
 * admin (the one `check` and the README list); `anyOf` are the permissions Graph accepts for the
 * call, narrower ones (User.EnableDisableAccount.All) and broader ones (Directory.ReadWrite.All).
 */
export interface Requirement {
  readonly permission: string
  readonly anyOf: ReadonlyArray<string>
}

const requirement = (permission: string, ...alternatives: ReadonlyArray<string>): Requirement => ({
  permission,
  anyOf: [permission, ...alternatives]
})

/** The permissions of the lifecycle operations, as Microsoft documents them for application calls. */
export const REQUIRE = {
  users: requirement("User.ReadWrite.All", "Directory.ReadWrite.All"),
  enableDisable: requirement("User.ReadWrite.All", "User.EnableDisableAccount.All", "Directory.ReadWrite.All"),
  revokeSessions: requirement("User.ReadWrite.All", "User.RevokeSessions.All", "Directory.ReadWrite.All"),
  lifecycleInfo: requirement("User-LifeCycleInfo.ReadWrite.All"),
  createGroups: requirement("Group.ReadWrite.All", "Group.Create", "Directory.ReadWrite.All"),
  groups: requirement("Group.ReadWrite.All", "Directory.ReadWrite.All"),
  members: requirement("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"),
  roles: requirement("RoleManagement.ReadWrite.Directory"),
  eligibility: requirement("RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"),
  appRoleAssignments: requirement("AppRoleAssignment.ReadWrite.All"),
  readApplications: requirement("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"),
  administrativeUnits: requirement("AdministrativeUnit.ReadWrite.All", "Directory.ReadWrite.All")
} as const satisfies Record<string, Requirement>

/** Whether the token's roles satisfy the requirement. */
export const isGranted = (roles: ReadonlySet<string>, r: Requirement): boolean =>
  r.anyOf.some((p) => roles.has(p)) || holds(roles, r.permission)

/** The fix an admin applies for a missing permission. */
export const grantFix = (permission: string): string =>
  `In the Entra admin center open App registrations > your app > API permissions > Add a permission > Microsoft Graph > Application permissions, add ${permission}, then click "Grant admin consent".`
