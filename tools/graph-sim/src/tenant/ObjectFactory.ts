import { randomUUID } from "node:crypto"
import type { GroupRecord, UserRecord } from "./Records.ts"
import { isoSeconds } from "../internal/IsoDate.ts"

const iso = isoSeconds

/** Input for creating a user (Graph's POST /users body shape; extra Graph properties are kept). */
export type UserInput = Partial<Omit<UserRecord, "id" | "_managerId">> & {
  readonly displayName: string
  readonly userPrincipalName: string
  readonly id?: string
  readonly managerId?: string | null
}

/** Input for creating a group (Graph's POST /groups body shape). */
export type GroupInput = Partial<Omit<GroupRecord, "id">> & { readonly displayName: string; readonly id?: string }

const sid = (): string => {
  const n = () => Math.floor(Math.random() * 4294967295)
  return `S-1-12-1-${n()}-${n()}-${n()}-${n()}`
}

/** A complete user record from a partial input, with Graph's defaults for everything not given. */
export const newUser = (input: UserInput, now: number): UserRecord => {
  const local = input.userPrincipalName.split("@")[0]
  const { id, managerId, ...rest } = input
  const base: UserRecord = {
    id: id ?? randomUUID(),
    displayName: input.displayName,
    givenName: null,
    surname: null,
    userPrincipalName: input.userPrincipalName,
    mail: null,
    mailNickname: input.mailNickname ?? local,
    jobTitle: null,
    department: null,
    companyName: null,
    officeLocation: null,
    city: null,
    country: null,
    usageLocation: null,
    mobilePhone: null,
    businessPhones: [],
    preferredLanguage: null,
    accountEnabled: true,
    userType: "Member",
    createdDateTime: iso(now),
    creationType: null,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    onPremisesSyncEnabled: null,
    onPremisesImmutableId: null,
    onPremisesSamAccountName: null,
    onPremisesUserPrincipalName: null,
    onPremisesDomainName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesDistinguishedName: null,
    onPremisesLastSyncDateTime: null,
    securityIdentifier: sid(),
    employeeId: null,
    employeeType: null,
    employeeHireDate: null,
    employeeLeaveDateTime: null,
    lastPasswordChangeDateTime: iso(now),
    signInSessionsValidFromDateTime: iso(now),
    signInActivity: null,
    assignedLicenses: [],
    otherMails: [],
    proxyAddresses: [],
    identities: [{ signInType: "userPrincipalName", issuer: input.userPrincipalName.split("@")[1] ?? "", issuerAssignedId: input.userPrincipalName }],
    deletedDateTime: null,
    _managerId: managerId ?? null
  }
  const known = new Set(Object.keys(base))
  const patch = Object.fromEntries(Object.entries(rest).filter(([k]) => known.has(k)))
  return { ...base, ...patch } as UserRecord
}

/** A complete group record from a partial input. */
export const newGroup = (input: GroupInput, now: number): GroupRecord => {
  const { id, ...rest } = input
  const nick = input.mailNickname ?? input.displayName.replace(/[^A-Za-z0-9]/g, "").toLowerCase()
  const unified = (input.groupTypes ?? []).includes("Unified")
  const base: GroupRecord = {
    id: id ?? randomUUID(),
    displayName: input.displayName,
    description: null,
    mail: null,
    mailEnabled: false,
    mailNickname: nick,
    securityEnabled: true,
    groupTypes: [],
    membershipRule: null,
    membershipRuleProcessingState: null,
    isAssignableToRole: null,
    visibility: unified ? "Public" : null,
    classification: null,
    createdDateTime: iso(now),
    renewedDateTime: iso(now),
    expirationDateTime: null,
    onPremisesSyncEnabled: null,
    onPremisesSamAccountName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesDomainName: null,
    onPremisesNetBiosName: null,
    onPremisesLastSyncDateTime: null,
    securityIdentifier: sid(),
    proxyAddresses: [],
    resourceProvisioningOptions: [],
    creationOptions: [],
    deletedDateTime: null
  }
  const known = new Set(Object.keys(base))
  const patch = Object.fromEntries(Object.entries(rest).filter(([k]) => known.has(k)))
  return { ...base, ...patch } as GroupRecord
}
