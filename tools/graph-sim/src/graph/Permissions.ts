import type { GraphContext } from "./Context.ts"
import { denied, GraphError } from "./GraphError.ts"

/**
 * Application permissions that satisfy each kind of access. The first entry is the least-privileged
 * documented permission; the rest are the documented higher-privileged alternatives.
 */
export const PERMS = {
  readUsers: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readGroups: ["Group.Read.All", "GroupMember.Read.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readMembers: ["GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readUserMemberships: ["User.Read.All", "GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  readApps: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readRoles: ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All"],
  readEligibility: ["RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"],
  readAssignmentSchedules: ["RoleManagement.Read.All", "RoleManagement.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"],
  readDirectoryRoles: ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All"],
  readAdministrativeUnits: ["AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readGrants: ["Directory.Read.All", "DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"],
  readOrganization: ["Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All", "User.Read.All"],
  readDevices: ["Device.Read.All", "Directory.Read.All", "Device.ReadWrite.All", "Directory.ReadWrite.All"],
  readContacts: ["OrgContact.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  readRiskyUsers: ["IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"],
  readRiskDetections: ["IdentityRiskEvent.Read.All"],
  readLifecycleInfo: ["User-LifeCycleInfo.Read.All", "User-LifeCycleInfo.ReadWrite.All"],
  writeLifecycleInfo: ["User-LifeCycleInfo.ReadWrite.All"],
  writeUsers: ["User.ReadWrite.All", "Directory.ReadWrite.All"],
  enableDisableUsers: ["User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  revokeSessions: ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  createGroups: ["Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
  writeGroups: ["Group.ReadWrite.All", "Directory.ReadWrite.All"],
  writeMembers: ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
  writeRoles: ["RoleManagement.ReadWrite.Directory"],
  writeEligibility: ["RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"],
  writeAppRoleAssignments: ["AppRoleAssignment.ReadWrite.All"],
  writeApps: ["Application.ReadWrite.All", "Directory.ReadWrite.All"],
  writeDevices: ["Device.ReadWrite.All", "Directory.ReadWrite.All"],
  writeAdministrativeUnits: ["AdministrativeUnit.ReadWrite.All", "Directory.ReadWrite.All"]
} as const satisfies Record<string, ReadonlyArray<string>>

export const hasAny = (ctx: GraphContext, perms: ReadonlyArray<string>): boolean => perms.some((p) => ctx.caller.roles.has(p))

/** 403 Authorization_RequestDenied unless the token carries one of the permissions. */
export const requireAny = (ctx: GraphContext, perms: ReadonlyArray<string>): void => {
  if (!hasAny(ctx, perms)) throw denied()
}

/** Reports (audit logs, signInActivity) answer a different 403 when the permission is missing. */
export const requireAuditLog = (ctx: GraphContext): void => {
  if (!ctx.caller.roles.has("AuditLog.Read.All")) {
    throw new GraphError(403, "Authentication_MSGraphPermissionMissing", "Calling principal does not have required MSGraph permissions AuditLog.Read.All")
  }
}

/** 403 for tenants without an Entra ID P1/P2 licence (reports, signInActivity, risk detections). */
export const requirePremium = (ctx: GraphContext, level: "P1" | "P2" = "P1"): void => {
  const l = ctx.tenant.license
  if (l === "none" || (level === "P2" && l !== "P2")) {
    throw new GraphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license")
  }
}

/** PIM endpoints answer 400 AadPremiumLicenseRequired without P2 (observed). */
export const requirePimLicense = (ctx: GraphContext): void => {
  if (ctx.tenant.license !== "P2") {
    throw new GraphError(400, "AadPremiumLicenseRequired", "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.")
  }
}
