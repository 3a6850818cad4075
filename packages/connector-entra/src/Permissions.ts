/**
 * The Microsoft Graph application permissions the plugin uses, as data: which capability set needs
 * each one, what it enables, whether the set works without it, and which higher-privileged
 * permissions include it. `check` compares this table with the token's `roles`; the README's
 * permission table is this table; lifecycle operations name their permission from it.
 */

export type CapabilitySet = "read" | "lifecycle"

export interface PermissionSpec {
  readonly permission: string
  readonly capabilitySet: CapabilitySet
  /** Without a required permission the capability set cannot work; without an optional one it degrades. */
  readonly required: boolean
  /** What the permission gives the user of the product, in words an admin understands. */
  readonly enables: string
  /** Streams (read) or operation groups (lifecycle) that are skipped or refused without it. */
  readonly affects: ReadonlyArray<string>
  /**
   * Permissions that give the plugin the same access (mostly higher-privileged ones such as
   * Directory.Read.All for User.Read.All): holding any of them is as good.
   */
  readonly coveredBy: ReadonlyArray<string>
}

export const PERMISSIONS: ReadonlyArray<PermissionSpec> = [
  {
    permission: "User.Read.All",
    capabilitySet: "read",
    required: true,
    enables: "Users with their governance signals (enabled, type, created, last password change, hire date, on-premises sync, manager)",
    affects: ["users"],
    coveredBy: ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "Group.Read.All",
    capabilitySet: "read",
    required: true,
    enables: "Groups (security, Microsoft 365, dynamic, role-assignable)",
    affects: ["groups"],
    coveredBy: ["Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "GroupMember.Read.All",
    capabilitySet: "read",
    required: true,
    enables: "Group members and owners, nested groups included",
    affects: ["groups"],
    coveredBy: ["GroupMember.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "Directory.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Delegated permission grants (OAuth2 consents), the tenant's organization record, and (with AuditLog.Read.All) directory audit events",
    affects: ["oauth2PermissionGrants", "directory", "directoryAudits"],
    coveredBy: ["Directory.ReadWrite.All"]
  },
  {
    permission: "Application.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "App registrations with owners and credential expiry, enterprise applications (service principals), app roles and app role assignments",
    affects: ["applications", "servicePrincipals"],
    coveredBy: ["Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "RoleManagement.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Directory role definitions, active role assignments and PIM eligibility and assignment schedules (scope: tenant, administrative unit, app)",
    affects: ["directoryRoles"],
    coveredBy: ["RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Directory"]
  },
  {
    permission: "AdministrativeUnit.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Administrative units with their members and scoped role members",
    affects: ["administrativeUnits"],
    coveredBy: ["AdministrativeUnit.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "AuditLog.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Users' sign-in activity (last interactive, non-interactive and successful sign-in; needs Entra ID P1), directory audit and sign-in events",
    affects: ["users.signInActivity", "directoryAudits", "signIns"],
    coveredBy: []
  },
  {
    permission: "IdentityRiskyUser.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Risk level and risk state of risky users (needs Entra ID P2)",
    affects: ["riskyUsers"],
    coveredBy: ["IdentityRiskyUser.ReadWrite.All"]
  },
  {
    permission: "IdentityRiskEvent.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Risk detections (the events behind a user's risk) in the audit window (needs Entra ID P2)",
    affects: ["riskDetections"],
    coveredBy: ["IdentityRiskEvent.ReadWrite.All"]
  },
  {
    permission: "User-LifeCycleInfo.Read.All",
    capabilitySet: "read",
    required: false,
    enables: "Employee leave date (the HRIS termination date) on users",
    affects: ["users.employeeLeaveDateTime"],
    coveredBy: ["User-LifeCycleInfo.ReadWrite.All"]
  },
  {
    permission: "User.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Create, update, disable, enable and delete users; revoke sign-in sessions",
    affects: ["users"],
    coveredBy: ["Directory.ReadWrite.All"]
  },
  {
    permission: "Group.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Create, update and delete groups",
    affects: ["groups"],
    coveredBy: ["Directory.ReadWrite.All"]
  },
  {
    permission: "GroupMember.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Add and remove group members and owners",
    affects: ["groupMembership"],
    coveredBy: ["Group.ReadWrite.All", "Directory.ReadWrite.All"]
  },
  {
    permission: "Directory.ReadWrite.All",
    capabilitySet: "lifecycle",
    // No lifecycle operation needs it (issue 5): a broader alternative, not a requirement.
    required: false,
    enables: "Changes that span object types (devices and contacts as members, restoring deleted objects)",
    affects: ["directoryObjects"],
    coveredBy: []
  },
  {
    permission: "Application.ReadWrite.All",
    capabilitySet: "lifecycle",
    // No lifecycle operation needs it (issue 5): a broader alternative, not a requirement.
    required: false,
    enables: "Change owners of app registrations and enterprise applications",
    affects: ["applications"],
    coveredBy: []
  },
  {
    permission: "AppRoleAssignment.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Grant and revoke app role assignments (access to enterprise applications)",
    affects: ["appRoleAssignments"],
    coveredBy: []
  },
  {
    permission: "RoleManagement.ReadWrite.Directory",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Assign and remove directory roles; change the membership of role-assignable groups",
    affects: ["directoryRoles", "roleAssignableGroups"],
    coveredBy: []
  },
  {
    permission: "AdministrativeUnit.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: true,
    enables: "Add and remove administrative unit members",
    affects: ["administrativeUnits"],
    coveredBy: ["Directory.ReadWrite.All"]
  },
  {
    permission: "User-LifeCycleInfo.ReadWrite.All",
    capabilitySet: "lifecycle",
    required: false,
    enables: "Set a user's employee leave date",
    affects: ["users.employeeLeaveDateTime"],
    coveredBy: []
  }
]

/** Whether the granted roles include `permission` itself or a permission that covers it. */
export const holds = (granted: ReadonlySet<string>, permission: string): boolean => {
  if (granted.has(permission)) return true
  const spec = PERMISSIONS.find((p) => p.permission === permission)
  return spec !== undefined && spec.coveredBy.some((c) => granted.has(c))
}

/** The permissions of one capability set. */
export const permissionsOf = (set: CapabilitySet): ReadonlyArray<PermissionSpec> =>
  PERMISSIONS.filter((p) => p.capabilitySet === set)

/** The role template id of Privileged Authentication Administrator (the same in every tenant). */
export const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
/** The role template id of Global Administrator, which includes everything the former can do. */
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

interface EndpointRule {
  readonly path: RegExp
  readonly read: string
  readonly write: string
}

/**
 * The least-privileged permission each Graph endpoint family needs (first match wins), so a 403
 * can name what to grant. Write permissions are what lifecycle operations need.
 */
const ENDPOINT_RULES: ReadonlyArray<EndpointRule> = [
  { path: /^users\b[^?]*\?(.*[&?])?\$select=[^&]*signInActivity/iu, read: "AuditLog.Read.All", write: "User.ReadWrite.All" },
  { path: /^users\/[^/]+\/(memberOf|transitiveMemberOf)/iu, read: "GroupMember.Read.All", write: "GroupMember.ReadWrite.All" },
  { path: /^users\b/iu, read: "User.Read.All", write: "User.ReadWrite.All" },
  { path: /^groups\/[^/?]+\/(members|owners|transitiveMembers)/iu, read: "GroupMember.Read.All", write: "GroupMember.ReadWrite.All" },
  { path: /^groups\b/iu, read: "Group.Read.All", write: "Group.ReadWrite.All" },
  { path: /^(roleManagement|directoryRoles|directoryRoleTemplates)\b/iu, read: "RoleManagement.Read.All", write: "RoleManagement.ReadWrite.Directory" },
  { path: /^directory\/administrativeUnits\/[^/?]+\/scopedRoleMembers/iu, read: "RoleManagement.Read.All", write: "RoleManagement.ReadWrite.Directory" },
  { path: /^(directory\/)?administrativeUnits\b/iu, read: "AdministrativeUnit.Read.All", write: "AdministrativeUnit.ReadWrite.All" },
  { path: /^servicePrincipals\/[^/?]+\/(appRoleAssignedTo|appRoleAssignments)/iu, read: "Application.Read.All", write: "AppRoleAssignment.ReadWrite.All" },
  { path: /^(applications|servicePrincipals)\b/iu, read: "Application.Read.All", write: "Application.ReadWrite.All" },
  { path: /^oauth2PermissionGrants\b/iu, read: "Directory.Read.All", write: "DelegatedPermissionGrant.ReadWrite.All" },
  { path: /^auditLogs\b/iu, read: "AuditLog.Read.All", write: "AuditLog.Read.All" },
  { path: /^identityProtection\/riskyUsers/iu, read: "IdentityRiskyUser.Read.All", write: "IdentityRiskyUser.ReadWrite.All" },
  { path: /^identityProtection\/riskDetections/iu, read: "IdentityRiskEvent.Read.All", write: "IdentityRiskEvent.ReadWrite.All" },
  { path: /^(organization|subscribedSkus|directoryObjects|devices|contacts|domains)\b/iu, read: "Directory.Read.All", write: "Directory.ReadWrite.All" }
]

/** `/v1.0/users?x` or `https://host/v1.0/users?x` -> `users?x` (what the rules match). */
export const graphRelativePath = (pathOrUrl: string): string =>
  pathOrUrl.replace(/^https?:\/\/[^/]+/iu, "").replace(/^\/?(v1\.0|beta)\//iu, "").replace(/^\/+/u, "")

/** The least-privileged permission the request needs, when the endpoint is one the plugin knows. */
export const permissionForRequest = (method: string, pathOrUrl: string): string | undefined => {
  const path = graphRelativePath(pathOrUrl)
  const rule = ENDPOINT_RULES.find((r) => r.path.test(path))
  if (rule === undefined) return undefined
  return method.toUpperCase() === "GET" ? rule.read : rule.write
}
