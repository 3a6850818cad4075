import type { Catalog } from "@idconnect/schemas/Catalog"
import { KINDS } from "./Mapping.ts"

/**
 * What the Entra plugin emits, as data: `discover` returns it and the README's mapping table
 * describes it. Entity kinds come from the mapping itself, so the two cannot drift.
 */
const ENTITY_DESCRIPTIONS: Readonly<Record<keyof typeof KINDS, string>> = {
  user: "A user account with its governance signals (enabled, type, dates, sign-in activity, manager, risk)",
  servicePrincipal: "A service principal as a principal: it signs in, holds roles, memberships and app roles",
  device: "A device that is a member of a group or administrative unit",
  orgContact: "An organizational contact that is a member of a group",
  group: "A group (security, Microsoft 365, dynamic, role-assignable)",
  directoryRole: "A directory role definition (built-in or custom)",
  appRole: "An app role of an enterprise application (`{servicePrincipalId}/{appRoleId}`)",
  application: "An app registration with owners and credential expiry",
  enterpriseApplication: "A service principal as the application users get access to",
  administrativeUnit: "An administrative unit (a scope for delegated administration)",
  directory: "The tenant itself: what tenant-wide roles grant access over",
  directoryAudit: "A directory audit event inside the configured window",
  signIn: "A sign-in event inside the configured window (off by default)",
  riskDetection: "An Identity Protection risk detection inside the audit window"
}

export const CATALOG: Catalog = {
  entityTypes: Object.entries(KINDS).map(([kind, { entityType, sourceType }]) => ({
    entityType,
    sourceType,
    description: ENTITY_DESCRIPTIONS[kind as keyof typeof KINDS]
  })),
  relationTypes: [
    {
      privilegeName: "member",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal", "device", "orgContact"],
      entityType: "connection",
      entitySourceTypes: ["group"],
      description: "Direct member of a group"
    },
    {
      privilegeName: "member",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "connection",
      entitySourceTypes: ["group"],
      description: "Nested group (the store derives transitive access)"
    },
    {
      privilegeName: "owner",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal"],
      entityType: "connection",
      entitySourceTypes: ["group"],
      description: "Owner of a group"
    },
    {
      privilegeName: "owner",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal"],
      entityType: "resource",
      entitySourceTypes: ["application", "enterpriseApplication"],
      description: "Owner of an app registration or enterprise application"
    },
    {
      privilegeName: "roleAssignment",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal"],
      entityType: "connection",
      entitySourceTypes: ["directoryRole"],
      description: "Active directory role assignment (scope: tenant, administrative unit or app; start/end for PIM)"
    },
    {
      privilegeName: "roleAssignment",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "connection",
      entitySourceTypes: ["directoryRole"],
      description: "Active directory role assignment to a role-assignable group"
    },
    {
      privilegeName: "roleEligibility",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal"],
      entityType: "connection",
      entitySourceTypes: ["directoryRole"],
      description: "PIM eligible role assignment (can be activated), with start/end"
    },
    {
      privilegeName: "roleEligibility",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "connection",
      entitySourceTypes: ["directoryRole"],
      description: "PIM eligibility of a role-assignable group"
    },
    {
      privilegeName: "appRoleAssignment",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "servicePrincipal"],
      entityType: "connection",
      entitySourceTypes: ["appRole"],
      description: "App role held by a user or service principal"
    },
    {
      privilegeName: "appRoleAssignment",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "connection",
      entitySourceTypes: ["appRole"],
      description: "App role held by a group (its members inherit it)"
    },
    {
      privilegeName: "grant",
      parentEntityType: "connection",
      parentSourceTypes: ["appRole"],
      entityType: "resource",
      entitySourceTypes: ["enterpriseApplication"],
      description: "An app role gives access to its enterprise application"
    },
    {
      privilegeName: "grant",
      parentEntityType: "connection",
      parentSourceTypes: ["directoryRole"],
      entityType: "resource",
      entitySourceTypes: ["directory", "administrativeUnit", "application"],
      description: "A directory role gives access over its scope"
    },
    {
      privilegeName: "member",
      parentEntityType: "identity",
      parentSourceTypes: ["user", "device"],
      entityType: "resource",
      entitySourceTypes: ["administrativeUnit"],
      description: "Member of an administrative unit"
    },
    {
      privilegeName: "member",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "resource",
      entitySourceTypes: ["administrativeUnit"],
      description: "Group in an administrative unit"
    },
    {
      privilegeName: "oauth2PermissionGrant",
      parentEntityType: "identity",
      parentSourceTypes: ["servicePrincipal"],
      entityType: "resource",
      entitySourceTypes: ["enterpriseApplication"],
      description: "Delegated consent: the client app may call the resource app with these scopes, for all users or one"
    }
  ],
  streams: [
    { name: "deltaLinks", description: "Sync-from-now delta links for users and groups (first step of a full sync)", incremental: false, requires: ["User.Read.All", "Group.Read.All"] },
    { name: "directory", description: "The tenant (organization)", incremental: false, requires: ["Directory.Read.All"] },
    { name: "users", description: "Users with governance signals and risk", incremental: true, requires: ["User.Read.All"] },
    { name: "groups", description: "Groups with direct members and owners", incremental: true, requires: ["Group.Read.All", "GroupMember.Read.All"] },
    { name: "administrativeUnits", description: "Administrative units, members, scoped role members", incremental: false, requires: ["AdministrativeUnit.Read.All"] },
    { name: "roleDefinitions", description: "Directory roles", incremental: false, requires: ["RoleManagement.Read.All"] },
    { name: "roleAssignments", description: "Active role assignments", incremental: false, requires: ["RoleManagement.Read.All"] },
    { name: "roleEligibilitySchedules", description: "PIM eligibilities (Entra ID P2)", incremental: false, requires: ["RoleManagement.Read.All"] },
    { name: "roleAssignmentSchedules", description: "PIM assignment schedules (Entra ID P2)", incremental: false, requires: ["RoleManagement.Read.All"] },
    { name: "applications", description: "App registrations with owners and credential expiry", incremental: false, requires: ["Application.Read.All"] },
    { name: "servicePrincipals", description: "Service principals, app roles and app role assignments", incremental: false, requires: ["Application.Read.All"] },
    { name: "oauth2PermissionGrants", description: "Delegated permission grants", incremental: false, requires: ["Directory.Read.All"] },
    { name: "directoryAudits", description: "Directory audit events in the window", incremental: false, requires: ["AuditLog.Read.All"] },
    { name: "signIns", description: "Sign-in events in the window (off by default)", incremental: false, requires: ["AuditLog.Read.All"] },
    { name: "riskDetections", description: "Risk detections in the window (Entra ID P2)", incremental: false, requires: ["IdentityRiskEvent.Read.All"] }
  ]
}
