import { guidOf, stringCode } from "../internal/Random.ts"

/** The Microsoft Graph first-party application id (the `aud` alternative and the resource of app roles). */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
export const MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

/** Application permissions (app roles of the Microsoft Graph service principal) the simulator knows. */
export const GRAPH_APPLICATION_PERMISSIONS: ReadonlyArray<string> = [
  "User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "User.EnableDisableAccount.All", "User.RevokeSessions.All",
  "User-LifeCycleInfo.Read.All", "User-LifeCycleInfo.ReadWrite.All",
  "Group.Read.All", "Group.ReadWrite.All", "Group.Create", "GroupMember.Read.All", "GroupMember.ReadWrite.All",
  "Directory.Read.All", "Directory.ReadWrite.All",
  "Application.Read.All", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
  "DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All",
  "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory",
  "RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory",
  "RoleAssignmentSchedule.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory",
  "AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All",
  "AuditLog.Read.All", "IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All", "IdentityRiskEvent.Read.All",
  "Organization.Read.All", "Device.Read.All", "Device.ReadWrite.All", "OrgContact.Read.All",
  "Policy.Read.All", "Reports.Read.All", "Mail.Read", "Sites.Read.All"
]

/**
 * App role id of a Graph application permission. The simulator derives them from the name instead of
 * copying Microsoft's GUIDs: connectors must read ids from the Graph service principal, not hard-code them.
 */
export const graphPermissionId = (name: string): string => guidOf(0x67726170, stringCode(name))

/** Everything the Entra plugin reads (the default app gets all of these). */
export const READ_PERMISSIONS: ReadonlyArray<string> = [
  "User.Read.All", "Group.Read.All", "GroupMember.Read.All", "Directory.Read.All", "Application.Read.All",
  "AuditLog.Read.All", "RoleManagement.Read.Directory", "RoleManagement.Read.All",
  "RoleEligibilitySchedule.Read.Directory", "RoleAssignmentSchedule.Read.Directory", "AdministrativeUnit.Read.All",
  "IdentityRiskyUser.Read.All", "IdentityRiskEvent.Read.All", "User-LifeCycleInfo.Read.All", "Organization.Read.All",
  "Device.Read.All", "OrgContact.Read.All", "DelegatedPermissionGrant.Read.All"
]

/** Everything the Entra plugin's lifecycle capability writes with. */
export const LIFECYCLE_PERMISSIONS: ReadonlyArray<string> = [
  "User.ReadWrite.All", "User.RevokeSessions.All", "User-LifeCycleInfo.ReadWrite.All", "Group.ReadWrite.All",
  "GroupMember.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "RoleManagement.ReadWrite.Directory",
  "RoleEligibilitySchedule.ReadWrite.Directory", "AdministrativeUnit.ReadWrite.All"
]

/** The second, deliberately under-privileged app. */
export const PARTIAL_PERMISSIONS: ReadonlyArray<string> = ["User.Read.All", "Group.Read.All"]
