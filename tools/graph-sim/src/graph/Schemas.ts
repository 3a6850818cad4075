import type { FilterOperator } from "./ODataFilter.ts"

/** Which operators a property accepts in $filter, with and without advanced-query mode. */
export interface FilterRule {
  readonly basic: ReadonlySet<FilterOperator>
  readonly advanced: ReadonlySet<FilterOperator>
}

/** What Graph allows on one entity type: default and selectable properties, filters, sorting, search. */
export interface EntitySchema {
  /** Resource name used in Graph's error messages, e.g. 'User'. */
  readonly name: string
  /** OData type name, e.g. 'microsoft.graph.user'. */
  readonly type: string
  readonly defaults: ReadonlyArray<string>
  readonly props: ReadonlyArray<string>
  /** Properties that exist but cannot be selected on a collection (Graph answers 501). */
  readonly notInCollection: ReadonlyArray<string>
  /** Filterable property paths (lower-case) and their operators. */
  readonly filters: ReadonlyMap<string, FilterRule>
  readonly orderBy: ReadonlyArray<string>
  readonly advancedOrderBy: ReadonlyArray<string>
  readonly search: ReadonlyArray<string>
}

const ops = (s: string): ReadonlySet<FilterOperator> => new Set(s.split(" ").filter((x) => x !== "") as FilterOperator[])
const rule = (basic: string, advanced = ""): FilterRule => ({ basic: ops(basic), advanced: ops(advanced) })

const STRING = rule("eq in startswith", "ne not endswith")
const EXACT = rule("eq in", "ne not")
const BOOL = rule("eq", "ne not")
const DATE = rule("eq ge le gt lt", "ne not in")
const ADV_DATE = rule("", "eq ge le gt lt ne not in")
const COLLECTION = rule("any eq startswith", "not endswith count ne")

const schema = (
  name: string,
  type: string,
  defaults: ReadonlyArray<string>,
  selectOnly: ReadonlyArray<string>,
  filters: Record<string, FilterRule>,
  extra: Partial<Pick<EntitySchema, "notInCollection" | "orderBy" | "advancedOrderBy" | "search">> = {}
): EntitySchema => ({
  name,
  type,
  defaults,
  props: [...defaults, ...selectOnly],
  notInCollection: extra.notInCollection ?? [],
  filters: new Map(Object.entries(filters).map(([k, v]) => [k.toLowerCase(), v])),
  orderBy: extra.orderBy ?? [],
  advancedOrderBy: extra.advancedOrderBy ?? [],
  search: extra.search ?? []
})

export const USER = schema(
  "User",
  "microsoft.graph.user",
  ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"],
  [
    "accountEnabled", "assignedLicenses", "city", "companyName", "country", "createdDateTime", "creationType", "deletedDateTime",
    "department", "employeeHireDate", "employeeId", "employeeLeaveDateTime", "employeeType", "externalUserState",
    "externalUserStateChangeDateTime", "identities", "lastPasswordChangeDateTime", "mailNickname", "onPremisesDistinguishedName",
    "onPremisesDomainName", "onPremisesImmutableId", "onPremisesLastSyncDateTime", "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails", "proxyAddresses",
    "securityIdentifier", "signInActivity", "signInSessionsValidFromDateTime", "usageLocation", "userType",
    "ageGroup", "consentProvidedForMinor", "employeeOrgData", "faxNumber", "imAddresses", "isResourceAccount",
    "legalAgeGroupClassification", "passwordPolicies", "postalCode", "preferredDataLocation", "showInAddressList",
    "state", "streetAddress", "onPremisesExtensionAttributes", "onPremisesProvisioningErrors", "provisionedPlans",
    "aboutMe", "birthday", "hireDate", "interests", "mySite", "pastProjects", "preferredName", "responsibilities", "schools",
    "skills", "mailboxSettings"
  ],
  {
    id: EXACT, displayName: STRING, userPrincipalName: STRING, mail: STRING, mailNickname: STRING, givenName: STRING,
    surname: STRING, jobTitle: STRING, department: STRING, companyName: STRING, employeeId: STRING, employeeType: STRING,
    officeLocation: STRING, city: STRING, country: STRING, usageLocation: STRING, userType: EXACT, accountEnabled: BOOL,
    createdDateTime: DATE, creationType: EXACT, externalUserState: EXACT, onPremisesSyncEnabled: BOOL,
    onPremisesImmutableId: EXACT, onPremisesSamAccountName: STRING, employeeHireDate: DATE, employeeLeaveDateTime: DATE,
    lastPasswordChangeDateTime: ADV_DATE, "signInActivity/lastSignInDateTime": DATE,
    "signInActivity/lastNonInteractiveSignInDateTime": DATE, "signInActivity/lastSuccessfulSignInDateTime": DATE,
    proxyAddresses: COLLECTION, otherMails: COLLECTION, businessPhones: COLLECTION, imAddresses: COLLECTION,
    assignedLicenses: rule("any eq", "not count"), identities: rule("any eq", "")
  },
  {
    notInCollection: ["aboutMe", "birthday", "hireDate", "interests", "mySite", "pastProjects", "preferredName", "responsibilities", "schools", "skills", "mailboxSettings"],
    orderBy: ["displayName", "userPrincipalName"],
    advancedOrderBy: ["displayName", "userPrincipalName", "mail", "givenName", "surname", "createdDateTime", "employeeId", "jobTitle"],
    search: ["displayName", "mail", "userPrincipalName", "givenName", "surname", "mailNickname", "jobTitle", "department", "employeeId"]
  }
)

export const GROUP = schema(
  "Group",
  "microsoft.graph.group",
  [
    "id", "deletedDateTime", "classification", "createdDateTime", "creationOptions", "description", "displayName",
    "expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule",
    "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
    "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation",
    "preferredLanguage", "proxyAddresses", "renewedDateTime", "resourceBehaviorOptions", "resourceProvisioningOptions",
    "securityEnabled", "securityIdentifier", "theme", "visibility", "onPremisesProvisioningErrors", "serviceProvisioningErrors"
  ],
  ["allowExternalSenders", "autoSubscribeNewMembers", "hideFromAddressLists", "hideFromOutlookClients", "isSubscribedByMail", "unseenCount", "hasMembersWithLicenseErrors", "assignedLicenses", "licenseProcessingState"],
  {
    id: EXACT, displayName: STRING, mail: STRING, mailNickname: STRING, description: rule("startswith", "eq ne not in endswith"),
    mailEnabled: BOOL, securityEnabled: BOOL, isAssignableToRole: BOOL, onPremisesSyncEnabled: BOOL,
    onPremisesSamAccountName: STRING, onPremisesSecurityIdentifier: EXACT, membershipRuleProcessingState: EXACT,
    visibility: EXACT, groupTypes: rule("any eq", "not count ne"), proxyAddresses: COLLECTION, createdDateTime: ADV_DATE,
    expirationDateTime: ADV_DATE, renewedDateTime: ADV_DATE, securityIdentifier: EXACT
  },
  {
    orderBy: ["displayName"],
    advancedOrderBy: ["displayName", "createdDateTime", "mail", "mailNickname"],
    search: ["displayName", "description", "mail", "mailNickname"]
  }
)

export const SERVICE_PRINCIPAL = schema(
  "ServicePrincipal",
  "microsoft.graph.servicePrincipal",
  [
    "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appDescription", "appId",
    "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "createdDateTime", "description",
    "disabledByMicrosoftStatus", "displayName", "homepage", "loginUrl", "logoutUrl", "notes", "notificationEmailAddresses",
    "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls", "servicePrincipalNames",
    "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId", "info", "samlSingleSignOnSettings",
    "addIns", "appRoles", "keyCredentials", "oauth2PermissionScopes", "passwordCredentials", "resourceSpecificApplicationPermissions",
    "verifiedPublisher", "publisherName"
  ],
  [],
  {
    id: EXACT, appId: EXACT, displayName: STRING, servicePrincipalType: EXACT, accountEnabled: BOOL,
    appOwnerOrganizationId: EXACT, servicePrincipalNames: rule("any eq startswith", "not"), tags: rule("any eq", "not"),
    appRoleAssignmentRequired: BOOL, publisherName: STRING
  },
  { orderBy: ["displayName"], advancedOrderBy: ["displayName", "appId"], search: ["displayName", "appDisplayName", "publisherName"] }
)

export const APPLICATION = schema(
  "Application",
  "microsoft.graph.application",
  [
    "id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus", "createdDateTime", "displayName",
    "description", "groupMembershipClaims", "identifierUris", "isDeviceOnlyAuthSupported", "isFallbackPublicClient",
    "notes", "publisherDomain", "serviceManagementReference", "signInAudience", "tags", "tokenEncryptionKeyId",
    "defaultRedirectUri", "certification", "optionalClaims", "addIns", "api", "appRoles", "info", "keyCredentials",
    "parentalControlSettings", "passwordCredentials", "publicClient", "requiredResourceAccess", "verifiedPublisher", "web", "spa"
  ],
  [],
  {
    id: EXACT, appId: EXACT, displayName: STRING, signInAudience: EXACT, publisherDomain: STRING,
    identifierUris: rule("any eq", "not"), tags: rule("any eq", "not"), createdDateTime: ADV_DATE
  },
  { orderBy: ["displayName"], advancedOrderBy: ["displayName", "createdDateTime"], search: ["displayName", "description"] }
)

export const DEVICE = schema(
  "Device",
  "microsoft.graph.device",
  [
    "id", "deletedDateTime", "accountEnabled", "approximateLastSignInDateTime", "deviceId", "displayName", "isCompliant",
    "isManaged", "operatingSystem", "operatingSystemVersion", "registrationDateTime", "trustType"
  ],
  [],
  { id: EXACT, deviceId: EXACT, displayName: STRING, operatingSystem: STRING, accountEnabled: BOOL, trustType: EXACT, isCompliant: BOOL, isManaged: BOOL, approximateLastSignInDateTime: DATE },
  { orderBy: ["displayName"] }
)

export const ORG_CONTACT = schema(
  "OrgContact",
  "microsoft.graph.orgContact",
  ["id", "deletedDateTime", "companyName", "displayName", "givenName", "jobTitle", "mail", "mailNickname", "proxyAddresses", "surname", "onPremisesSyncEnabled"],
  [],
  { id: EXACT, displayName: STRING, mail: STRING, givenName: STRING, surname: STRING, companyName: STRING, proxyAddresses: COLLECTION },
  { orderBy: ["displayName"] }
)

export const ADMINISTRATIVE_UNIT = schema(
  "AdministrativeUnit",
  "microsoft.graph.administrativeUnit",
  ["id", "deletedDateTime", "description", "displayName", "isMemberManagementRestricted", "membershipRule", "membershipRuleProcessingState", "membershipType", "visibility"],
  [],
  { id: EXACT, displayName: STRING, description: STRING },
  { orderBy: ["displayName"] }
)

export const DIRECTORY_ROLE = schema(
  "DirectoryRole",
  "microsoft.graph.directoryRole",
  ["id", "deletedDateTime", "description", "displayName", "roleTemplateId"],
  [],
  { roletemplateid: EXACT }
)

export const ROLE_DEFINITION = schema(
  "UnifiedRoleDefinition",
  "microsoft.graph.unifiedRoleDefinition",
  ["id", "description", "displayName", "isBuiltIn", "isEnabled", "isPrivileged", "resourceScopes", "templateId", "version", "rolePermissions", "inheritsPermissionsFrom@odata.context", "inheritsPermissionsFrom"],
  [],
  { id: EXACT, displayName: STRING, isBuiltIn: BOOL, templateId: EXACT, isPrivileged: BOOL }
)

export const ROLE_ASSIGNMENT = schema(
  "UnifiedRoleAssignment",
  "microsoft.graph.unifiedRoleAssignment",
  ["id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "condition"],
  [],
  { id: EXACT, principalId: EXACT, roleDefinitionId: EXACT, directoryScopeId: EXACT, appScopeId: EXACT }
)

const SCHEDULE_PROPS = ["id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "createdUsing", "createdDateTime", "modifiedDateTime", "status", "memberType", "scheduleInfo"]
const SCHEDULE_FILTERS = { id: EXACT, principalId: EXACT, roleDefinitionId: EXACT, directoryScopeId: EXACT, appScopeId: EXACT, status: EXACT, memberType: EXACT }

export const ROLE_ELIGIBILITY_SCHEDULE = schema("UnifiedRoleEligibilitySchedule", "microsoft.graph.unifiedRoleEligibilitySchedule", SCHEDULE_PROPS, [], SCHEDULE_FILTERS)
export const ROLE_ASSIGNMENT_SCHEDULE = schema(
  "UnifiedRoleAssignmentSchedule",
  "microsoft.graph.unifiedRoleAssignmentSchedule",
  [...SCHEDULE_PROPS, "assignmentType"],
  [],
  { ...SCHEDULE_FILTERS, assignmentType: EXACT }
)
export const ROLE_ELIGIBILITY_REQUEST = schema(
  "UnifiedRoleEligibilityScheduleRequest",
  "microsoft.graph.unifiedRoleEligibilityScheduleRequest",
  ["id", "status", "createdDateTime", "completedDateTime", "approvalId", "customData", "action", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "isValidationOnly", "targetScheduleId", "justification", "scheduleInfo", "ticketInfo", "createdBy"],
  [],
  { id: EXACT, principalId: EXACT, roleDefinitionId: EXACT, status: EXACT, action: EXACT }
)

export const APP_ROLE_ASSIGNMENT = schema(
  "AppRoleAssignment",
  "microsoft.graph.appRoleAssignment",
  ["id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId", "principalType", "resourceDisplayName", "resourceId"],
  [],
  { id: EXACT, principalId: EXACT, resourceId: EXACT, appRoleId: EXACT, principalType: EXACT, principalDisplayName: STRING }
)

export const OAUTH2_GRANT = schema(
  "OAuth2PermissionGrant",
  "microsoft.graph.oAuth2PermissionGrant",
  ["clientId", "consentType", "id", "principalId", "resourceId", "scope"],
  [],
  { id: EXACT, clientId: EXACT, consentType: EXACT, principalId: EXACT, resourceId: EXACT }
)

export const SCOPED_ROLE_MEMBERSHIP = schema(
  "ScopedRoleMembership",
  "microsoft.graph.scopedRoleMembership",
  ["id", "roleId", "administrativeUnitId", "roleMemberInfo"],
  [],
  { id: EXACT, roleId: EXACT }
)

export const ORGANIZATION = schema(
  "Organization",
  "microsoft.graph.organization",
  ["id", "deletedDateTime", "businessPhones", "city", "country", "countryLetterCode", "createdDateTime", "displayName", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "preferredLanguage", "technicalNotificationMails", "tenantType", "assignedPlans", "verifiedDomains"],
  [],
  { id: EXACT }
)

export const SUBSCRIBED_SKU = schema(
  "SubscribedSku",
  "microsoft.graph.subscribedSku",
  ["accountName", "accountId", "appliesTo", "capabilityStatus", "consumedUnits", "id", "skuId", "skuPartNumber", "subscriptionIds", "prepaidUnits", "servicePlans"],
  [],
  {}
)

export const DIRECTORY_AUDIT = schema(
  "DirectoryAudit",
  "microsoft.graph.directoryAudit",
  ["id", "category", "correlationId", "result", "resultReason", "activityDisplayName", "activityDateTime", "loggedByService", "operationType", "initiatedBy", "targetResources", "additionalDetails"],
  [],
  {
    id: EXACT, activityDateTime: DATE, category: EXACT, correlationId: EXACT, result: EXACT, activityDisplayName: STRING,
    loggedByService: EXACT, operationType: EXACT, "initiatedBy/user/id": EXACT, "initiatedBy/user/userPrincipalName": STRING,
    "initiatedBy/user/displayName": STRING, "initiatedBy/app/appId": EXACT, "initiatedBy/app/displayName": STRING,
    targetResources: rule("any eq startswith", "")
  }
)

export const SIGN_IN = schema(
  "SignIn",
  "microsoft.graph.signIn",
  ["id", "createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appId", "appDisplayName", "ipAddress", "clientAppUsed", "correlationId", "conditionalAccessStatus", "isInteractive", "riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn", "riskState", "riskEventTypes_v2", "resourceDisplayName", "resourceId", "status", "deviceDetail", "location", "appliedConditionalAccessPolicies"],
  [],
  {
    id: EXACT, createdDateTime: DATE, userId: EXACT, userPrincipalName: STRING, userDisplayName: STRING, appId: EXACT,
    appDisplayName: STRING, ipAddress: STRING, clientAppUsed: EXACT, conditionalAccessStatus: EXACT, correlationId: EXACT,
    "status/errorCode": rule("eq ne", ""), "location/city": STRING, "location/countryOrRegion": STRING, riskState: EXACT,
    riskLevelDuringSignIn: EXACT, riskLevelAggregated: EXACT, isInteractive: BOOL
  }
)

export const RISKY_USER = schema(
  "RiskyUser",
  "microsoft.graph.riskyUser",
  ["id", "isDeleted", "isProcessing", "riskLastUpdatedDateTime", "riskLevel", "riskState", "riskDetail", "userDisplayName", "userPrincipalName"],
  [],
  { id: EXACT, riskLevel: EXACT, riskState: EXACT, riskDetail: EXACT, riskLastUpdatedDateTime: DATE, userPrincipalName: STRING, userDisplayName: STRING, isDeleted: BOOL, isProcessing: BOOL }
)

export const RISK_DETECTION = schema(
  "RiskDetection",
  "microsoft.graph.riskDetection",
  ["id", "requestId", "correlationId", "riskEventType", "riskState", "riskLevel", "riskDetail", "source", "detectionTimingType", "activity", "ipAddress", "activityDateTime", "detectedDateTime", "lastUpdatedDateTime", "userId", "userDisplayName", "userPrincipalName", "location"],
  [],
  {
    id: EXACT, userId: EXACT, userPrincipalName: STRING, userDisplayName: STRING, riskEventType: EXACT, riskLevel: EXACT,
    riskState: EXACT, riskDetail: EXACT, source: EXACT, detectionTimingType: EXACT, activity: EXACT, ipAddress: STRING,
    activityDateTime: DATE, detectedDateTime: DATE, lastUpdatedDateTime: DATE, correlationId: EXACT, requestId: EXACT
  }
)

/** Union of the member types a directoryObject collection (members, owners, ...) can return. */
export const DIRECTORY_OBJECT: EntitySchema = {
  name: "DirectoryObject",
  type: "microsoft.graph.directoryObject",
  defaults: [],
  props: [...new Set([...USER.props, ...GROUP.props, ...SERVICE_PRINCIPAL.props, ...DEVICE.props, ...ORG_CONTACT.props])],
  notInCollection: USER.notInCollection,
  filters: new Map([...USER.filters, ...GROUP.filters, ...SERVICE_PRINCIPAL.filters, ...DEVICE.filters]),
  orderBy: [],
  advancedOrderBy: ["displayName"],
  search: ["displayName"]
}

export const SCHEMA_BY_KIND = {
  user: USER,
  group: GROUP,
  servicePrincipal: SERVICE_PRINCIPAL,
  device: DEVICE,
  orgContact: ORG_CONTACT,
  application: APPLICATION,
  administrativeUnit: ADMINISTRATIVE_UNIT
} as const

/** Canonical spelling of a property (Graph property names are case-insensitive in $select). */
export const canonicalProp = (schema: EntitySchema, name: string): string | undefined => {
  const low = name.toLowerCase()
  return schema.props.find((p) => p.toLowerCase() === low)
}
