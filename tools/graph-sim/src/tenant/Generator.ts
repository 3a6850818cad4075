import { guidOf, hash32, intIn, stringCode, tokenOf, unit } from "../internal/Random.ts"
import { EMPTY_REFS, toSortedRefs } from "../internal/SortedRefs.ts"
import {
  APPLICATION_ADMINISTRATOR,
  BUILT_IN_ROLES,
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  GROUPS_ADMINISTRATOR,
  HELPDESK_ADMINISTRATOR,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  USER_ADMINISTRATOR
} from "./BuiltInRoles.ts"
import { Directory } from "./Directory.ts"
import { GRAPH_APPLICATION_PERMISSIONS, graphPermissionId, MICROSOFT_GRAPH_APP_ID, MICROSOFT_TENANT_ID } from "./GraphPermissions.ts"
import {
  APP_KINDS,
  APP_WORDS,
  COUNTRIES,
  DEPARTMENTS,
  FIRST_NAMES,
  GROUP_TOPICS,
  JOB_TITLES,
  LANGUAGES,
  LAST_NAMES,
  OFFICES,
  OPERATING_SYSTEMS,
  PARTNER_DOMAINS
} from "./Names.ts"
import { PRESETS } from "./Presets.ts"
import {
  type AdministrativeUnitRecord,
  type AppRole,
  type AppRoleAssignmentRecord,
  type DeviceRecord,
  type DirectoryAuditRecord,
  encodeRef,
  type GroupRecord,
  type KeyCredential,
  type License,
  type OAuth2PermissionGrantRecord,
  type OrganizationRecord,
  type OrgContactRecord,
  type PasswordCredential,
  type PresetName,
  type RiskDetectionRecord,
  type RiskyUserRecord,
  type RoleAssignmentRecord,
  type RoleEligibilityScheduleRecord,
  type SignInActivity,
  type UserRecord
} from "./Records.ts"
import { SOFT_DELETED } from "./Table.ts"
import { isoSeconds } from "../internal/IsoDate.ts"

/** An app registration the simulator hands out credentials for (the connector's own apps). */
export interface ConnectorAppSpec {
  readonly displayName: string
  readonly appId: string
  readonly objectId: string
  readonly servicePrincipalId: string
  readonly permissions: ReadonlyArray<string>
  readonly passwordCredentials: ReadonlyArray<PasswordCredential>
  readonly keyCredentials: ReadonlyArray<KeyCredential>
}

export interface GenerateOptions {
  readonly preset: PresetName
  readonly seed: number
  readonly tenantId: string
  readonly displayName: string
  readonly domain: string
  readonly license: License
  /** Epoch ms every generated timestamp is relative to (start of the current UTC day by default). */
  readonly anchor: number
  readonly connectorApps: ReadonlyArray<ConnectorAppSpec>
  /** Whether the first connector app's service principal holds Privileged Authentication Administrator. */
  readonly mainAppPrivileged: boolean
  readonly now: () => number
}

const DAY = 86_400_000
const K_USER = 1
const K_GROUP = 2
const K_DEVICE = 3
const K_CONTACT = 4
const K_APP = 5
const K_ROLE = 7
const K_AU = 8
const K_AUDIT = 9
const K_SIGNIN = 10
const K_RISK = 11
const K_GRANT = 12
const K_ASSIGN = 13

// Group kinds (decided up front because membership generation depends on them).
const G_SECURITY = 0
const G_M365 = 1
const G_DYNAMIC_SECURITY = 2
const G_DYNAMIC_M365 = 3
const G_ROLE_ASSIGNABLE = 4
const G_DISTRIBUTION = 5
const G_MAIL_SECURITY = 6

const SKU_ENTERPRISEPACK = "6fd2c87f-b296-42f0-b197-1e91e994b900"
const SKU_AAD_PREMIUM = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4"
const SKU_AAD_PREMIUM_P2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b"
/** Sign-in activity before this date has no lastSuccessfulSignInDateTime (no backfill). */
const SUCCESSFUL_SIGNIN_TRACKING_START = Date.UTC(2023, 11, 1)

const iso = isoSeconds
const dateOnly = (ms: number): string => isoSeconds(ms).slice(0, 10) + "T00:00:00Z"
const slug = (s: string): string => s.replace(/[^A-Za-z0-9]/g, "")

export const skuIds = { SKU_ENTERPRISEPACK, SKU_AAD_PREMIUM, SKU_AAD_PREMIUM_P2 } as const

interface UserTraits {
  readonly guest: boolean
  readonly disabled: boolean
  readonly synced: boolean
  /** Days from the anchor to the leave date, or null. */
  readonly leaveDays: number | null
  readonly signIn: "never" | "stale" | "active"
  readonly softDeleted: boolean
  readonly risky: boolean
}

/** Builds the directory of one preset tenant. Deterministic for a given seed (and anchor). */
export const generateTenant = (o: GenerateOptions): Directory => {
  const shape = PRESETS[o.preset]
  const seed = o.seed | 0
  const dir = new Directory(o.now)
  const anchor = o.anchor
  const U = shape.users
  const G = shape.groups
  const tenantCode = stringCode(o.tenantId)
  const id = (kind: number, i: number, f = 0) => guidOf(seed, tenantCode, kind, i, f)
  const r = (kind: number, i: number, f: number) => unit(seed, kind, i, f)

  // ------------------------------------------------------------------ users
  const computeTraits = (i: number): UserTraits => {
    if (i < 10 && U >= 10) {
      return {
        guest: i === 9,
        disabled: i === 8 || i === 3,
        synced: i === 1 || i === 6,
        leaveDays: i === 3 ? -12 : i === 6 ? 14 : null,
        signIn: i === 4 ? "never" : i === 5 ? "stale" : "active",
        softDeleted: false,
        risky: i === 7
      }
    }
    const guest = r(K_USER, i, 1) < 0.05
    const leave = !guest && r(K_USER, i, 4) < 0.03 ? Math.floor(r(K_USER, i, 5) * 90) - 45 : null
    const s = r(K_USER, i, 6)
    return {
      guest,
      disabled: r(K_USER, i, 2) < 0.07 || (leave !== null && leave < 0),
      synced: !guest && r(K_USER, i, 3) < 0.3,
      leaveDays: leave,
      signIn: s < 0.05 ? "never" : s < 0.15 ? "stale" : "active",
      softDeleted: r(K_USER, i, 20) < 0.004,
      risky: r(K_USER, i, 21) < 0.02
    }
  }
  const F = FIRST_NAMES.length
  const L = LAST_NAMES.length
  const nameOf = (i: number) => {
    const q = Math.floor(i / F)
    const rem = i % F
    const first = FIRST_NAMES[(rem * 29 + 7) % F]
    const last = LAST_NAMES[(q * 31 + rem * 5) % L]
    const n = Math.floor(i / (F * L))
    return { first, last, suffix: n === 0 ? "" : String(n + 1) }
  }
  // Traits are packed into typed arrays once (1 byte + 2 bytes per user) and decoded on demand.
  const traitFlags = new Uint8Array(U)
  const traitLeave = new Int16Array(U)
  const NO_LEAVE = -32768
  for (let i = 0; i < U; i++) {
    const t = computeTraits(i)
    traitFlags[i] =
      (t.guest ? 1 : 0) | (t.disabled ? 2 : 0) | (t.synced ? 4 : 0) | (t.softDeleted ? 8 : 0) | (t.risky ? 16 : 0) |
      (t.signIn === "stale" ? 32 : t.signIn === "never" ? 64 : 0)
    traitLeave[i] = t.leaveDays ?? NO_LEAVE
  }
  const traits = (i: number): UserTraits => {
    const f = traitFlags[i]
    return {
      guest: (f & 1) !== 0,
      disabled: (f & 2) !== 0,
      synced: (f & 4) !== 0,
      softDeleted: (f & 8) !== 0,
      risky: (f & 16) !== 0,
      signIn: (f & 32) !== 0 ? "stale" : (f & 64) !== 0 ? "never" : "active",
      leaveDays: traitLeave[i] === NO_LEAVE ? null : traitLeave[i]
    }
  }
  const isGuest = (i: number) => (traitFlags[i] & 1) !== 0
  const isSoftDeleted = (i: number) => (traitFlags[i] & 8) !== 0
  const departmentOf = (i: number): string | null => (isGuest(i) ? null : DEPARTMENTS[hash32(seed, K_USER, i, 7) % DEPARTMENTS.length])
  const officeOf = (i: number): string | null => (isGuest(i) ? null : OFFICES[hash32(seed, K_USER, i, 8) % OFFICES.length])
  const managerOf = (i: number): number | null => {
    if (i === 0 || isGuest(i)) return null
    let j = Math.floor(i * r(K_USER, i, 30) ** 2)
    while (j > 0 && (isGuest(j) || isSoftDeleted(j))) j = Math.floor(j / 2)
    return j === i ? null : j
  }
  const signInActivityOf = (i: number, t: UserTraits): SignInActivity | null => {
    if (t.signIn === "never") return null
    const daysAgo = t.signIn === "stale" ? 100 + r(K_USER, i, 40) * 300 : r(K_USER, i, 40) * 30
    const last = anchor - daysAgo * DAY + Math.floor(r(K_USER, i, 41) * DAY)
    const nonInteractive = r(K_USER, i, 42) < 0.7 ? last + Math.floor(r(K_USER, i, 43) * 2 * DAY) : null
    const failedLast = r(K_USER, i, 44) < 0.05
    const successful = failedLast ? last - 3 * DAY : Math.max(last, nonInteractive ?? 0)
    return {
      lastSignInDateTime: iso(last),
      lastSignInRequestId: id(K_USER, i, 45),
      lastNonInteractiveSignInDateTime: nonInteractive === null ? null : iso(Math.min(nonInteractive, anchor)),
      lastNonInteractiveSignInRequestId: nonInteractive === null ? null : id(K_USER, i, 46),
      lastSuccessfulSignInDateTime: successful >= SUCCESSFUL_SIGNIN_TRACKING_START ? iso(Math.min(successful, anchor)) : null,
      lastSuccessfulSignInRequestId: successful >= SUCCESSFUL_SIGNIN_TRACKING_START ? id(K_USER, i, 47) : null
    }
  }
  const userAt = (i: number): UserRecord => {
    const t = traits(i)
    const { first, last, suffix } = nameOf(i)
    const partner = PARTNER_DOMAINS[hash32(seed, K_USER, i, 9) % PARTNER_DOMAINS.length]
    const local = `${first}.${last}${suffix}`.toLowerCase()
    const externalMail = `${local}@${partner}`
    const upn = t.guest ? `${local}_${partner}#EXT#@${o.domain}` : `${local}@${o.domain}`
    const created = anchor - Math.floor((30 + r(K_USER, i, 10) * 5 * 365) * DAY) - (i < 10 ? 2000 * DAY : 0)
    const createdNull = t.synced && r(K_USER, i, 11) < 0.02
    const hasEmployeeId = !t.guest && r(K_USER, i, 12) < 0.8
    const managerIndex = managerOf(i)
    const phone = `+1 425 555 ${String(hash32(seed, K_USER, i, 13) % 10000).padStart(4, "0")}`
    const sid = `S-1-12-1-${hash32(seed, K_USER, i, 14)}-${hash32(seed, K_USER, i, 15)}-${hash32(seed, K_USER, i, 16)}-${hash32(seed, K_USER, i, 17)}`
    const licenses: UserRecord["assignedLicenses"] = []
    if (!t.guest && r(K_USER, i, 18) < 0.85) licenses.push({ skuId: SKU_ENTERPRISEPACK, disabledPlans: [] })
    if (!t.guest && o.license === "P2") licenses.push({ skuId: SKU_AAD_PREMIUM_P2, disabledPlans: [] })
    if (!t.guest && o.license === "P1") licenses.push({ skuId: SKU_AAD_PREMIUM, disabledPlans: [] })
    const sam = `${first.slice(0, 1)}${last}${suffix}`.toLowerCase().slice(0, 20)
    return {
      id: userIds[i],
      displayName: `${first} ${last}${suffix === "" ? "" : " " + suffix}`,
      givenName: first,
      surname: last,
      userPrincipalName: upn,
      mail: t.guest ? externalMail : `${local}@${o.domain}`,
      mailNickname: t.guest ? `${local}_${partner}#EXT#` : local,
      jobTitle: t.guest ? null : JOB_TITLES[hash32(seed, K_USER, i, 19) % JOB_TITLES.length],
      department: departmentOf(i),
      companyName: t.guest ? null : o.displayName,
      officeLocation: officeOf(i),
      city: officeOf(i),
      country: t.guest ? null : COUNTRIES[hash32(seed, K_USER, i, 8) % COUNTRIES.length],
      usageLocation: t.guest ? null : COUNTRIES[hash32(seed, K_USER, i, 8) % COUNTRIES.length],
      mobilePhone: !t.guest && r(K_USER, i, 22) < 0.5 ? phone.replace("425", "206") : null,
      businessPhones: t.guest ? [] : [phone],
      preferredLanguage: t.guest ? null : LANGUAGES[hash32(seed, K_USER, i, 23) % LANGUAGES.length],
      accountEnabled: !t.disabled,
      userType: t.guest ? "Guest" : "Member",
      createdDateTime: createdNull ? null : iso(created),
      creationType: t.guest ? "Invitation" : null,
      externalUserState: t.guest ? (r(K_USER, i, 24) < 0.85 ? "Accepted" : "PendingAcceptance") : null,
      externalUserStateChangeDateTime: t.guest ? iso(created + DAY) : null,
      onPremisesSyncEnabled: t.synced ? true : null,
      onPremisesImmutableId: t.synced ? Buffer.from(userIds[i].replace(/-/g, "").slice(0, 24), "hex").toString("base64") : null,
      onPremisesSamAccountName: t.synced ? sam : null,
      onPremisesUserPrincipalName: t.synced ? `${local}@corp.${o.domain.split(".")[0]}.local` : null,
      onPremisesDomainName: t.synced ? `corp.${o.domain.split(".")[0]}.local` : null,
      onPremisesSecurityIdentifier: t.synced ? `S-1-5-21-${hash32(seed, 99, 1)}-${hash32(seed, 99, 2)}-${hash32(seed, 99, 3)}-${1000 + i}` : null,
      onPremisesDistinguishedName: t.synced ? `CN=${first} ${last}${suffix},OU=Users,DC=corp,DC=local` : null,
      onPremisesLastSyncDateTime: t.synced ? iso(anchor - Math.floor(r(K_USER, i, 25) * 3600_000)) : null,
      securityIdentifier: sid,
      employeeId: hasEmployeeId ? String(100000 + i) : null,
      employeeType: hasEmployeeId ? (r(K_USER, i, 26) < 0.9 ? "Employee" : "Contractor") : null,
      employeeHireDate: hasEmployeeId ? dateOnly(created - 14 * DAY) : null,
      employeeLeaveDateTime: t.leaveDays === null ? null : iso(anchor + t.leaveDays * DAY + 17 * 3600_000),
      lastPasswordChangeDateTime: iso(created + Math.floor(r(K_USER, i, 27) * Math.max(0, anchor - created))),
      signInSessionsValidFromDateTime: iso(created),
      signInActivity: signInActivityOf(i, t),
      assignedLicenses: licenses,
      otherMails: t.guest ? [externalMail] : [],
      proxyAddresses: t.guest ? [] : [`SMTP:${local}@${o.domain}`],
      identities: [{ signInType: "userPrincipalName", issuer: o.domain, issuerAssignedId: upn }],
      deletedDateTime: t.softDeleted ? iso(anchor - Math.floor(1 + r(K_USER, i, 28) * 20) * DAY) : null,
      _managerId: managerIndex === null ? null : userIds[managerIndex]
    }
  }
  const userIds: string[] = new Array(U)
  for (let i = 0; i < U; i++) userIds[i] = id(K_USER, i)
  dir.users.defineGenerated(U, (i) => userIds[i], userAt)
  for (let i = 0; i < U; i++) if (isSoftDeleted(i)) dir.users.setState(i, SOFT_DELETED)
  const memberUsers: number[] = []
  for (let i = 0; i < U; i++) if (!isGuest(i)) memberUsers.push(i)

  // ------------------------------------------------------------------ devices, contacts
  const deviceAt = (i: number): DeviceRecord => {
    const [os, ver] = OPERATING_SYSTEMS[hash32(seed, K_DEVICE, i, 1) % OPERATING_SYSTEMS.length]
    const registered = anchor - Math.floor(r(K_DEVICE, i, 2) * 900) * DAY
    return {
      id: id(K_DEVICE, i),
      deviceId: id(K_DEVICE, i, 1),
      displayName: `${os === "Windows" ? "DESKTOP" : os.toUpperCase()}-${tokenOf(7, seed, K_DEVICE, i).toUpperCase().replace(/[-_]/g, "X")}`,
      operatingSystem: os,
      operatingSystemVersion: ver,
      accountEnabled: r(K_DEVICE, i, 3) > 0.05,
      trustType: os === "Windows" ? (r(K_DEVICE, i, 4) < 0.5 ? "AzureAd" : "ServerAd") : "Workplace",
      isCompliant: os === "Linux" ? null : r(K_DEVICE, i, 5) < 0.85,
      isManaged: os === "Linux" ? null : r(K_DEVICE, i, 6) < 0.9,
      approximateLastSignInDateTime: iso(anchor - Math.floor(r(K_DEVICE, i, 7) * 60 * DAY)),
      registrationDateTime: iso(registered),
      deletedDateTime: null
    }
  }
  dir.devices.defineGenerated(shape.devices, (i) => id(K_DEVICE, i), deviceAt)
  const contactAt = (i: number): OrgContactRecord => {
    const { first, last } = nameOf(i * 7 + 3)
    const partner = PARTNER_DOMAINS[hash32(seed, K_CONTACT, i) % PARTNER_DOMAINS.length]
    const local = `${first}.${last}`.toLowerCase()
    return {
      id: id(K_CONTACT, i),
      displayName: `${first} ${last} (${partner})`,
      givenName: first,
      surname: last,
      mail: `${local}@${partner}`,
      mailNickname: `${local}.${slug(partner)}`,
      companyName: partner.split(".")[0],
      jobTitle: null,
      proxyAddresses: [`SMTP:${local}@${partner}`],
      onPremisesSyncEnabled: null,
      deletedDateTime: null
    }
  }
  dir.orgContacts.defineGenerated(shape.orgContacts, (i) => id(K_CONTACT, i), contactAt)

  // ------------------------------------------------------------------ apps and service principals
  const graphAppRoles: AppRole[] = GRAPH_APPLICATION_PERMISSIONS.map((p) => ({
    id: graphPermissionId(p),
    displayName: p.replace(/\./g, " "),
    description: `Allows the app to ${p} without a signed-in user.`,
    value: p,
    allowedMemberTypes: ["Application"],
    isEnabled: true,
    origin: "Application"
  }))
  const scope = (value: string) => ({
    id: guidOf(0x73636f70, stringCode(value)),
    value,
    type: "User",
    isEnabled: true,
    adminConsentDisplayName: value,
    adminConsentDescription: `Delegated ${value}`
  })
  const firstParty = (n: number, appId: string, displayName: string, appRoles: AppRole[], scopes: string[]): number =>
    dir.servicePrincipals.add({
      id: id(K_APP, 100_000 + n),
      appId,
      displayName,
      appDisplayName: displayName,
      appOwnerOrganizationId: MICROSOFT_TENANT_ID,
      appRoleAssignmentRequired: false,
      accountEnabled: true,
      servicePrincipalType: "Application",
      servicePrincipalNames: [appId],
      signInAudience: "AzureADMultipleOrgs",
      tags: [],
      publisherName: "Microsoft Services",
      homepage: null,
      appRoles,
      oauth2PermissionScopes: scopes.map(scope),
      passwordCredentials: [],
      keyCredentials: [],
      createdDateTime: null,
      deletedDateTime: null
    })
  const graphSp = firstParty(0, MICROSOFT_GRAPH_APP_ID, "Microsoft Graph", graphAppRoles, [
    "User.Read", "openid", "profile", "offline_access", "email", "Mail.Read", "Files.Read.All", "Group.Read.All", "Calendars.Read"
  ])
  const graphSpId = dir.servicePrincipals.id(graphSp)
  firstParty(1, "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", [], ["EWS.AccessAsUser.All"])
  firstParty(2, "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", [], ["AllSites.Read"])
  firstParty(3, "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services", [], [])

  const spRefs: number[] = [] // encoded refs of tenant-owned application SPs (candidates for memberships)
  const appIndexes: number[] = []
  const appSpIndexes: number[] = []
  const grants: OAuth2PermissionGrantRecord[] = []
  const assignments: AppRoleAssignmentRecord[] = []
  const assignmentKeys = new Set<string>()
  const addAssignment = (principalId: string, principalType: AppRoleAssignmentRecord["principalType"], resourceId: string, appRoleId: string, created: number, n: number) => {
    const key = `${principalId}|${resourceId}|${appRoleId}`
    if (assignmentKeys.has(key)) return
    assignmentKeys.add(key)
    assignments.push({
      id: tokenOf(43, seed, K_ASSIGN, stringCode(key), n),
      appRoleId,
      principalId,
      principalType,
      resourceId,
      createdDateTime: iso(created),
      deletedDateTime: null
    })
  }

  const credentialDates = (i: number, k: number): { start: number; end: number } => {
    // App 0 always carries an expired secret and app 1 one that expires within 30 days.
    const c = i === 0 && k === 0 ? 0 : i === 1 && k === 0 ? 0.2 : r(K_APP, i, 60 + k)
    const start = anchor - Math.floor(30 + r(K_APP, i, 70 + k) * 600) * DAY
    if (c < 0.12) return { start, end: anchor - Math.floor(1 + r(K_APP, i, 80 + k) * 120) * DAY } // expired
    if (c < 0.24) return { start, end: anchor + Math.floor(1 + r(K_APP, i, 80 + k) * 29) * DAY } // expiring within 30 days
    return { start, end: anchor + Math.floor(60 + r(K_APP, i, 80 + k) * 700) * DAY }
  }

  for (let i = 0; i < shape.apps; i++) {
    const name = `${APP_WORDS[hash32(seed, K_APP, i, 1) % APP_WORDS.length]} ${APP_KINDS[hash32(seed, K_APP, i, 2) % APP_KINDS.length]}${i >= APP_WORDS.length * 4 ? " " + (i + 1) : ""}`
    const appId = id(K_APP, i, 1)
    const created = anchor - Math.floor(r(K_APP, i, 3) * 1500 + 10) * DAY
    const roles: AppRole[] = []
    if (r(K_APP, i, 4) < 0.4) {
      const n = intIn(1, 4, seed, K_APP, i, 5)
      const names = ["Reader", "Contributor", "Admin", "Approver"]
      for (let k = 0; k < n; k++) {
        roles.push({
          id: id(K_APP, i, 200 + k),
          displayName: names[k],
          description: `${names[k]} of ${name}`,
          value: `${slug(name)}.${names[k]}`,
          allowedMemberTypes: k === 0 && r(K_APP, i, 6) < 0.3 ? ["User", "Application"] : ["User"],
          isEnabled: true,
          origin: "Application"
        })
      }
    }
    const passwords: PasswordCredential[] = []
    if (i < 2 || r(K_APP, i, 7) < 0.6) {
      const n = r(K_APP, i, 8) < 0.3 ? 2 : 1
      for (let k = 0; k < n; k++) {
        const d = credentialDates(i, k)
        passwords.push({
          keyId: id(K_APP, i, 300 + k),
          displayName: k === 0 ? "prod secret" : "rotation",
          hint: tokenOf(3, seed, K_APP, i, 300 + k),
          startDateTime: iso(d.start),
          endDateTime: iso(d.end),
          customKeyIdentifier: null,
          secretText: null
        })
      }
    }
    const keys: KeyCredential[] = []
    if (r(K_APP, i, 9) < 0.2) {
      const d = credentialDates(i, 5)
      keys.push({
        keyId: id(K_APP, i, 400),
        displayName: `CN=${slug(name)}`,
        type: "AsymmetricX509Cert",
        usage: "Verify",
        customKeyIdentifier: tokenOf(40, seed, K_APP, i, 401).replace(/[^A-Za-z0-9]/g, "A").toUpperCase(),
        startDateTime: iso(d.start),
        endDateTime: iso(d.end),
        key: null
      })
    }
    const graphPerms = r(K_APP, i, 10) < 0.3 ? GRAPH_APPLICATION_PERMISSIONS.filter((_, k) => hash32(seed, K_APP, i, 500 + k) % 9 === 0).slice(0, 5) : []
    const appIndex = dir.applications.add({
      id: id(K_APP, i),
      appId,
      displayName: name,
      description: r(K_APP, i, 11) < 0.5 ? `${name} for ${o.displayName}` : null,
      signInAudience: r(K_APP, i, 12) < 0.85 ? "AzureADMyOrg" : "AzureADMultipleOrgs",
      publisherDomain: o.domain,
      createdDateTime: iso(created),
      identifierUris: roles.length > 0 ? [`api://${appId}`] : [],
      tags: [],
      appRoles: roles,
      passwordCredentials: passwords,
      keyCredentials: keys,
      requiredResourceAccess: [
        {
          resourceAppId: MICROSOFT_GRAPH_APP_ID,
          resourceAccess: [
            { id: scope("User.Read").id, type: "Scope" as const },
            ...graphPerms.map((p) => ({ id: graphPermissionId(p), type: "Role" as const }))
          ]
        }
      ],
      web: { redirectUris: [`https://${slug(name).toLowerCase()}.${o.domain.split(".")[0]}.example/signin-oidc`], homePageUrl: null },
      deletedDateTime: null
    })
    appIndexes.push(appIndex)
    const spIndex = dir.servicePrincipals.add({
      id: id(K_APP, i, 2),
      appId,
      displayName: name,
      appDisplayName: name,
      appOwnerOrganizationId: o.tenantId,
      appRoleAssignmentRequired: roles.length > 0 && r(K_APP, i, 13) < 0.6,
      accountEnabled: r(K_APP, i, 14) > 0.04,
      servicePrincipalType: "Application",
      servicePrincipalNames: [appId, ...(roles.length > 0 ? [`api://${appId}`] : [])],
      signInAudience: "AzureADMyOrg",
      tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
      publisherName: o.displayName,
      homepage: null,
      appRoles: roles,
      oauth2PermissionScopes: [],
      passwordCredentials: [],
      keyCredentials: [],
      createdDateTime: iso(created),
      deletedDateTime: null
    })
    appSpIndexes.push(spIndex)
    spRefs.push(encodeRef("servicePrincipal", spIndex))
    const spId = dir.servicePrincipals.id(spIndex)
    for (const p of graphPerms) addAssignment(spId, "ServicePrincipal", graphSpId, graphPermissionId(p), created + DAY, i)
    if (r(K_APP, i, 15) < 0.4) {
      grants.push({
        id: tokenOf(43, seed, K_GRANT, i, 1),
        clientId: spId,
        consentType: "AllPrincipals",
        principalId: null,
        resourceId: graphSpId,
        scope: r(K_APP, i, 16) < 0.5 ? "openid profile User.Read offline_access" : "User.Read Mail.Read"
      })
    } else if (r(K_APP, i, 15) < 0.5 && U > 0) {
      const n = intIn(1, 3, seed, K_GRANT, i, 2)
      for (let k = 0; k < n; k++) {
        const u = memberUsers[hash32(seed, K_GRANT, i, 3 + k) % memberUsers.length]
        grants.push({
          id: tokenOf(43, seed, K_GRANT, i, 10 + k),
          clientId: spId,
          consentType: "Principal",
          principalId: userIds[u],
          resourceId: graphSpId,
          scope: "User.Read Files.Read"
        })
      }
    }
  }
  for (let i = 0; i < shape.managedIdentities; i++) {
    const appId = id(K_APP, 50_000 + i, 1)
    const name = `mi-${slug(APP_WORDS[i % APP_WORDS.length]).toLowerCase()}-${i + 1}`
    const spIndex = dir.servicePrincipals.add({
      id: id(K_APP, 50_000 + i, 2),
      appId,
      displayName: name,
      appDisplayName: name,
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      appRoleAssignmentRequired: false,
      accountEnabled: true,
      servicePrincipalType: "ManagedIdentity",
      servicePrincipalNames: [appId, `https://identity.azure.net/${tokenOf(20, seed, K_APP, 50_000 + i)}`],
      signInAudience: null,
      tags: [],
      publisherName: null,
      homepage: null,
      appRoles: [],
      oauth2PermissionScopes: [],
      passwordCredentials: [],
      keyCredentials: [],
      createdDateTime: iso(anchor - Math.floor(r(K_APP, 50_000 + i, 3) * 400) * DAY),
      deletedDateTime: null
    })
    spRefs.push(encodeRef("servicePrincipal", spIndex))
  }

  // The connector's own app registrations: their service principals hold the granted Graph app roles.
  const connectorSpIds: string[] = []
  for (const [n, app] of o.connectorApps.entries()) {
    dir.applications.add({
      id: app.objectId,
      appId: app.appId,
      displayName: app.displayName,
      description: "idconnect connector app registration (simulator)",
      signInAudience: "AzureADMyOrg",
      publisherDomain: o.domain,
      createdDateTime: iso(anchor - (40 + n) * DAY),
      identifierUris: [],
      tags: [],
      appRoles: [],
      passwordCredentials: [...app.passwordCredentials],
      keyCredentials: [...app.keyCredentials],
      requiredResourceAccess: [
        { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: app.permissions.map((p) => ({ id: graphPermissionId(p), type: "Role" as const })) }
      ],
      web: { redirectUris: [], homePageUrl: null },
      deletedDateTime: null
    })
    dir.servicePrincipals.add({
      id: app.servicePrincipalId,
      appId: app.appId,
      displayName: app.displayName,
      appDisplayName: app.displayName,
      appOwnerOrganizationId: o.tenantId,
      appRoleAssignmentRequired: false,
      accountEnabled: true,
      servicePrincipalType: "Application",
      servicePrincipalNames: [app.appId],
      signInAudience: "AzureADMyOrg",
      tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
      publisherName: o.displayName,
      homepage: null,
      appRoles: [],
      oauth2PermissionScopes: [],
      passwordCredentials: [],
      keyCredentials: [],
      createdDateTime: iso(anchor - (40 + n) * DAY),
      deletedDateTime: null
    })
    connectorSpIds.push(app.servicePrincipalId)
    for (const p of app.permissions) addAssignment(app.servicePrincipalId, "ServicePrincipal", graphSpId, graphPermissionId(p), anchor - 39 * DAY, 9000 + n)
  }

  // ------------------------------------------------------------------ groups
  const chainStart = 4
  const chainDepth = Math.min(shape.chainDepth, Math.max(0, G - chainStart))
  const kinds = new Uint8Array(G)
  const synced = new Uint8Array(G)
  for (let g = 0; g < G; g++) {
    if (g === 0) kinds[g] = G_DYNAMIC_SECURITY
    else if (g === 1) kinds[g] = G_M365
    else if (g === 2) kinds[g] = G_SECURITY
    else if (g === 3) kinds[g] = G_ROLE_ASSIGNABLE
    else if (g >= chainStart && g < chainStart + chainDepth) kinds[g] = G_SECURITY
    else {
      const x = r(K_GROUP, g, 1)
      kinds[g] = x < 0.52 ? G_SECURITY : x < 0.77 ? G_M365 : x < 0.8 ? G_DYNAMIC_SECURITY : x < 0.803 ? G_DYNAMIC_M365 : x < 0.813 ? G_ROLE_ASSIGNABLE : x < 0.92 ? G_DISTRIBUTION : G_MAIL_SECURITY
    }
    const k = kinds[g]
    synced[g] = (k === G_SECURITY || k === G_DISTRIBUTION || k === G_MAIL_SECURITY) && g > chainStart + chainDepth && r(K_GROUP, g, 2) < 0.15 ? 1 : 0
  }
  if (G > 5 && chainStart + chainDepth < G - 1) synced[G - 1] = kinds[G - 1] === G_SECURITY ? 1 : synced[G - 1]

  const byDepartmentOffice = new Map<string, number[]>()
  const byOffice = new Map<string, number[]>()
  for (let i = 0; i < U; i++) {
    if (isGuest(i)) continue
    const d = departmentOf(i)!
    const off = officeOf(i)!
    const key = `${d}|${off}`
    ;(byDepartmentOffice.get(key) ?? byDepartmentOffice.set(key, []).get(key)!).push(i)
    ;(byOffice.get(off) ?? byOffice.set(off, []).get(off)!).push(i)
  }
  const dynamicRule = (g: number): { rule: string; members: ReadonlyArray<number> } => {
    if (g === 0) return { rule: '(user.userType -eq "Member")', members: memberUsers }
    if (kinds[g] === G_DYNAMIC_M365) {
      const off = OFFICES[hash32(seed, K_GROUP, g, 3) % OFFICES.length]
      return { rule: `(user.officeLocation -eq "${off}")`, members: byOffice.get(off) ?? [] }
    }
    const d = DEPARTMENTS[hash32(seed, K_GROUP, g, 3) % DEPARTMENTS.length]
    const off = OFFICES[hash32(seed, K_GROUP, g, 5) % OFFICES.length]
    return { rule: `(user.department -eq "${d}") -and (user.officeLocation -eq "${off}")`, members: byDepartmentOffice.get(`${d}|${off}`) ?? [] }
  }
  const topicOf = (g: number) => GROUP_TOPICS[hash32(seed, K_GROUP, g, 4) % GROUP_TOPICS.length]
  const groupName = (g: number): string => {
    const k = kinds[g]
    if (g === 0) return "All Employees"
    if (g === 1) return "All Company"
    if (g === 2) return "Engineering"
    if (g === 3) return "Tier0 Admins"
    if (g >= chainStart && g < chainStart + chainDepth) return `Org Level ${g - chainStart + 1}`
    const n = String(g).padStart(4, "0")
    const t = topicOf(g)
    switch (k) {
      case G_M365: return `${t} Team ${n}`
      case G_DYNAMIC_SECURITY: return `DYN-${dynamicRule(g).rule.includes("department") ? "Dept" : "All"}-${t}-${n}`
      case G_DYNAMIC_M365: return `${t} Office Community ${n}`
      case G_ROLE_ASSIGNABLE: return `PAG-${t}-Admins-${n}`
      case G_DISTRIBUTION: return `DL-${t}-${n}`
      case G_MAIL_SECURITY: return `MSG-${t}-${n}`
      default: return `${synced[g] === 1 ? "AD" : "SG"}-${t}-${n}`
    }
  }
  const groupAt = (g: number): GroupRecord => {
    const k = kinds[g]
    const name = groupName(g)
    const nick = slug(name).toLowerCase().slice(0, 56) || `group${g}`
    const unified = k === G_M365 || k === G_DYNAMIC_M365
    const dynamic = k === G_DYNAMIC_SECURITY || k === G_DYNAMIC_M365
    const mailEnabled = unified || k === G_DISTRIBUTION || k === G_MAIL_SECURITY
    const isSynced = synced[g] === 1
    const created = anchor - Math.floor(10 + r(K_GROUP, g, 5) * 1500) * DAY
    return {
      id: groupIds[g],
      displayName: name,
      description: r(K_GROUP, g, 6) < 0.6 ? `${name} (${o.displayName})` : null,
      mail: mailEnabled ? `${nick}@${o.domain}` : null,
      mailEnabled,
      mailNickname: nick,
      securityEnabled: k !== G_DISTRIBUTION && !(unified && r(K_GROUP, g, 7) < 0.8),
      groupTypes: [...(unified ? ["Unified"] : []), ...(dynamic ? ["DynamicMembership"] : [])],
      membershipRule: dynamic ? dynamicRule(g).rule : null,
      membershipRuleProcessingState: dynamic ? (r(K_GROUP, g, 8) < 0.95 ? "On" : "Paused") : null,
      isAssignableToRole: k === G_ROLE_ASSIGNABLE ? true : null,
      visibility: unified ? (r(K_GROUP, g, 9) < 0.6 ? "Public" : "Private") : k === G_ROLE_ASSIGNABLE ? "Private" : null,
      classification: null,
      createdDateTime: iso(created),
      renewedDateTime: iso(created),
      expirationDateTime: null,
      onPremisesSyncEnabled: isSynced ? true : null,
      onPremisesSamAccountName: isSynced ? nick.slice(0, 20) : null,
      onPremisesSecurityIdentifier: isSynced ? `S-1-5-21-${hash32(seed, 99, 1)}-${hash32(seed, 99, 2)}-${hash32(seed, 99, 3)}-${50000 + g}` : null,
      onPremisesDomainName: isSynced ? `corp.${o.domain.split(".")[0]}.local` : null,
      onPremisesNetBiosName: isSynced ? "CORP" : null,
      onPremisesLastSyncDateTime: isSynced ? iso(anchor - Math.floor(r(K_GROUP, g, 10) * 3600_000)) : null,
      securityIdentifier: `S-1-12-1-${hash32(seed, K_GROUP, g, 11)}-${hash32(seed, K_GROUP, g, 12)}-${hash32(seed, K_GROUP, g, 13)}-${hash32(seed, K_GROUP, g, 14)}`,
      proxyAddresses: mailEnabled ? [`SMTP:${nick}@${o.domain}`] : [],
      resourceProvisioningOptions: unified && r(K_GROUP, g, 15) < 0.5 ? ["Team"] : [],
      creationOptions: unified && r(K_GROUP, g, 15) < 0.5 ? ["Team", "ExchangeProvisioningFlags:3552"] : [],
      deletedDateTime: softDeletedGroup(g) ? iso(anchor - Math.floor(1 + r(K_GROUP, g, 16) * 20) * DAY) : null
    }
  }
  const softDeletedGroup = (g: number) => g > chainStart + chainDepth && kinds[g] === G_M365 && r(K_GROUP, g, 17) < 0.01
  const groupIds: string[] = new Array(G)
  for (let g = 0; g < G; g++) groupIds[g] = id(K_GROUP, g)
  dir.groups.defineGenerated(G, (g) => groupIds[g], groupAt)
  for (let g = 0; g < G; g++) if (softDeletedGroup(g)) dir.groups.setState(g, SOFT_DELETED)

  /** `count` distinct indexes in [0, n) chosen by a coprime stride walk (fast and duplicate-free). */
  const sample = (n: number, count: number, ...parts: number[]): Uint32Array => {
    if (n === 0 || count <= 0) return new Uint32Array(0)
    const c = Math.min(count, n)
    let stride = 1 + (hash32(seed, ...parts, 1) % Math.max(1, n - 1))
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))
    while (gcd(stride, n) !== 1) stride++
    const start = hash32(seed, ...parts, 2) % n
    const out = new Uint32Array(c)
    for (let k = 0; k < c; k++) out[k] = (start + k * stride) % n
    return out
  }
  // A user's encoded ref is its index (user kind code 0), so index arrays are ref arrays.
  const memberUsersArr = Uint32Array.from(memberUsers)
  const viaMembers = (picks: Uint32Array): Uint32Array => {
    for (let k = 0; k < picks.length; k++) picks[k] = memberUsersArr[picks[k]]
    return picks
  }
  const sizeFor = (g: number): number => {
    const x = r(K_GROUP, g, 20)
    const n = x < 0.7 ? intIn(2, 25, seed, K_GROUP, g, 21) : x < 0.95 ? intIn(25, 200, seed, K_GROUP, g, 21) : intIn(200, 2000, seed, K_GROUP, g, 21)
    return Math.min(n, Math.max(1, Math.floor(U / 2)))
  }
  const securityCandidates: number[] = []
  for (let g = 0; g < G; g++) if (kinds[g] === G_SECURITY && synced[g] === 0 && !(g >= chainStart && g < chainStart + chainDepth)) securityCandidates.push(g)

  for (let g = 0; g < G; g++) {
    const k = kinds[g]
    let users: Uint32Array
    const refs: number[] = []
    if (k === G_DYNAMIC_SECURITY || k === G_DYNAMIC_M365) {
      users = Uint32Array.from(dynamicRule(g).members)
    } else if (g === 1) {
      users = sample(U, Math.ceil(U * 0.6), K_GROUP, g, 30)
    } else if (g === 2) {
      users = viaMembers(sample(memberUsers.length, Math.ceil(U * 0.52), K_GROUP, g, 30))
    } else if (k === G_ROLE_ASSIGNABLE) {
      users = viaMembers(sample(memberUsers.length, intIn(2, 6, seed, K_GROUP, g, 31), K_GROUP, g, 30))
      if (g === 3 && U >= 10) refs.push(encodeRef("user", 0))
    } else if (g >= chainStart && g < chainStart + chainDepth) {
      users = viaMembers(sample(memberUsers.length, intIn(1, 5, seed, K_GROUP, g, 31), K_GROUP, g, 30))
      if (g + 1 < chainStart + chainDepth) refs.push(encodeRef("group", g + 1))
    } else {
      const pool = k === G_M365 ? U : memberUsers.length
      const chosen = sample(pool, sizeFor(g), K_GROUP, g, 30)
      users = k === G_M365 ? chosen : viaMembers(chosen)
      if (k === G_SECURITY && synced[g] === 0) {
        if (r(K_GROUP, g, 32) < 0.1) {
          // securityCandidates is ascending: nesting only into higher indexes keeps the graph acyclic.
          let lo = 0
          let hi = securityCandidates.length
          while (lo < hi) {
            const mid = (lo + hi) >>> 1
            if (securityCandidates[mid] <= g) lo = mid + 1
            else hi = mid
          }
          const later = securityCandidates.length - lo
          const n = Math.min(later, intIn(1, 3, seed, K_GROUP, g, 33))
          for (let x = 0; x < n; x++) refs.push(encodeRef("group", securityCandidates[lo + (hash32(seed, K_GROUP, g, 34 + x) % later)]))
        }
        if (spRefs.length > 0 && r(K_GROUP, g, 40) < 0.05) {
          for (let x = 0; x < intIn(1, 3, seed, K_GROUP, g, 41); x++) refs.push(spRefs[hash32(seed, K_GROUP, g, 42 + x) % spRefs.length])
        }
        if (shape.devices > 0 && r(K_GROUP, g, 50) < 0.05) {
          for (const d of sample(shape.devices, intIn(2, 50, seed, K_GROUP, g, 51), K_GROUP, g, 52)) refs.push(encodeRef("device", d))
        }
        if (shape.orgContacts > 0 && r(K_GROUP, g, 60) < 0.03) {
          for (const c of sample(shape.orgContacts, intIn(1, 5, seed, K_GROUP, g, 61), K_GROUP, g, 62)) refs.push(encodeRef("orgContact", c))
        }
      }
      if (k === G_DISTRIBUTION && shape.orgContacts > 0) {
        for (const c of sample(shape.orgContacts, intIn(1, 3, seed, K_GROUP, g, 61), K_GROUP, g, 62)) refs.push(encodeRef("orgContact", c))
      }
    }
    if (refs.length > 0) {
      const all = new Uint32Array(users.length + refs.length)
      all.set(users, 0)
      all.set(refs, users.length)
      users = all
    }
    dir.groupMembers[g] = users.length === 0 ? EMPTY_REFS : toSortedRefs(users)
    // Owners: M365 groups almost always have them; security groups often do; dynamic groups rarely.
    const owners: number[] = []
    const ownerCount = k === G_M365 ? intIn(1, 2, seed, K_GROUP, g, 70) : k === G_ROLE_ASSIGNABLE || k === G_DISTRIBUTION ? 1 : r(K_GROUP, g, 71) < 0.6 ? (r(K_GROUP, g, 72) < 0.15 ? 2 : 1) : 0
    for (let x = 0; x < ownerCount && memberUsers.length > 0; x++) owners.push(encodeRef("user", memberUsers[hash32(seed, K_GROUP, g, 73 + x) % memberUsers.length]))
    if (k === G_SECURITY && spRefs.length > 0 && r(K_GROUP, g, 75) < 0.05) owners.push(spRefs[hash32(seed, K_GROUP, g, 76) % spRefs.length])
    dir.groupOwners[g] = owners.length === 0 ? EMPTY_REFS : toSortedRefs(owners)
  }
  // Demo-sized tenants get a device, a contact and a service principal as members of a security group.
  if (G > chainStart && chainDepth > 0) {
    const last = chainStart + chainDepth - 1
    const extra = [...dir.groupMembers[last]]
    if (shape.devices > 0) extra.push(encodeRef("device", 0))
    if (shape.orgContacts > 0) extra.push(encodeRef("orgContact", 0))
    if (spRefs.length > 0) extra.push(spRefs[0])
    dir.groupMembers[last] = toSortedRefs(extra)
  }

  // Application / service principal owners.
  for (let n = 0; n < appIndexes.length; n++) {
    const owners: number[] = []
    const count = r(K_APP, n, 90) < 0.3 ? 0 : r(K_APP, n, 91) < 0.7 ? 1 : 2
    for (let x = 0; x < count && memberUsers.length > 0; x++) owners.push(encodeRef("user", memberUsers[hash32(seed, K_APP, n, 92 + x) % memberUsers.length]))
    dir.applicationOwners[appIndexes[n]] = toSortedRefs(owners)
    dir.servicePrincipalOwners[appSpIndexes[n]] = owners.length > 0 && r(K_APP, n, 95) < 0.5 ? toSortedRefs(owners.slice(0, 1)) : EMPTY_REFS
  }

  // App role assignments of users and groups to tenant apps.
  for (let n = 0; n < appSpIndexes.length; n++) {
    const sp = dir.servicePrincipals.get(appSpIndexes[n])
    const roles = sp.appRoles.filter((x) => x.allowedMemberTypes.includes("User"))
    const roleIds = roles.length > 0 ? roles.map((x) => x.id) : ["00000000-0000-0000-0000-000000000000"]
    const count = roles.length > 0 ? intIn(1, 20, seed, K_ASSIGN, n, 1) : r(K_ASSIGN, n, 2) < 0.3 ? intIn(1, 5, seed, K_ASSIGN, n, 3) : 0
    for (let x = 0; x < count; x++) {
      const toGroup = G > 0 && r(K_ASSIGN, n, 10 + x) < 0.3
      const roleId = roleIds[hash32(seed, K_ASSIGN, n, 100 + x) % roleIds.length]
      const created = anchor - Math.floor(r(K_ASSIGN, n, 200 + x) * 500) * DAY
      if (toGroup) {
        const g = hash32(seed, K_ASSIGN, n, 300 + x) % G
        if (kinds[g] === G_DISTRIBUTION || softDeletedGroup(g)) continue
        addAssignment(groupIds[g], "Group", sp.id, roleId, created, x)
      } else if (memberUsers.length > 0) {
        const u = hash32(seed, K_ASSIGN, n, 300 + x) % U
        if (isSoftDeleted(u)) continue
        addAssignment(userIds[u], "User", sp.id, roleId, created, x)
      }
    }
  }
  dir.appRoleAssignments = assignments
  dir.oauth2PermissionGrants = grants

  // ------------------------------------------------------------------ administrative units
  for (let a = 0; a < shape.administrativeUnits; a++) {
    const office = OFFICES[a % OFFICES.length]
    const au: AdministrativeUnitRecord = {
      id: id(K_AU, a),
      displayName: a < OFFICES.length ? `${office} Region` : `${office} Region ${Math.floor(a / OFFICES.length) + 1}`,
      description: `Users and groups administered by the ${office} IT team`,
      visibility: a === 0 && shape.administrativeUnits > 1 ? "HiddenMembership" : null,
      membershipType: null,
      membershipRule: null,
      isMemberManagementRestricted: false,
      deletedDateTime: null
    }
    const index = dir.administrativeUnits.add(au)
    const officeUsers = (byOffice.get(office) ?? []).filter((u) => u % (Math.floor(a / OFFICES.length) + 1) === 0)
    const refs: number[] = officeUsers.slice(0, Math.max(3, Math.min(5000, Math.ceil(U / Math.max(1, shape.administrativeUnits))))).map((u) => encodeRef("user", u))
    for (const g of sample(G, Math.min(5, G), K_AU, a, 1)) if (!softDeletedGroup(g)) refs.push(encodeRef("group", g))
    dir.auMembers[index] = toSortedRefs(refs)
  }

  // ------------------------------------------------------------------ roles
  dir.roleDefinitions = [
    ...BUILT_IN_ROLES.map((b) => ({
      id: b.templateId,
      templateId: b.templateId,
      displayName: b.displayName,
      description: b.description,
      isBuiltIn: true,
      isEnabled: true,
      isPrivileged: b.isPrivileged,
      resourceScopes: ["/"],
      version: "1",
      rolePermissions: [{ allowedResourceActions: [`microsoft.directory/${slug(b.displayName).toLowerCase()}/allProperties/allTasks`], condition: null }],
      inheritsPermissionsFrom: []
    })),
    ...["Helpdesk Tier 1", "App Registration Reader"].map((name, n) => {
      const rid = id(K_ROLE, 900 + n)
      return {
        id: rid,
        templateId: rid,
        displayName: `${o.displayName} ${name}`,
        description: `Custom role: ${name}`,
        isBuiltIn: false,
        isEnabled: true,
        isPrivileged: false,
        resourceScopes: ["/"],
        version: "1",
        rolePermissions: [{ allowedResourceActions: n === 0 ? ["microsoft.directory/users/password/update"] : ["microsoft.directory/applications/standard/read"], condition: null }],
        inheritsPermissionsFrom: []
      }
    })
  ]
  const roleAssignments: RoleAssignmentRecord[] = []
  const eligibilities: RoleEligibilityScheduleRecord[] = []
  const roleKeys = new Set<string>()
  const auIds = Array.from({ length: dir.administrativeUnits.size }, (_, a) => dir.administrativeUnits.id(a))
  const appObjectIds = appIndexes.map((a) => dir.applications.id(a))
  const addRole = (principalId: string, roleDefinitionId: string, directoryScopeId: string, n: number, created: number) => {
    const key = `A|${principalId}|${roleDefinitionId}|${directoryScopeId}`
    if (roleKeys.has(key)) return
    roleKeys.add(key)
    roleAssignments.push({
      id: `${tokenOf(43, seed, K_ROLE, stringCode(key), n)}-1`,
      principalId,
      roleDefinitionId,
      directoryScopeId,
      appScopeId: null,
      createdDateTime: iso(created)
    })
  }
  const addEligible = (principalId: string, roleDefinitionId: string, directoryScopeId: string, n: number, created: number, endDays: number | null) => {
    const key = `E|${principalId}|${roleDefinitionId}|${directoryScopeId}`
    if (roleKeys.has(key)) return
    roleKeys.add(key)
    eligibilities.push({
      id: guidOf(seed, K_ROLE, stringCode(key), n),
      principalId,
      roleDefinitionId,
      directoryScopeId,
      appScopeId: null,
      memberType: "Direct",
      status: "Provisioned",
      createdUsing: guidOf(seed, K_ROLE, stringCode(key), n, 1),
      createdDateTime: iso(created),
      modifiedDateTime: null,
      scheduleInfo: {
        startDateTime: iso(created),
        expiration: endDays === null ? { type: "noExpiration", endDateTime: null, duration: null } : { type: "afterDateTime", endDateTime: iso(anchor + endDays * DAY), duration: null }
      }
    })
  }
  const roleAssignable = Array.from(kinds.keys()).filter((g) => kinds[g] === G_ROLE_ASSIGNABLE)
  if (U > 0) {
    addRole(userIds[0], GLOBAL_ADMINISTRATOR, "/", 0, anchor - 1800 * DAY)
    const extraGa = Math.max(0, Math.floor(U / 5000))
    for (let x = 0; x < extraGa; x++) addRole(userIds[memberUsers[hash32(seed, K_ROLE, 1, x) % memberUsers.length]], GLOBAL_ADMINISTRATOR, "/", x, anchor - 900 * DAY)
    if (U >= 10) {
      addEligible(userIds[1], PRIVILEGED_ROLE_ADMINISTRATOR, "/", 1, anchor - 200 * DAY, null)
      addEligible(userIds[2], USER_ADMINISTRATOR, "/", 2, anchor - 100 * DAY, 90)
      addRole(userIds[2], HELPDESK_ADMINISTRATOR, auIds.length > 0 ? `/administrativeUnits/${auIds[0]}` : "/", 2, anchor - 100 * DAY)
    }
  }
  if (appSpIndexes.length > 0) {
    addRole(dir.servicePrincipals.id(appSpIndexes[0]), "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "/", 4, anchor - 200 * DAY)
    if (U >= 10) addRole(userIds[5], APPLICATION_ADMINISTRATOR, `/${appObjectIds[0]}`, 5, anchor - 150 * DAY)
  }
  if (G > 3) {
    addRole(groupIds[3], "194ae4cb-b126-40b2-bd5b-6091b380977d", "/", 3, anchor - 300 * DAY)
    addEligible(groupIds[3], "29232cdf-9323-42fd-ade2-1d097af3e4de", "/", 3, anchor - 300 * DAY, null)
  }
  const assignable = BUILT_IN_ROLES.filter((b) => b.templateId !== GLOBAL_ADMINISTRATOR).map((b) => b.templateId)
  const R = Math.min(400, Math.max(4, Math.floor(U / 250)))
  for (let x = 0; x < R && memberUsers.length > 0; x++) {
    const roleId = assignable[hash32(seed, K_ROLE, 10, x) % assignable.length]
    const pick = r(K_ROLE, 11, x)
    let principalId: string
    if (pick < 0.08 && roleAssignable.length > 0) principalId = groupIds[roleAssignable[hash32(seed, K_ROLE, 12, x) % roleAssignable.length]]
    else if (pick < 0.15 && appSpIndexes.length > 0) principalId = dir.servicePrincipals.id(appSpIndexes[hash32(seed, K_ROLE, 13, x) % appSpIndexes.length])
    else {
      const u = memberUsers[hash32(seed, K_ROLE, 14, x) % memberUsers.length]
      if (isSoftDeleted(u)) continue
      principalId = userIds[u]
    }
    let scopeId = "/"
    if ((roleId === USER_ADMINISTRATOR || roleId === HELPDESK_ADMINISTRATOR || roleId === GROUPS_ADMINISTRATOR) && auIds.length > 0 && r(K_ROLE, 15, x) < 0.3) {
      scopeId = `/administrativeUnits/${auIds[hash32(seed, K_ROLE, 16, x) % auIds.length]}`
    } else if ((roleId === APPLICATION_ADMINISTRATOR || roleId === CLOUD_APPLICATION_ADMINISTRATOR) && appObjectIds.length > 0 && r(K_ROLE, 15, x) < 0.3) {
      scopeId = `/${appObjectIds[hash32(seed, K_ROLE, 16, x) % appObjectIds.length]}`
    }
    addRole(principalId, roleId, scopeId, x, anchor - Math.floor(r(K_ROLE, 17, x) * 700) * DAY)
  }
  const E = Math.min(300, Math.max(3, Math.floor(U / 300)))
  for (let x = 0; x < E && memberUsers.length > 0; x++) {
    const roleId = x % 17 === 0 ? GLOBAL_ADMINISTRATOR : assignable[hash32(seed, K_ROLE, 20, x) % assignable.length]
    const toGroup = roleAssignable.length > 0 && r(K_ROLE, 21, x) < 0.1
    const u = memberUsers[hash32(seed, K_ROLE, 22, x) % memberUsers.length]
    if (!toGroup && isSoftDeleted(u)) continue
    const principalId = toGroup ? groupIds[roleAssignable[hash32(seed, K_ROLE, 23, x) % roleAssignable.length]] : userIds[u]
    const end = r(K_ROLE, 24, x) < 0.4 ? Math.floor(10 + r(K_ROLE, 25, x) * 300) : null
    addEligible(principalId, roleId, "/", x, anchor - Math.floor(r(K_ROLE, 26, x) * 500) * DAY, end)
  }
  if (o.mainAppPrivileged && connectorSpIds.length > 0) addRole(connectorSpIds[0], PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, "/", 0, anchor - 30 * DAY)
  dir.roleAssignments = roleAssignments
  dir.roleEligibilitySchedules = eligibilities

  // ------------------------------------------------------------------ organization (activateRole needs it)
  dir.organization = organizationRecord(o, anchor)
  dir.activateRole(GLOBAL_ADMINISTRATOR)
  for (const a of roleAssignments) dir.activateRole(a.roleDefinitionId)

  // ------------------------------------------------------------------ risk
  const riskyUsers: RiskyUserRecord[] = []
  const detections: RiskDetectionRecord[] = []
  const riskTypes = ["unfamiliarFeatures", "anonymizedIPAddress", "maliciousIPAddress", "leakedCredentials", "impossibleTravel", "passwordSpray"]
  for (let i = 0; i < U; i++) {
    if ((traitFlags[i] & 16) === 0 || isSoftDeleted(i)) continue
    const u = userAt(i)
    const lvl = r(K_RISK, i, 1)
    const state = r(K_RISK, i, 2)
    const updated = anchor - Math.floor(r(K_RISK, i, 3) * 60 * DAY)
    const riskState = state < 0.7 ? "atRisk" : state < 0.8 ? "confirmedCompromised" : state < 0.9 ? "remediated" : "dismissed"
    riskyUsers.push({
      id: u.id,
      isDeleted: false,
      isProcessing: false,
      riskLastUpdatedDateTime: iso(updated),
      riskLevel: riskState === "remediated" || riskState === "dismissed" ? "none" : lvl < 0.4 ? "low" : lvl < 0.8 ? "medium" : "high",
      riskState,
      riskDetail: riskState === "remediated" ? "userPerformedSecuredPasswordReset" : riskState === "dismissed" ? "adminDismissedAllRiskForUser" : "none",
      userDisplayName: u.displayName,
      userPrincipalName: u.userPrincipalName
    })
    for (let d = 0; d < intIn(1, 3, seed, K_RISK, i, 4); d++) {
      const when = updated - d * 3 * DAY
      const office = officeOf(i) ?? "Remote"
      detections.push({
        id: tokenOf(64, seed, K_RISK, i, d).replace(/[-_]/g, "0").toLowerCase(),
        requestId: id(K_RISK, i, 10 + d),
        correlationId: id(K_RISK, i, 20 + d),
        riskEventType: riskTypes[hash32(seed, K_RISK, i, 30 + d) % riskTypes.length],
        riskState,
        riskLevel: lvl < 0.4 ? "low" : lvl < 0.8 ? "medium" : "high",
        riskDetail: "none",
        source: "IdentityProtection",
        detectionTimingType: d === 0 ? "realtime" : "offline",
        activity: "signin",
        ipAddress: `203.0.113.${hash32(seed, K_RISK, i, 40 + d) % 250}`,
        activityDateTime: iso(when),
        detectedDateTime: iso(when + 60_000),
        lastUpdatedDateTime: iso(when + 120_000),
        userId: u.id,
        userDisplayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        location: { city: office, countryOrRegion: COUNTRIES[hash32(seed, K_USER, i, 8) % COUNTRIES.length] }
      })
    }
  }
  dir.riskyUsers = riskyUsers
  dir.riskDetections = detections.sort((a, b) => b.detectedDateTime.localeCompare(a.detectedDateTime))

  // ------------------------------------------------------------------ logs (generated on demand)
  const window = 30 * DAY
  const auditSpacing = Math.max(1000, Math.floor(window / Math.max(1, shape.directoryAudits)))
  const activities: ReadonlyArray<readonly [string, string, string, string]> = [
    ["Add member to group", "GroupManagement", "Assign", "Group"],
    ["Remove member from group", "GroupManagement", "Unassign", "Group"],
    ["Update user", "UserManagement", "Update", "User"],
    ["Add user", "UserManagement", "Add", "User"],
    ["Disable account", "UserManagement", "Update", "User"],
    ["Add member to role", "RoleManagement", "Assign", "Role"],
    ["Add app role assignment to service principal", "ApplicationManagement", "Assign", "ServicePrincipal"],
    ["Update application – Certificates and secrets management ", "ApplicationManagement", "Update", "Application"],
    ["Consent to application", "ApplicationManagement", "Assign", "ServicePrincipal"],
    ["Reset user password", "UserManagement", "Update", "User"]
  ]
  dir.directoryAudits = {
    count: shape.directoryAudits,
    timeAt: (i) => anchor - (i + 1) * auditSpacing,
    at: (i) => {
      const [activity, category, operationType, targetType] = activities[hash32(seed, K_AUDIT, i, 1) % activities.length]
      const actor = U > 0 ? userAt(memberUsers[hash32(seed, K_AUDIT, i, 2) % memberUsers.length]) : null
      const byApp = r(K_AUDIT, i, 3) < 0.25
      const target = U > 0 ? userAt(hash32(seed, K_AUDIT, i, 4) % U) : null
      const group = G > 0 ? groupAt(hash32(seed, K_AUDIT, i, 5) % G) : null
      const targetResources: DirectoryAuditRecord["targetResources"] = []
      if (targetType === "Group" && group !== null && target !== null) {
        targetResources.push({ id: target.id, displayName: null, type: "User", userPrincipalName: target.userPrincipalName, groupType: null, modifiedProperties: [{ displayName: "Group.DisplayName", oldValue: null, newValue: JSON.stringify(group.displayName) }] })
        targetResources.push({ id: group.id, displayName: group.displayName, type: "Group", userPrincipalName: null, groupType: group.groupTypes.includes("Unified") ? "unifiedGroups" : "azureAD", modifiedProperties: [] })
      } else if (target !== null) {
        targetResources.push({ id: target.id, displayName: null, type: targetType, userPrincipalName: target.userPrincipalName, groupType: null, modifiedProperties: activity === "Disable account" ? [{ displayName: "AccountEnabled", oldValue: "[true]", newValue: "[false]" }] : [] })
      }
      return {
        id: `Directory_${id(K_AUDIT, i).toUpperCase().replace(/-/g, "").slice(0, 5)}_${tokenOf(5, seed, K_AUDIT, i).toUpperCase()}_${i}`,
        category,
        correlationId: id(K_AUDIT, i, 6),
        result: r(K_AUDIT, i, 7) < 0.97 ? "success" : "failure",
        resultReason: "",
        activityDisplayName: activity,
        activityDateTime: iso(anchor - (i + 1) * auditSpacing),
        loggedByService: "Core Directory",
        operationType,
        initiatedBy: byApp
          ? { user: null, app: { appId: MICROSOFT_GRAPH_APP_ID, displayName: "Microsoft Graph", servicePrincipalId: graphSpId, servicePrincipalName: null } }
          : { user: actor === null ? null : { id: actor.id, displayName: null, userPrincipalName: actor.userPrincipalName, ipAddress: `198.51.100.${hash32(seed, K_AUDIT, i, 8) % 250}` }, app: null },
        targetResources,
        additionalDetails: [{ key: "User-Agent", value: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" }]
      }
    }
  }
  const signInSpacing = Math.max(500, Math.floor(window / Math.max(1, shape.signIns)))
  const apps = ["Office 365 Exchange Online", "Microsoft Teams", "Azure Portal", "Office 365 SharePoint Online", "Microsoft Graph Explorer"]
  dir.signIns = {
    count: shape.signIns,
    timeAt: (i) => anchor - (i + 1) * signInSpacing,
    at: (i) => {
      const u = U > 0 ? userAt(hash32(seed, K_SIGNIN, i, 1) % U) : userAt(0)
      const fail = r(K_SIGNIN, i, 2) < 0.06
      const [os] = OPERATING_SYSTEMS[hash32(seed, K_SIGNIN, i, 3) % OPERATING_SYSTEMS.length]
      const appName = apps[hash32(seed, K_SIGNIN, i, 4) % apps.length]
      const office = u.officeLocation ?? "Remote"
      return {
        // The last GUID group carries the index so /auditLogs/signIns/{id} can find the entry without a scan.
        id: id(K_SIGNIN, i).slice(0, 24) + i.toString(16).padStart(12, "0"),
        createdDateTime: iso(anchor - (i + 1) * signInSpacing),
        userDisplayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        userId: u.id,
        appId: guidOf(0x617070, stringCode(appName)),
        appDisplayName: appName,
        ipAddress: `198.51.100.${hash32(seed, K_SIGNIN, i, 5) % 250}`,
        clientAppUsed: "Browser",
        correlationId: id(K_SIGNIN, i, 1),
        conditionalAccessStatus: fail ? "failure" : r(K_SIGNIN, i, 6) < 0.5 ? "success" : "notApplied",
        isInteractive: true,
        riskDetail: "none",
        riskLevelAggregated: "none",
        riskLevelDuringSignIn: "none",
        riskState: "none",
        riskEventTypes_v2: [],
        resourceDisplayName: appName,
        resourceId: guidOf(0x726573, stringCode(appName)),
        status: fail ? { errorCode: 50126, failureReason: "Error validating credentials due to invalid username or password.", additionalDetails: null } : { errorCode: 0, failureReason: null, additionalDetails: null },
        deviceDetail: { deviceId: "", displayName: "", operatingSystem: os, browser: "Edge 126.0.0", isCompliant: false, isManaged: false, trustType: "" },
        location: { city: office, state: "", countryOrRegion: u.country ?? "US", geoCoordinates: { altitude: null, latitude: 47.6, longitude: -122.3 } },
        appliedConditionalAccessPolicies: []
      }
    }
  }
  return dir
}

/** The organization object; its assigned plans reflect the tenant's Entra ID licence. */
export const organizationRecord = (o: Pick<GenerateOptions, "tenantId" | "displayName" | "domain" | "license">, anchor: number): OrganizationRecord => ({
  id: o.tenantId,
  displayName: o.displayName,
  createdDateTime: iso(anchor - 6 * 365 * DAY),
  tenantType: "AAD",
  countryLetterCode: "US",
  preferredLanguage: "en",
  onPremisesSyncEnabled: true,
  onPremisesLastSyncDateTime: iso(anchor - 1_800_000),
  verifiedDomains: [{ name: o.domain, type: "Managed", isDefault: true, isInitial: true, capabilities: "Email, OfficeCommunicationsOnlineWithoutMCO" }],
  assignedPlans: licensePlans(o.license, anchor),
  technicalNotificationMails: [`admin@${o.domain}`],
  businessPhones: ["+1 425 555 0100"],
  city: "Redmond",
  country: "United States",
  deletedDateTime: null
})

/** Service plans granted by an Entra ID licence (P2 includes P1). */
export const licensePlans = (license: License, anchor: number): OrganizationRecord["assignedPlans"] => {
  const plan = (service: string, servicePlanId: string) => ({ assignedDateTime: iso(anchor - 400 * DAY), capabilityStatus: "Enabled", service, servicePlanId })
  const plans = [plan("exchange", "efb87545-963c-4e0d-99df-69c6916d9eb0"), plan("SharePoint", "5dbe027f-2339-4123-9542-606e4d348a72")]
  if (license === "P1" || license === "P2") plans.push(plan("AADPremiumService", "41781fb2-bc02-4b7c-bd55-b576c07bb09d"))
  if (license === "P2") plans.push(plan("AADPremiumService", "eec0eb4f-6444-4f95-aba0-50c24d67f998"))
  return plans
}
