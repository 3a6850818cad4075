import { type AppCertificate, generateAppCertificate } from "../Ca.ts"
import { Counters } from "../graph/Counters.ts"
import { FaultInjector, type FaultSpec } from "../graph/Faults.ts"
import { type GlobalThrottle, TenantThrottle, type ThrottleConfig } from "../graph/Throttle.ts"
import { guidOf, stringCode, tokenOf } from "../internal/Random.ts"
import { PRIVILEGED_AUTHENTICATION_ADMINISTRATOR } from "./BuiltInRoles.ts"
import { Directory } from "./Directory.ts"
import { type ConnectorAppSpec, generateTenant, licensePlans } from "./Generator.ts"
import { LIFECYCLE_PERMISSIONS, PARTIAL_PERMISSIONS, READ_PERMISSIONS } from "./GraphPermissions.ts"
import { GroundTruth, type TruthUser, toTruthUser } from "./GroundTruth.ts"
import { type GroupInput, newGroup, newUser, type UserInput } from "./ObjectFactory.ts"
import { PRESETS } from "./Presets.ts"
import { encodeRef, type GroupRecord, type KeyCredential, type License, type PasswordCredential, type PresetName, type TenantSize, type UserRecord } from "./Records.ts"
import { LIVE, SOFT_DELETED } from "./Table.ts"
import { isoSeconds } from "../internal/IsoDate.ts"

const DAY = 86_400_000
const iso = isoSeconds

/** An app registration to create in a tenant. */
export interface AppSpec {
  /** Short handle used in logs and the startup JSON (e.g. "main"). */
  readonly name: string
  readonly displayName?: string
  /** Application permissions on Microsoft Graph, admin-consented. */
  readonly permissions: ReadonlyArray<string>
  /** Days until the (single) client secret expires; negative = already expired. Default 365. */
  readonly secretExpiresInDays?: number
  /** Also register a certificate credential (for ClientCertificateCredential). */
  readonly certificate?: boolean
}

/** What a tenant is started with. */
export interface TenantSpec {
  readonly preset: PresetName
  readonly seed?: number
  readonly tenantId?: string
  readonly license?: License
  /** true/false, or an object to scale the documented budgets (1 = Microsoft's real quotas). */
  readonly throttling?: boolean | { readonly budgetScale?: number }
  readonly faults?: FaultSpec
  readonly latency?: { readonly medianMs: number; readonly jitterMs?: number }
  /** Whether the main app's service principal holds Privileged Authentication Administrator. Default false. */
  readonly mainAppPrivileged?: boolean
  /** App registrations (default: "main" with every read + lifecycle permission, "partial", "expired"). */
  readonly apps?: ReadonlyArray<AppSpec>
  /** Anchor for generated timestamps (default: start of the current UTC day). */
  readonly anchor?: Date
}

/** Credentials and grants of one app registration, as handed to clients. */
export interface SimAppInfo {
  readonly name: string
  readonly displayName: string
  readonly clientId: string
  readonly objectId: string
  readonly servicePrincipalId: string
  readonly clientSecret: string
  /** The secret's keyId ("secret ID" in the portal); sending it instead of the value fails with AADSTS7000215. */
  readonly secretId: string
  readonly secretExpiresAt: string
  readonly permissions: ReadonlyArray<string>
  /** Certificate credential (cert + private key PEM) when the app has one. */
  readonly certificate?: { readonly pem: string; readonly thumbprint: string; readonly x5tS256: string; readonly expiresAt: string }
}

/** An app registration with the server-side secrets the token endpoint checks. */
export interface SimApp extends SimAppInfo {
  readonly secrets: ReadonlyArray<{ readonly keyId: string; readonly value: string; readonly endDateTime: number }>
  readonly certificates: ReadonlyArray<AppCertificate & { readonly keyId: string }>
  permissionsNow: ReadonlyArray<string>
}

export const DEFAULT_APPS: ReadonlyArray<AppSpec> = [
  { name: "main", displayName: "idconnect Entra connector", permissions: [...READ_PERMISSIONS, ...LIFECYCLE_PERMISSIONS], certificate: true },
  { name: "partial", displayName: "idconnect read-only (partial)", permissions: PARTIAL_PERMISSIONS },
  { name: "expired", displayName: "idconnect expired secret", permissions: READ_PERMISSIONS, secretExpiresInDays: -10 }
]

/** Tenant size class used by the throttling quotas: S < 50 users, M 50-500, L > 500. */
export const sizeOf = (users: number): TenantSize => (users < 50 ? "S" : users <= 500 ? "M" : "L")

/** A handled Graph request, as `SimTenant.onRequestServed` reports it. */
export interface ServedRequest {
  readonly method: string
  /** The path under /v1.0 without the query, e.g. `/groups` or `/groups/{id}/members`. */
  readonly path: string
  readonly status: number
}

/**
 * One simulated Entra tenant: its directory, app registrations, licence, throttling, faults and
 * counters, plus the programmatic mutation API tests use between syncs.
 */
export class SimTenant {
  readonly tenantId: string
  readonly preset: PresetName
  readonly seed: number
  readonly displayName: string
  readonly domain: string
  readonly dir: Directory
  readonly truth: GroundTruth
  readonly apps: ReadonlyArray<SimApp>
  readonly counters = new Counters()
  readonly throttle: TenantThrottle
  readonly faults: FaultInjector
  /** Loading time of the generator, for diagnostics. */
  readonly generatedInMs: number
  private licenseValue: License
  /** Called after each Graph request (or $batch item) of this tenant was handled; see `onRequestServed`. */
  private readonly servedListeners = new Set<(served: ServedRequest) => void>()
  /** Offset added to the tenant clock (delta-token age, deleted-item retention, secret expiry). */
  clockOffsetMs = 0
  /** Access tokens issued before this epoch-ms are rejected as expired (admin "revoke"). */
  tokensValidFrom = 0
  /** Delta tokens issued before this tenant-clock ms are answered with syncStateNotFound. */
  deltaTokensValidFrom = 0
  /** Delta tokens of an older epoch are answered 410 Gone (synchronization reset). */
  deltaEpoch = 0

  private constructor(init: {
    tenantId: string
    preset: PresetName
    seed: number
    displayName: string
    domain: string
    license: License
    dir: Directory
    apps: SimApp[]
    throttle: ThrottleConfig
    global: GlobalThrottle
    faults: FaultSpec
    generatedInMs: number
  }) {
    this.tenantId = init.tenantId
    this.preset = init.preset
    this.seed = init.seed
    this.displayName = init.displayName
    this.domain = init.domain
    this.licenseValue = init.license
    this.dir = init.dir
    this.truth = new GroundTruth(init.dir)
    this.apps = init.apps
    this.throttle = new TenantThrottle(init.throttle, init.global)
    this.faults = new FaultInjector(init.faults, init.seed)
    this.generatedInMs = init.generatedInMs
  }

  static async create(spec: TenantSpec, position: number, global: GlobalThrottle): Promise<SimTenant> {
    const seed = spec.seed ?? 1
    const preset = spec.preset
    if (!(preset in PRESETS)) throw new Error(`graph-sim: unknown preset '${String(preset)}'`)
    const shape = PRESETS[preset]
    const tenantId = (spec.tenantId ?? guidOf(0x74656e, stringCode(preset), seed, position)).toLowerCase()
    const displayName = position === 0 ? shape.displayName : `${shape.displayName} ${position + 1}`
    const domain = `${displayName.replace(/[^A-Za-z0-9]/g, "").toLowerCase()}.onmicrosoft.com`
    const anchor = spec.anchor?.getTime() ?? Math.floor(Date.now() / DAY) * DAY
    const tenantCode = stringCode(tenantId)
    const apps: SimApp[] = []
    for (const [n, a] of (spec.apps ?? DEFAULT_APPS).entries()) {
      const part = (f: number) => guidOf(seed, tenantCode, 0x617070, n, f)
      const keyId = part(3)
      const secret = `${tokenOf(3, seed, tenantCode, n, 1)}8Q~${tokenOf(34, seed, tenantCode, n, 2)}`
      const end = anchor + (a.secretExpiresInDays ?? 365) * DAY
      const certs: Array<AppCertificate & { keyId: string }> = []
      if (a.certificate === true) certs.push({ ...(await generateAppCertificate(`${a.name}.${domain}`)), keyId: part(4) })
      apps.push({
        name: a.name,
        displayName: a.displayName ?? `idconnect ${a.name}`,
        clientId: part(1),
        objectId: part(2),
        servicePrincipalId: part(5),
        clientSecret: secret,
        secretId: keyId,
        secretExpiresAt: iso(end),
        permissions: [...a.permissions],
        permissionsNow: [...a.permissions],
        secrets: [{ keyId, value: secret, endDateTime: end }],
        certificates: certs,
        ...(certs.length > 0 ? { certificate: { pem: certs[0].pem, thumbprint: certs[0].thumbprint, x5tS256: certs[0].x5tS256, expiresAt: certs[0].notAfter.toISOString() } } : {})
      })
    }
    const connectorApps: ConnectorAppSpec[] = apps.map((a) => ({
      displayName: a.displayName,
      appId: a.clientId,
      objectId: a.objectId,
      servicePrincipalId: a.servicePrincipalId,
      permissions: a.permissions,
      passwordCredentials: a.secrets.map((s): PasswordCredential => ({
        keyId: s.keyId,
        displayName: "idconnect",
        hint: s.value.slice(0, 3),
        startDateTime: iso(Math.min(anchor - 30 * DAY, s.endDateTime - DAY)),
        endDateTime: iso(s.endDateTime),
        customKeyIdentifier: null,
        secretText: null
      })),
      keyCredentials: a.certificates.map((c): KeyCredential => ({
        keyId: c.keyId,
        displayName: `CN=${a.name}.${domain}`,
        type: "AsymmetricX509Cert",
        usage: "Verify",
        customKeyIdentifier: c.thumbprint,
        startDateTime: iso(c.notBefore.getTime()),
        endDateTime: iso(c.notAfter.getTime()),
        key: null
      }))
    }))
    const license = spec.license ?? "P2"
    let tenant: SimTenant | undefined
    const now = () => Date.now() + (tenant?.clockOffsetMs ?? 0)
    const t0 = performance.now()
    const dir = generateTenant({
      preset,
      seed,
      tenantId,
      displayName,
      domain,
      license,
      anchor,
      connectorApps,
      mainAppPrivileged: spec.mainAppPrivileged ?? false,
      now
    })
    const generatedInMs = Math.round(performance.now() - t0)
    const throttling = spec.throttling ?? false
    tenant = new SimTenant({
      tenantId,
      preset,
      seed,
      displayName,
      domain,
      license,
      dir,
      apps,
      throttle: {
        enabled: throttling !== false,
        budgetScale: typeof throttling === "object" ? (throttling.budgetScale ?? 1) : 1
      },
      global,
      faults: { ...spec.faults, ...(spec.latency !== undefined ? { latency: spec.latency } : {}) },
      generatedInMs
    })
    return tenant
  }

  // ------------------------------------------------------------------ state and controls

  /** Tenant clock (real time plus any offset set through `advanceClock`). */
  now(): number {
    return Date.now() + this.clockOffsetMs
  }

  get license(): License {
    return this.licenseValue
  }

  setLicense(license: License): void {
    this.licenseValue = license
    this.dir.organization = { ...this.dir.organization, assignedPlans: licensePlans(license, Date.parse(this.dir.organization.createdDateTime)) }
  }

  /** Throttling size class, from the current number of users. */
  get size(): TenantSize {
    return sizeOf(this.dir.users.live)
  }

  setThrottling(throttling: boolean | { readonly budgetScale?: number }): void {
    this.throttle.config = {
      enabled: throttling !== false,
      budgetScale: typeof throttling === "object" ? (throttling.budgetScale ?? 1) : this.throttle.config.budgetScale
    }
    this.throttle.reset()
  }

  /**
   * Sets an app's resource-unit bucket to `tokens` (default 0: the next request is throttled). Tests use
   * it to get a deterministic 429 instead of firing requests until the budget runs out.
   */
  drainRuBucket(clientId: string = this.mainApp().clientId, tokens = 0): void {
    this.throttle.ruBucket(clientId, this.size, Date.now()).set(tokens, Date.now())
  }

  /**
   * Calls `listener` after each Graph request (or `$batch` item) of this tenant is handled (429s
   * included; not requests refused before authentication or faults injected before routing), with
   * its method, path and status: lets a test change the directory at an exact point of a sync
   * (between listing groups and reading their members, say). Returns the unsubscribe function.
   */
  onRequestServed(listener: (served: ServedRequest) => void): () => void {
    this.servedListeners.add(listener)
    return () => void this.servedListeners.delete(listener)
  }

  /** For the Graph pipeline: tells the listeners a request was handled (a failing listener is logged, not the request's problem). */
  requestServed(served: ServedRequest): void {
    for (const listener of this.servedListeners) {
      try {
        listener(served)
      } catch (e) {
        console.error("graph-sim: onRequestServed listener failed", e)
      }
    }
  }

  setFaults(faults: FaultSpec): void {
    this.faults.configure(faults, this.seed)
  }

  /** Moves the tenant clock forward (ages delta tokens, soft-deleted items, secrets). */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms
    this.dir.purgeExpiredDeletedItems()
  }

  /** Invalidates every access token issued so far (Graph answers 401 InvalidAuthenticationToken). */
  revokeTokens(): void {
    this.tokensValidFrom = Date.now() + 1
  }

  /** Makes every delta link issued so far expire (400 syncStateNotFound). */
  expireDeltaTokens(): void {
    this.deltaTokensValidFrom = this.now() + 1
  }

  /** Makes every delta link issued so far answer 410 Gone with a Location to restart (full resync). */
  requireDeltaResync(): void {
    this.deltaEpoch++
  }

  app(clientId: string): SimApp | undefined {
    return this.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase())
  }

  mainApp(): SimApp {
    return this.apps[0]
  }

  /** Grants or removes Privileged Authentication Administrator for the main app's service principal. */
  setPrivilegedRole(held: boolean): void {
    const sp = this.mainApp().servicePrincipalId
    const has = this.dir.roleAssignments.some((a) => a.principalId === sp && a.roleDefinitionId === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR)
    if (held && !has) {
      this.dir.roleAssignments.push({
        id: `${tokenOf(43, this.seed, 0x707269, stringCode(sp))}-1`,
        principalId: sp,
        roleDefinitionId: PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        directoryScopeId: "/",
        appScopeId: null,
        createdDateTime: iso(this.now())
      })
      this.dir.activateRole(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR)
    } else if (!held && has) {
      this.dir.roleAssignments = this.dir.roleAssignments.filter((a) => !(a.principalId === sp && a.roleDefinitionId === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR))
    }
  }

  /** Replaces the admin-consented permissions of an app (tokens issued afterwards carry them). */
  setAppPermissions(clientId: string, permissions: ReadonlyArray<string>): void {
    const app = this.app(clientId)
    if (app === undefined) throw new Error(`no app ${clientId} in tenant ${this.tenantId}`)
    app.permissionsNow = [...permissions]
  }

  // ------------------------------------------------------------------ mutations (programmatic and admin API)

  private userIndex(idOrUpn: string): number {
    let i = this.dir.users.indexOf(idOrUpn)
    if (i < 0) i = this.dir.userByUpn(idOrUpn)
    if (i < 0) throw new Error(`no user '${idOrUpn}' in tenant ${this.tenantId}`)
    return i
  }

  private groupIndex(id: string): number {
    const i = this.dir.groups.indexOf(id)
    if (i < 0) throw new Error(`no group '${id}' in tenant ${this.tenantId}`)
    return i
  }

  createUser(input: UserInput): TruthUser {
    if (this.dir.userByUpn(input.userPrincipalName) >= 0) throw new Error(`userPrincipalName ${input.userPrincipalName} already exists`)
    const i = this.dir.createUser(newUser(input, this.now()))
    return toTruthUser(this.dir.users.get(i))
  }

  updateUser(idOrUpn: string, patch: Partial<Omit<UserRecord, "id" | "_managerId">> & { managerId?: string | null }): TruthUser {
    const i = this.userIndex(idOrUpn)
    const { managerId, ...rest } = patch
    this.dir.updateUser(i, managerId === undefined ? rest : { ...rest, _managerId: managerId })
    return toTruthUser(this.dir.users.get(i))
  }

  /** Soft-deletes a user (restorable for 30 days), or removes it permanently. */
  deleteUser(idOrUpn: string, options: { permanent?: boolean } = {}): void {
    const i = this.userIndex(idOrUpn)
    if (options.permanent === true) this.dir.purge("user", i)
    else if (this.dir.users.state(i) === LIVE) this.dir.softDeleteUser(i)
  }

  restoreUser(id: string): TruthUser {
    const i = this.userIndex(id)
    if (this.dir.users.state(i) !== SOFT_DELETED) throw new Error(`user ${id} is not soft-deleted`)
    this.dir.restoreUser(i)
    return toTruthUser(this.dir.users.get(i))
  }

  createGroup(input: GroupInput): GroupRecord {
    const i = this.dir.createGroup(newGroup(input, this.now()))
    return this.dir.groups.get(i)
  }

  updateGroup(id: string, patch: Partial<Omit<GroupRecord, "id">>): GroupRecord {
    const i = this.groupIndex(id)
    this.dir.updateGroup(i, patch)
    return this.dir.groups.get(i)
  }

  /** Deletes a group: Microsoft 365 groups are soft-deleted, security groups removed permanently (as in Entra). */
  deleteGroup(id: string, options: { permanent?: boolean } = {}): void {
    const i = this.groupIndex(id)
    const unified = this.dir.groups.get(i).groupTypes.includes("Unified")
    if (options.permanent === true || !unified) this.dir.purge("group", i)
    else this.dir.softDeleteGroup(i)
  }

  restoreGroup(id: string): GroupRecord {
    const i = this.groupIndex(id)
    if (this.dir.groups.state(i) !== SOFT_DELETED) throw new Error(`group ${id} is not soft-deleted`)
    this.dir.restoreGroup(i)
    return this.dir.groups.get(i)
  }

  /** Adds any directory object (user, group, servicePrincipal, device, orgContact) to a group. */
  addMember(groupId: string, memberId: string): boolean {
    const g = this.groupIndex(groupId)
    const ref = this.dir.find(memberId)
    if (ref === undefined) throw new Error(`no directory object '${memberId}'`)
    return this.dir.addMember(g, encodeRef(ref.kind, ref.index))
  }

  removeMember(groupId: string, memberId: string): boolean {
    const g = this.groupIndex(groupId)
    const ref = this.dir.find(memberId)
    if (ref === undefined) throw new Error(`no directory object '${memberId}'`)
    return this.dir.removeMember(g, encodeRef(ref.kind, ref.index))
  }

  addOwner(groupId: string, ownerId: string): boolean {
    const g = this.groupIndex(groupId)
    const ref = this.dir.find(ownerId)
    if (ref === undefined) throw new Error(`no directory object '${ownerId}'`)
    return this.dir.addOwner(this.dir.groupOwners, g, encodeRef(ref.kind, ref.index))
  }

  removeOwner(groupId: string, ownerId: string): boolean {
    const g = this.groupIndex(groupId)
    const ref = this.dir.find(ownerId)
    if (ref === undefined) throw new Error(`no directory object '${ownerId}'`)
    return this.dir.removeOwner(this.dir.groupOwners, g, encodeRef(ref.kind, ref.index))
  }

  /** Startup summary of the tenant (what the CLI prints and `GraphSimHandle.tenants` lists). */
  info(): { tenantId: string; displayName: string; domain: string; preset: PresetName; license: License; size: TenantSize; apps: SimAppInfo[]; counts: Record<string, number> } {
    return {
      tenantId: this.tenantId,
      displayName: this.displayName,
      domain: this.domain,
      preset: this.preset,
      license: this.license,
      size: this.size,
      apps: this.apps.map((a) => ({
        name: a.name,
        displayName: a.displayName,
        clientId: a.clientId,
        objectId: a.objectId,
        servicePrincipalId: a.servicePrincipalId,
        clientSecret: a.clientSecret,
        secretId: a.secretId,
        secretExpiresAt: a.secretExpiresAt,
        permissions: [...a.permissionsNow],
        ...(a.certificate !== undefined ? { certificate: a.certificate } : {})
      })),
      counts: this.truth.counts()
    }
  }
}
