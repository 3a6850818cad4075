/**
 * Stored shapes of the simulated directory. Property names and value shapes follow Microsoft Graph v1.0
 * so a record serialises to Graph JSON by picking properties; fields prefixed with `_` are internal
 * (relations kept beside the object) and never leave the simulator.
 */

export type License = "none" | "P1" | "P2"
export type PresetName = "demo" | "small" | "medium" | "large"
export type TenantSize = "S" | "M" | "L"

/** Kinds of directory objects that can be group members, owners or role principals. */
export type DirectoryKind =
  | "user"
  | "group"
  | "servicePrincipal"
  | "device"
  | "orgContact"
  | "application"
  | "administrativeUnit"

export const KIND_CODES: Readonly<Record<DirectoryKind, number>> = {
  user: 0,
  group: 1,
  servicePrincipal: 2,
  device: 3,
  orgContact: 4,
  application: 5,
  administrativeUnit: 6
}

export const KIND_BY_CODE: ReadonlyArray<DirectoryKind> = [
  "user",
  "group",
  "servicePrincipal",
  "device",
  "orgContact",
  "application",
  "administrativeUnit"
]

/** `@odata.type` of each kind. */
export const ODATA_TYPE: Readonly<Record<DirectoryKind, string>> = {
  user: "#microsoft.graph.user",
  group: "#microsoft.graph.group",
  servicePrincipal: "#microsoft.graph.servicePrincipal",
  device: "#microsoft.graph.device",
  orgContact: "#microsoft.graph.orgContact",
  application: "#microsoft.graph.application",
  administrativeUnit: "#microsoft.graph.administrativeUnit"
}

/** A reference to a directory object: kind and its index in that kind's table. */
export interface ObjectRef {
  readonly kind: DirectoryKind
  readonly index: number
}

/** Compact numeric encoding of an ObjectRef (kind in the high byte), used in typed member arrays. */
export const encodeRef = (kind: DirectoryKind, index: number): number => KIND_CODES[kind] * 0x1000000 + index
export const refKind = (ref: number): DirectoryKind => KIND_BY_CODE[Math.floor(ref / 0x1000000)]
export const refIndex = (ref: number): number => ref % 0x1000000

export interface SignInActivity {
  lastSignInDateTime: string | null
  lastSignInRequestId: string | null
  lastNonInteractiveSignInDateTime: string | null
  lastNonInteractiveSignInRequestId: string | null
  lastSuccessfulSignInDateTime: string | null
  lastSuccessfulSignInRequestId: string | null
}

export interface UserRecord {
  id: string
  displayName: string
  givenName: string | null
  surname: string | null
  userPrincipalName: string
  mail: string | null
  mailNickname: string
  jobTitle: string | null
  department: string | null
  companyName: string | null
  officeLocation: string | null
  city: string | null
  country: string | null
  usageLocation: string | null
  mobilePhone: string | null
  businessPhones: string[]
  preferredLanguage: string | null
  accountEnabled: boolean
  userType: "Member" | "Guest"
  createdDateTime: string | null
  creationType: string | null
  externalUserState: string | null
  externalUserStateChangeDateTime: string | null
  onPremisesSyncEnabled: boolean | null
  onPremisesImmutableId: string | null
  onPremisesSamAccountName: string | null
  onPremisesUserPrincipalName: string | null
  onPremisesDomainName: string | null
  onPremisesSecurityIdentifier: string | null
  onPremisesDistinguishedName: string | null
  onPremisesLastSyncDateTime: string | null
  securityIdentifier: string
  employeeId: string | null
  employeeType: string | null
  employeeHireDate: string | null
  employeeLeaveDateTime: string | null
  lastPasswordChangeDateTime: string | null
  signInSessionsValidFromDateTime: string | null
  signInActivity: SignInActivity | null
  assignedLicenses: Array<{ skuId: string; disabledPlans: string[] }>
  otherMails: string[]
  proxyAddresses: string[]
  identities: Array<{ signInType: string; issuer: string; issuerAssignedId: string }>
  deletedDateTime: string | null
  /** Object id of the manager (exposed through /manager and $expand=manager). */
  _managerId: string | null
}

export interface GroupRecord {
  id: string
  displayName: string
  description: string | null
  mail: string | null
  mailEnabled: boolean
  mailNickname: string
  securityEnabled: boolean
  groupTypes: string[]
  membershipRule: string | null
  membershipRuleProcessingState: string | null
  isAssignableToRole: boolean | null
  visibility: string | null
  classification: string | null
  createdDateTime: string
  renewedDateTime: string
  expirationDateTime: string | null
  onPremisesSyncEnabled: boolean | null
  onPremisesSamAccountName: string | null
  onPremisesSecurityIdentifier: string | null
  onPremisesDomainName: string | null
  onPremisesNetBiosName: string | null
  onPremisesLastSyncDateTime: string | null
  securityIdentifier: string
  proxyAddresses: string[]
  resourceProvisioningOptions: string[]
  creationOptions: string[]
  deletedDateTime: string | null
}

export interface PasswordCredential {
  keyId: string
  displayName: string | null
  hint: string
  startDateTime: string
  endDateTime: string
  customKeyIdentifier: string | null
  secretText: null
}

export interface KeyCredential {
  keyId: string
  displayName: string | null
  type: "AsymmetricX509Cert"
  usage: "Verify"
  customKeyIdentifier: string
  startDateTime: string
  endDateTime: string
  key: null
}

export interface AppRole {
  id: string
  displayName: string
  description: string
  value: string
  allowedMemberTypes: string[]
  isEnabled: boolean
  origin: "Application" | "ServicePrincipal"
}

export interface ApplicationRecord {
  id: string
  appId: string
  displayName: string
  description: string | null
  signInAudience: string
  publisherDomain: string
  createdDateTime: string
  identifierUris: string[]
  tags: string[]
  appRoles: AppRole[]
  passwordCredentials: PasswordCredential[]
  keyCredentials: KeyCredential[]
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: "Role" | "Scope" }> }>
  web: { redirectUris: string[]; homePageUrl: string | null }
  deletedDateTime: string | null
}

export interface ServicePrincipalRecord {
  id: string
  appId: string
  displayName: string
  appDisplayName: string
  appOwnerOrganizationId: string
  appRoleAssignmentRequired: boolean
  accountEnabled: boolean
  servicePrincipalType: "Application" | "ManagedIdentity" | "Legacy" | "SocialIdp"
  servicePrincipalNames: string[]
  signInAudience: string | null
  tags: string[]
  publisherName: string | null
  homepage: string | null
  appRoles: AppRole[]
  oauth2PermissionScopes: Array<{ id: string; value: string; type: string; isEnabled: boolean; adminConsentDisplayName: string; adminConsentDescription: string }>
  passwordCredentials: PasswordCredential[]
  keyCredentials: KeyCredential[]
  createdDateTime: string | null
  deletedDateTime: string | null
}

export interface DeviceRecord {
  id: string
  deviceId: string
  displayName: string
  operatingSystem: string
  operatingSystemVersion: string
  accountEnabled: boolean
  trustType: string
  isCompliant: boolean | null
  isManaged: boolean | null
  approximateLastSignInDateTime: string | null
  registrationDateTime: string
  deletedDateTime: string | null
}

export interface OrgContactRecord {
  id: string
  displayName: string
  givenName: string | null
  surname: string | null
  mail: string
  mailNickname: string
  companyName: string | null
  jobTitle: string | null
  proxyAddresses: string[]
  onPremisesSyncEnabled: boolean | null
  deletedDateTime: string | null
}

export interface AdministrativeUnitRecord {
  id: string
  displayName: string
  description: string | null
  visibility: string | null
  membershipType: string | null
  membershipRule: string | null
  isMemberManagementRestricted: boolean
  deletedDateTime: string | null
}

export interface AppRoleAssignmentRecord {
  id: string
  appRoleId: string
  principalId: string
  principalType: "User" | "Group" | "ServicePrincipal"
  resourceId: string
  createdDateTime: string
  deletedDateTime: null
}

export interface OAuth2PermissionGrantRecord {
  id: string
  clientId: string
  consentType: "AllPrincipals" | "Principal"
  principalId: string | null
  resourceId: string
  scope: string
}

export interface RoleDefinitionRecord {
  id: string
  templateId: string
  displayName: string
  description: string
  isBuiltIn: boolean
  isEnabled: boolean
  isPrivileged: boolean
  resourceScopes: string[]
  version: string
  rolePermissions: Array<{ allowedResourceActions: string[]; condition: string | null }>
  inheritsPermissionsFrom: Array<{ id: string }>
}

export interface RoleAssignmentRecord {
  id: string
  principalId: string
  roleDefinitionId: string
  directoryScopeId: string
  appScopeId: string | null
  createdDateTime: string
}

export interface ScheduleInfo {
  startDateTime: string
  expiration: { type: "noExpiration" | "afterDateTime" | "afterDuration"; endDateTime: string | null; duration: string | null }
}

export interface RoleEligibilityScheduleRecord {
  id: string
  principalId: string
  roleDefinitionId: string
  directoryScopeId: string
  appScopeId: string | null
  memberType: "Direct" | "Group" | "Inherited"
  status: string
  createdUsing: string
  createdDateTime: string
  modifiedDateTime: string | null
  scheduleInfo: ScheduleInfo
}

export interface RoleAssignmentScheduleRecord extends RoleEligibilityScheduleRecord {
  assignmentType: "Assigned" | "Activated"
}

export interface DirectoryRoleRecord {
  id: string
  roleTemplateId: string
  displayName: string
  description: string
  deletedDateTime: null
}

export interface ScopedRoleMembershipRecord {
  id: string
  roleId: string
  administrativeUnitId: string
  roleMemberInfo: { id: string; displayName: string }
}

export interface RiskyUserRecord {
  id: string
  isDeleted: boolean
  isProcessing: boolean
  riskLastUpdatedDateTime: string
  riskLevel: "low" | "medium" | "high" | "hidden" | "none"
  riskState: "atRisk" | "confirmedCompromised" | "remediated" | "dismissed" | "none"
  riskDetail: string
  userDisplayName: string
  userPrincipalName: string
}

export interface RiskDetectionRecord {
  id: string
  requestId: string
  correlationId: string
  riskEventType: string
  riskState: string
  riskLevel: string
  riskDetail: string
  source: string
  detectionTimingType: string
  activity: string
  ipAddress: string
  activityDateTime: string
  detectedDateTime: string
  lastUpdatedDateTime: string
  userId: string
  userDisplayName: string
  userPrincipalName: string
  location: { city: string; countryOrRegion: string }
}

export interface DirectoryAuditRecord {
  id: string
  category: string
  correlationId: string
  result: "success" | "failure"
  resultReason: string
  activityDisplayName: string
  activityDateTime: string
  loggedByService: string
  operationType: string
  initiatedBy: {
    user: { id: string; displayName: string | null; userPrincipalName: string; ipAddress: string } | null
    app: { appId: string; displayName: string; servicePrincipalId: string; servicePrincipalName: string | null } | null
  }
  targetResources: Array<{
    id: string
    displayName: string | null
    type: string
    userPrincipalName: string | null
    groupType: string | null
    modifiedProperties: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>
  }>
  additionalDetails: Array<{ key: string; value: string }>
}

export interface SignInRecord {
  id: string
  createdDateTime: string
  userDisplayName: string
  userPrincipalName: string
  userId: string
  appId: string
  appDisplayName: string
  ipAddress: string
  clientAppUsed: string
  correlationId: string
  conditionalAccessStatus: string
  isInteractive: boolean
  riskDetail: string
  riskLevelAggregated: string
  riskLevelDuringSignIn: string
  riskState: string
  riskEventTypes_v2: string[]
  resourceDisplayName: string
  resourceId: string
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null }
  deviceDetail: { deviceId: string; displayName: string; operatingSystem: string; browser: string; isCompliant: boolean; isManaged: boolean; trustType: string }
  location: { city: string; state: string; countryOrRegion: string; geoCoordinates: { altitude: null; latitude: number; longitude: number } }
  appliedConditionalAccessPolicies: unknown[]
}

export interface OrganizationRecord {
  id: string
  displayName: string
  createdDateTime: string
  tenantType: string
  countryLetterCode: string
  preferredLanguage: string
  onPremisesSyncEnabled: boolean
  onPremisesLastSyncDateTime: string | null
  verifiedDomains: Array<{ name: string; type: string; isDefault: boolean; isInitial: boolean; capabilities: string }>
  assignedPlans: Array<{ assignedDateTime: string; capabilityStatus: string; service: string; servicePlanId: string }>
  technicalNotificationMails: string[]
  businessPhones: string[]
  city: string
  country: string
  deletedDateTime: null
}
