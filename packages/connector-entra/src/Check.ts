import { type ConnectorError } from "@idconnect/core/ConnectorError"
import type { CheckFinding, CheckReport, PermissionStatus } from "@idconnect/schemas/CheckReport"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { X509Certificate } from "node:crypto"
import { resolveEndpoints } from "./Clouds.ts"
import { type AccessTokenInfo, GraphClient, type GraphClientTuning } from "./GraphClient.ts"
import { GLOBAL_ADMINISTRATOR, holds, PERMISSIONS, type PermissionSpec, PRIVILEGED_AUTHENTICATION_ADMINISTRATOR } from "./Permissions.ts"
import type { ResourceBudgetOptions } from "./ResourceBudget.ts"

const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
const DAY = 86_400_000
/** Secrets expiring within this many days are flagged. */
export const EXPIRY_WARNING_DAYS = 30

export interface CheckOptions extends GraphClientTuning, ResourceBudgetOptions {
  /** Whether the plugin offers the lifecycle capability set (else it reports "not-supported"). */
  readonly lifecycle?: boolean
  /** The clock for expiry arithmetic (tests). */
  readonly now?: () => number
}

type Raw = Record<string, any>

const finding = (
  code: string,
  severity: CheckFinding["severity"],
  message: string,
  extra: { fix?: string | undefined; affects?: ReadonlyArray<string> } = {}
): CheckFinding => ({
  code,
  severity,
  message,
  ...(extra.fix === undefined ? {} : { fix: extra.fix }),
  ...(extra.affects === undefined ? {} : { affects: [...extra.affects] })
})

/** A failure turned into the finding a human acts on (credentials, config, network). */
const errorFinding = (error: ConnectorError): CheckFinding => {
  const r = error.reason
  switch (r._tag) {
    case "CredentialsRejected":
      return finding(r.code, "error", r.message, { fix: r.fix, affects: ["read", "lifecycle"] })
    case "ConfigInvalid":
      return finding(r.field === "caFile" ? "certificate-untrusted" : "config-invalid", "error", r.message, {
        fix: `Correct the '${r.field}' setting.`,
        affects: ["read", "lifecycle"]
      })
    case "Unavailable":
    case "RateLimited":
      return finding("unreachable", "error", r.message, {
        fix: "Check the network path to Microsoft Graph and the sign-in endpoint (proxy, firewall, cloud setting), then test again.",
        affects: ["read", "lifecycle"]
      })
    case "PermissionMissing":
      return finding("permission-missing", "error", r.message, { fix: r.fix, affects: ["read"] })
    default:
      return finding(error.code, "error", error.message, { affects: ["read"] })
  }
}

/**
 * "Test connection" for Entra direct mode: signs in (translating AADSTS errors into what to fix),
 * makes a real cheap read, compares the token's application permissions with what each capability
 * set needs (naming what each missing one blocks and whether admin consent is pending), probes the
 * P1/P2 licence features cheaply, checks the expiry of the credential in use, and for lifecycle
 * whether the app's service principal holds Privileged Authentication Administrator.
 * Never fails for problems a human can fix: they are findings in an Error report.
 */
export const check = (config: EntraDirectConfig, options: CheckOptions = {}): Effect.Effect<CheckReport, ConnectorError> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const now = options.now?.() ?? Date.now()
    const lifecycleSupported = options.lifecycle ?? false
    const endpoints = graph.endpoints
    const findings: Array<CheckFinding> = []
    const details: Record<string, unknown> = { cloud: endpoints.cloud, authorityHost: endpoints.authorityHost, graphBaseUrl: endpoints.graphBaseUrl }

    const signedIn = yield* Effect.result(graph.accessToken())
    if (signedIn._tag === "Failure") {
      const f = errorFinding(signedIn.failure)
      return report("Error", `Cannot sign in: ${f.message}`, [f], lifecycleSupported, details)
    }
    const token: AccessTokenInfo = signedIn.success
    const granted = new Set(token.roles)
    findings.push(finding("signed-in", "ok", `Signed in to tenant ${token.tenantId ?? config.tenantId} as application ${token.appId ?? config.clientId}`))
    Object.assign(details, { tenantId: token.tenantId, servicePrincipalId: token.servicePrincipalId, grantedPermissions: [...granted].sort() })

    // A real, cheap read: one user id.
    const probe = yield* Effect.result(graph.get("/users?$select=id&$top=1"))
    if (probe._tag === "Failure" && probe.failure.code !== "PermissionMissing") {
      const f = errorFinding(probe.failure)
      return report("Error", `Signed in, but reading the directory failed: ${f.message}`, [...findings, f], lifecycleSupported, details)
    }

    // The app registration: configured permissions (for "consent pending") and credential expiry.
    const app = yield* firstOf(
      graph,
      `/applications?$filter=${encodeURIComponent(`appId eq '${token.appId ?? config.clientId}'`)}&$select=id,appId,displayName,requiredResourceAccess,passwordCredentials,keyCredentials`
    )
    const configured = app === undefined ? undefined : yield* configuredPermissions(graph, app)

    const statuses: Array<PermissionStatus> = []
    for (const spec of PERMISSIONS) {
      const has = holds(granted, spec.permission)
      statuses.push({ permission: spec.permission, capabilitySet: spec.capabilitySet, granted: has, required: spec.required, enables: spec.enables })
      if (!has) findings.push(permissionFinding(spec, configured))
    }

    findings.push(...(yield* licenceFindings(graph, granted)))
    if (app !== undefined) findings.push(...credentialFindings(config, app, now))
    else {
      findings.push(
        finding("credential-expiry-unknown", "info", "The expiry of the app's secret or certificate could not be read (the app cannot read its own registration).", {
          fix: "Grant Application.Read.All to let the check warn before the credential expires.",
          affects: ["read", "lifecycle"]
        })
      )
    }
    findings.push(yield* privilegedRoleFinding(graph, granted, token.servicePrincipalId))

    const readBlocked = statuses.some((s) => s.capabilitySet === "read" && s.required && !s.granted)
    const status = readBlocked || findings.some((f) => f.severity === "error") ? "Error" : "Connected"
    const degraded = findings.filter((f) => f.severity === "warning" && (f.affects ?? []).includes("read"))
    const message =
      status === "Connected"
        ? degraded.length === 0
          ? "Connected: the app can read everything the Entra connector extracts."
          : `Connected, with ${degraded.length} limitation${degraded.length > 1 ? "s" : ""}: ${degraded.map((f) => f.message).join(" ")}`
        : findings.find((f) => f.severity === "error")?.message ?? "The app cannot read the directory."
    const lifecycleReady = statuses.every((s) => s.capabilitySet !== "lifecycle" || !s.required || s.granted)
    return {
      status,
      message,
      findings,
      permissions: statuses,
      capabilitySets: {
        read: status === "Error" ? "unavailable" : degraded.length > 0 ? "degraded" : "ready",
        lifecycle: !lifecycleSupported ? "not-supported" : lifecycleReady && status === "Connected" ? "ready" : "unavailable"
      },
      details
    } satisfies CheckReport
  }).pipe(
    Effect.provide(GraphClient.layerWithBudget(config, options), { local: true }),
    Effect.catch((error: ConnectorError) => {
      const f = errorFinding(error)
      const endpoints = resolveEndpoints(config)
      return Effect.succeed(report("Error", f.message, [f], options.lifecycle ?? false, { cloud: endpoints.cloud, graphBaseUrl: endpoints.graphBaseUrl }))
    })
  )

const report = (
  status: "Connected" | "Error",
  message: string,
  findings: ReadonlyArray<CheckFinding>,
  lifecycleSupported: boolean,
  details: Record<string, unknown>
): CheckReport => ({
  status,
  message,
  findings: [...findings],
  capabilitySets: { read: "unavailable", lifecycle: lifecycleSupported ? "unavailable" : "not-supported" },
  details
})

/** A GET whose refusal means "we cannot know" (a finding says so), not a failed check; transient failures still fail. */
const optionalGet = (graph: GraphClient["Service"], path: string): Effect.Effect<Raw | undefined, ConnectorError> =>
  graph.get(path).pipe(
    Effect.map((body) => body as Raw | undefined),
    Effect.catchIf((e) => !e.isRetryable, () => Effect.succeed(undefined))
  )

/** The first object of a filtered collection. */
const firstOf = (graph: GraphClient["Service"], path: string): Effect.Effect<Raw | undefined, ConnectorError> =>
  optionalGet(graph, path).pipe(Effect.map((body) => (Array.isArray(body?.value) ? body.value[0] : undefined)))

/**
 * Names of the Graph application permissions the app registration asks for (requiredResourceAccess),
 * read via the Microsoft Graph service principal's app roles (ids are not hard-coded).
 */
const configuredPermissions = (graph: GraphClient["Service"], app: Raw): Effect.Effect<ReadonlySet<string> | undefined, ConnectorError> =>
  Effect.gen(function* () {
    const graphSp = yield* firstOf(graph, `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${GRAPH_APP_ID}'`)}&$select=id,appId,appRoles`)
    if (graphSp === undefined || !Array.isArray(graphSp.appRoles)) return undefined
    const names = new Map<string, string>()
    for (const r of graphSp.appRoles) if (typeof r?.id === "string" && typeof r?.value === "string") names.set(r.id, r.value)
    const configured = new Set<string>()
    for (const rra of Array.isArray(app.requiredResourceAccess) ? app.requiredResourceAccess : []) {
      if (rra?.resourceAppId !== GRAPH_APP_ID) continue
      for (const ra of Array.isArray(rra.resourceAccess) ? rra.resourceAccess : []) {
        const name = names.get(ra?.id)
        if (ra?.type === "Role" && name !== undefined) configured.add(name)
      }
    }
    return configured
  })

const consentFix = "In the Entra admin center open App registrations > your app > API permissions and click \"Grant admin consent for <tenant>\" (needs a Privileged Role Administrator or Global Administrator)."

const permissionFinding = (spec: PermissionSpec, configured: ReadonlySet<string> | undefined): CheckFinding => {
  const set = spec.capabilitySet
  const severity: CheckFinding["severity"] = set === "read" ? (spec.required ? "error" : "warning") : "info"
  const affects = set === "read" ? ["read", ...spec.affects] : ["lifecycle", ...spec.affects]
  const blocks = set === "read" ? `${spec.required ? "Reading is blocked" : "Skipped"}: ${spec.enables}` : `Lifecycle cannot: ${spec.enables}`
  const alternatives = spec.coveredBy.length > 0 ? ` (or ${spec.coveredBy.join(", ")})` : ""
  if (configured?.has(spec.permission) === true || spec.coveredBy.some((c) => configured?.has(c) === true)) {
    return finding("admin-consent-pending", severity, `${spec.permission} is configured on the app but admin consent has not been granted. ${blocks}.`, {
      fix: consentFix,
      affects
    })
  }
  return finding("permission-missing", severity, `${spec.permission}${alternatives} is not granted. ${blocks}.`, {
    fix: `In the Entra admin center open App registrations > your app > API permissions > Add a permission > Microsoft Graph > Application permissions, add ${spec.permission}, then click "Grant admin consent".`,
    affects
  })
}

/**
 * Cheap probes of the licence-gated features: sign-in activity (P1), risky users and PIM (P2).
 * Only probed when the permission is held (a missing permission is already a finding).
 */
const licenceFindings = (graph: GraphClient["Service"], granted: ReadonlySet<string>): Effect.Effect<ReadonlyArray<CheckFinding>, ConnectorError> =>
  Effect.gen(function* () {
    const out: Array<CheckFinding> = []
    const probe = (path: string) =>
      graph.get(path).pipe(
        Effect.as<"available" | "unlicensed" | "unknown">("available"),
        Effect.catch((e: ConnectorError) =>
          e.code === "LicenseMissing" ? Effect.succeed("unlicensed" as const) : e.isRetryable ? Effect.fail(e) : Effect.succeed("unknown" as const)
        )
      )
    const features: ReadonlyArray<{ permission: string; path: string; feature: string; licence: string; code: string; affects: ReadonlyArray<string> }> = [
      {
        permission: "AuditLog.Read.All",
        path: "/users?$select=id,signInActivity&$top=1",
        feature: "Sign-in activity (last sign-in dates)",
        licence: "Entra ID P1 or P2",
        code: "license-signin-activity",
        affects: ["read", "users.signInActivity", "signIns"]
      },
      {
        permission: "IdentityRiskyUser.Read.All",
        path: "/identityProtection/riskyUsers?$select=id&$top=1",
        feature: "User risk (Identity Protection)",
        licence: "Entra ID P2",
        code: "license-risk",
        affects: ["read", "riskyUsers", "riskDetections"]
      },
      {
        permission: "RoleManagement.Read.All",
        path: "/roleManagement/directory/roleEligibilitySchedules?$select=id&$top=1",
        feature: "PIM eligible role assignments",
        licence: "Entra ID P2",
        code: "license-pim",
        affects: ["read", "roleEligibilitySchedules", "roleAssignmentSchedules"]
      }
    ]
    for (const f of features) {
      if (!holds(granted, f.permission)) continue
      const outcome = yield* probe(f.path)
      if (outcome === "available") out.push(finding(f.code, "ok", `${f.feature} is available.`, { affects: f.affects }))
      else if (outcome === "unlicensed") {
        out.push(
          finding(f.code, "warning", `${f.feature} is not available: the tenant has no ${f.licence} licence. Extraction skips it.`, {
            fix: `Assign ${f.licence} licences in the tenant to include this data.`,
            affects: f.affects
          })
        )
      }
    }
    return out
  })

/** The credential in use, found on the app registration: a secret by its hint (first 3 characters), a certificate by its thumbprint. */
const credentialFindings = (config: EntraDirectConfig, app: Raw, now: number): ReadonlyArray<CheckFinding> => {
  let credential: Raw | undefined
  let kind = "client secret"
  if (config.clientSecret !== undefined) {
    const hint = Redacted.value(config.clientSecret).slice(0, 3)
    const candidates = (Array.isArray(app.passwordCredentials) ? app.passwordCredentials : []).filter((c: Raw) => c?.hint === hint)
    credential = candidates.sort((a: Raw, b: Raw) => Date.parse(b.endDateTime) - Date.parse(a.endDateTime))[0]
  } else if (config.certificate !== undefined) {
    kind = "certificate"
    const thumbprint = thumbprintOf(Redacted.value(config.certificate))
    credential = (Array.isArray(app.keyCredentials) ? app.keyCredentials : []).find(
      (c: Raw) => typeof c?.customKeyIdentifier === "string" && c.customKeyIdentifier.replace(/[^0-9a-f]/giu, "").toUpperCase() === thumbprint
    )
  }
  if (credential === undefined || typeof credential.endDateTime !== "string") {
    return [finding("credential-expiry-unknown", "info", `The ${kind} in use was not found on the app registration, so its expiry is unknown.`, { affects: ["read", "lifecycle"] })]
  }
  const end = Date.parse(credential.endDateTime)
  const days = Math.floor((end - now) / DAY)
  const renew = kind === "certificate"
    ? "Upload a new certificate to the app registration and update the integration before the old one expires."
    : "In Certificates & secrets, create a new client secret and update the integration with its value before the old one expires."
  if (end <= now) {
    return [finding("credential-expired", "error", `The app's ${kind} expired on ${credential.endDateTime}.`, { fix: renew, affects: ["read", "lifecycle"] })]
  }
  if (days < EXPIRY_WARNING_DAYS) {
    return [finding("credential-expiring", "warning", `The app's ${kind} expires in ${days} day${days === 1 ? "" : "s"} (${credential.endDateTime}).`, { fix: renew, affects: ["read", "lifecycle"] })]
  }
  return [finding("credential-valid", "ok", `The app's ${kind} is valid until ${credential.endDateTime}.`)]
}

const thumbprintOf = (pem: string): string | undefined => {
  try {
    return new X509Certificate(pem).fingerprint.replace(/:/gu, "").toUpperCase()
  } catch {
    return undefined
  }
}

/**
 * Lifecycle needs the app's own service principal to hold Privileged Authentication Administrator
 * (or Global Administrator) to disable, delete or change sensitive attributes of administrators.
 */
const privilegedRoleFinding = (
  graph: GraphClient["Service"],
  granted: ReadonlySet<string>,
  servicePrincipalId: string | undefined
): Effect.Effect<CheckFinding, ConnectorError> =>
  Effect.gen(function* () {
    const affects = ["lifecycle", "users"]
    if (servicePrincipalId === undefined || !(holds(granted, "RoleManagement.Read.All") || holds(granted, "Directory.Read.All"))) {
      return finding("lifecycle-privileged-role-unknown", "info", "Whether the app holds Privileged Authentication Administrator could not be checked.", {
        fix: "Grant RoleManagement.Read.Directory so the check can verify it.",
        affects
      })
    }
    const body = yield* optionalGet(
      graph,
      `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${servicePrincipalId}'`)}&$select=id,roleDefinitionId,directoryScopeId`
    )
    const assignments: ReadonlyArray<Raw> = Array.isArray(body?.value) ? body.value : []
    const holdsRole = assignments.some(
      (a) => (a.roleDefinitionId === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR || a.roleDefinitionId === GLOBAL_ADMINISTRATOR) && (a.directoryScopeId ?? "/") === "/"
    )
    return holdsRole
      ? finding("lifecycle-privileged-role", "ok", "The app's service principal holds Privileged Authentication Administrator: lifecycle can act on administrators too.", { affects })
      : finding(
        "lifecycle-privileged-role-missing",
        "warning",
        "The app's service principal does not hold Privileged Authentication Administrator: lifecycle cannot disable, delete or change sensitive attributes of users who hold admin roles.",
        {
          fix: "In Roles and administrators > Privileged Authentication Administrator > Add assignments, assign the role to this app's enterprise application (needs Privileged Role Administrator).",
          affects
        }
      )
  })
