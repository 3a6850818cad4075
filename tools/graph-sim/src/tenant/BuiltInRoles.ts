/** A built-in Entra directory role. For built-in roles the roleDefinition id equals its template id. */
export interface BuiltInRole {
  readonly templateId: string
  readonly displayName: string
  readonly description: string
  readonly isPrivileged: boolean
}

// Well-known template ids (stable across all tenants; connectors sometimes hard-code them).
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
export const PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814"
export const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
export const USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
export const HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
export const GROUPS_ADMINISTRATOR = "fdd7a751-b60b-444a-984c-02652fe8fa1c"
export const APPLICATION_ADMINISTRATOR = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
export const CLOUD_APPLICATION_ADMINISTRATOR = "158c047a-c907-4556-b7ef-446551a6b5f7"

const role = (templateId: string, displayName: string, description: string, isPrivileged = false): BuiltInRole => ({
  templateId,
  displayName,
  description,
  isPrivileged
})

export const BUILT_IN_ROLES: ReadonlyArray<BuiltInRole> = [
  role(GLOBAL_ADMINISTRATOR, "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.", true),
  role(PRIVILEGED_ROLE_ADMINISTRATOR, "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.", true),
  role(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, "Privileged Authentication Administrator", "Can access to view, set and reset authentication method information for any user (admin or non-admin).", true),
  role(USER_ADMINISTRATOR, "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins.", true),
  role(HELPDESK_ADMINISTRATOR, "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators.", true),
  role(GROUPS_ADMINISTRATOR, "Groups Administrator", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."),
  role(APPLICATION_ADMINISTRATOR, "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps.", true),
  role(CLOUD_APPLICATION_ADMINISTRATOR, "Cloud Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.", true),
  role("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user.", true),
  role("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.", true),
  role("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader", "Can read security information and reports in Microsoft Entra ID and Office 365."),
  role("5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator", "Creates and manages security events."),
  role("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", "Can read everything that a Global Administrator can, but not update anything."),
  role("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "Can manage all aspects of the Exchange product."),
  role("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", "Can manage all aspects of the SharePoint service."),
  role("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator", "Can manage the Microsoft Teams service."),
  role("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", "Can manage all aspects of the Intune product.", true),
  role("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities.", true),
  role("8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator", "Can manage Active Directory to Microsoft Entra cloud provisioning, Microsoft Entra Connect, and federation settings.", true),
  role("966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator", "Can reset passwords for non-administrators and Password Administrators.", true),
  role("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator", "Can manage product licenses on users and groups."),
  role("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Can perform common billing related tasks like updating payment information."),
  role("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader", "Can read sign-in and audit reports."),
  role("17315797-102d-40b4-93e0-432062caca18", "Compliance Administrator", "Can read and manage compliance configuration and reports in Microsoft Entra ID and Microsoft 365."),
  role("45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "Identity Governance Administrator", "Manage access using Microsoft Entra ID for identity governance scenarios."),
  role("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Can read basic directory information. Commonly used to grant directory read access to applications and guests."),
  role("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers", "Can read and write basic directory information. For granting access to applications, not intended for users.", true)
]

/**
 * Roles whose holders are "privileged targets": an app-only caller may only disable, delete or change
 * sensitive properties of such users when its own service principal holds Privileged Authentication
 * Administrator (or Global Administrator).
 */
export const PRIVILEGED_TARGET_ROLES: ReadonlySet<string> = new Set([
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  "c4e39bd9-1100-46d3-8c65-fb160da0071f",
  "194ae4cb-b126-40b2-bd5b-6091b380977d",
  "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
  "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
  "3a2c62db-5318-420d-8d74-23affee5d9d5",
  "29232cdf-9323-42fd-ade2-1d097af3e4de",
  "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
  APPLICATION_ADMINISTRATOR,
  CLOUD_APPLICATION_ADMINISTRATOR,
  "9360feb5-f418-4baa-8175-e2a00bac4301"
])

/** Roles that let an app's service principal act on privileged targets. */
export const CAN_ACT_ON_PRIVILEGED: ReadonlySet<string> = new Set([
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
])
