import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import type { Catalog } from "@idconnect/schemas/Catalog"
import type { CheckFinding, CheckReport } from "@idconnect/schemas/CheckReport"
import { ScimConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { discover, type ServerCapabilities } from "./Discovery.ts"
import { eqFilter, resourceId } from "./Envelope.ts"
import { extractStream, usersEndpointMissing } from "./Extract.ts"
import { applyOperations, planOperations } from "./Lifecycle.ts"
import { ScimOperations } from "./Operations.ts"
import { fetchPage, firstPage } from "./Pagination.ts"
import { chooseQuirkProfile, type QuirkDefaults, type QuirkProfile } from "./QuirkProfile.ts"
import { TokenCache } from "./ScimAuth.ts"
import { ScimHttp, type ScimHttpOptions } from "./ScimHttp.ts"

export interface ScimModeOptions<C> {
  /** Written on every entity and relation (e.g. the plugin's `metadata.sourceSystem`). */
  readonly sourceSystem: string
  readonly app?: string
  /** The mode's config Schema; defaults to `ScimConfig`. A plugin flavour (Entra) brings its own... */
  readonly configSchema?: Schema.Codec<C, any, never, never>
  /** ...and says how it maps to a generic `ScimConfig`. */
  readonly toScimConfig?: (config: C) => ScimConfig
  /** Config fields holding secrets; defaults to the `ScimConfig` auth secrets. */
  readonly secretFields?: ReadonlyArray<string>
  /** Emit manager -> report relations besides the `manager` metadata. Default false. */
  readonly managerRelations?: boolean
  /** Plugin defaults for the quirk profile; `config.quirks` still wins. */
  readonly quirks?: QuirkDefaults
  /** HTTP tuning (retries, backoff, timeout); production defaults when absent. */
  readonly http?: Omit<ScimHttpOptions, "tokenCache">
  /** Hard cap of pages per listing. */
  readonly maxPages?: number
}

/** A live connection for one capability call: what discovery found and the profile chosen from it. */
interface Connection {
  readonly caps: ServerCapabilities
  readonly profile: QuirkProfile
}

const DEFAULT_SECRET_FIELDS = ["auth.token", "auth.password", "auth.clientSecret"]

const errorReport = (e: ConnectorError): CheckReport => {
  const r = e.reason
  const fix = "fix" in r && typeof r.fix === "string" ? { fix: r.fix } : {}
  return {
    status: "Error",
    message: e.message,
    findings: [{ code: e.code, severity: "error", message: e.message, ...fix, affects: ["read", "lifecycle"] }],
    capabilitySets: { read: "unavailable", lifecycle: "unavailable" },
    details: { errorCode: e.code, failureClass: e.failureClass, ...(r._tag === "ConfigInvalid" ? { field: r.field } : {}), ...(e.context === undefined ? {} : { context: e.context }) }
  }
}

/**
 * Builds the SCIM 2.0 extraction mode any plugin can offer: `read` (check, discover, extract) and
 * `lifecycle` (createUser, updateUser, deactivateUser, deleteUser, addGroupMember,
 * removeGroupMember) against the customer's SCIM server. Every call validates the base URL,
 * runs discovery and picks the quirk profile; OAuth tokens are cached across calls of this mode.
 *
 * @category modes
 * @example
 * const plugin: ConnectorPlugin = {
 *   metadata: { ..., sourceSystem: "acme" },
 *   modes: { scim: makeScimMode({ sourceSystem: "acme" }) }
 * }
 */
export function makeScimMode(options: ScimModeOptions<ScimConfig>): ModeDefinition<ScimConfig>
export function makeScimMode<C>(
  options: ScimModeOptions<C> & { readonly configSchema: Schema.Codec<C, any, never, never>; readonly toScimConfig: (config: C) => ScimConfig }
): ModeDefinition<C>
export function makeScimMode<C>(options: ScimModeOptions<C>): ModeDefinition<C> {
  const tokenCache = new TokenCache()
  const toScim = options.toScimConfig ?? ((c: C) => c as unknown as ScimConfig)
  const mapping = { sourceSystem: options.sourceSystem, app: options.app }
  const layerFor = (config: C) => ScimHttp.layer(toScim(config), { ...options.http, tokenCache })

  const connection = Effect.fn("ScimMode.connect")(function* (config: C): Effect.fn.Return<Connection, ConnectorError, ScimHttp> {
    const http = yield* ScimHttp
    const caps = yield* discover()
    return { caps, profile: chooseQuirkProfile(caps, toScim(config), http.baseUrl, options.quirks) }
  })

  const withConnection = <A>(config: C, use: (conn: Connection) => Effect.Effect<A, ConnectorError, ScimHttp>): Effect.Effect<A, ConnectorError> =>
    connection(config).pipe(Effect.flatMap(use), Effect.provide(layerFor(config), { local: true }))

  const probe = (conn: Connection) =>
    Effect.gen(function* () {
      const http = yield* ScimHttp
      const { caps, profile } = conn
      const findings: Array<CheckFinding> = []
      for (const note of caps.notes) findings.push({ code: note.code, severity: "info", message: note.message })
      const users = yield* fetchPage(caps.usersEndpoint, {}, firstPage(profile.pagination), { pageSize: 1, stream: "users", maxPages: 1 }).pipe(
        Effect.mapError(usersEndpointMissing)
      )
      findings.push({
        code: "scim.users",
        severity: "ok",
        message: `Read ${caps.usersEndpoint}${users.reportedTotal === undefined ? "" : ` (${users.reportedTotal} users reported)`}`,
        affects: ["read"]
      })
      let read: CheckReport["capabilitySets"]["read"] = "ready"
      if (caps.groupsEndpoint === undefined) {
        read = "degraded"
        findings.push({ code: "scim.noGroups", severity: "warning", message: "The server offers no Group resource type: only users are read", affects: ["read"] })
      } else {
        const groups = yield* Effect.result(
          fetchPage(caps.groupsEndpoint, { excludedAttributes: "members" }, firstPage(profile.pagination), { pageSize: 1, stream: "groups", maxPages: 1 })
        )
        if (groups._tag === "Success") findings.push({ code: "scim.groups", severity: "ok", message: `Read ${caps.groupsEndpoint}`, affects: ["read"] })
        else {
          read = "degraded"
          findings.push({ code: "scim.groups", severity: "warning", message: `Groups cannot be read: ${groups.failure.message}`, affects: ["read"] })
        }
        const someUser = users.resources.map(resourceId).find((id) => id !== undefined)
        if (profile.memberRead !== "groups" && someUser !== undefined && groups._tag === "Success") {
          const filter = yield* Effect.result(
            http.request({ method: "GET", path: caps.groupsEndpoint, query: { filter: eqFilter("members.value", someUser), excludedAttributes: "members", count: 1 } })
          )
          if (filter._tag === "Success") {
            findings.push({ code: "scim.memberFilter", severity: "ok", message: "The per-user membership filter (members.value eq) works", affects: ["read"] })
          } else if (profile.memberRead === "per-user-filter") {
            read = "degraded"
            findings.push({
              code: "scim.memberFilter",
              severity: "warning",
              message: `Memberships cannot be read: the server refused filter=members.value eq "<id>" (${filter.failure.message})`,
              affects: ["read"]
            })
          }
        }
      }
      let lifecycle: CheckReport["capabilitySets"]["lifecycle"] = "ready"
      if (caps.patch === false) {
        lifecycle = "unavailable"
        findings.push({
          code: "scim.patchUnsupported",
          severity: "warning",
          message: "ServiceProviderConfig says PATCH is not supported: group membership and attribute changes are unavailable",
          affects: ["lifecycle"]
        })
      }
      findings.push({
        code: "scim.profile",
        severity: "info",
        message: `Pagination ${profile.pagination} (${profile.reasons.pagination}), ${profile.pageSize} per page; memberships via ${profile.memberRead} (${profile.reasons.memberRead}); ETags ${profile.useEtags ? "on" : "off"}`
      })
      const report: CheckReport = {
        status: "Connected",
        message: read === "ready" ? `Connected to the SCIM server at ${http.baseUrl.origin}` : `Connected to the SCIM server at ${http.baseUrl.origin}, with limitations`,
        findings,
        capabilitySets: { read, lifecycle },
        details: {
          baseUrl: http.baseUrl.href,
          auth: http.authKind,
          usersEndpoint: caps.usersEndpoint,
          groupsEndpoint: caps.groupsEndpoint ?? null,
          quirks: {
            server: profile.server,
            pagination: profile.pagination,
            pageSize: profile.pageSize,
            memberRead: profile.memberRead,
            patchDialect: profile.patchDialect,
            useEtags: profile.useEtags
          },
          serviceProvider: {
            discovered: caps.serviceProviderConfig,
            patch: caps.patch ?? null,
            bulk: caps.bulk,
            filter: caps.filter.supported ?? null,
            sort: caps.sort,
            etag: caps.etag,
            cursor: caps.pagination?.cursor ?? false,
            authenticationSchemes: caps.authenticationSchemes
          }
        }
      }
      return report
    })

  const catalog = (conn: Connection): Catalog => {
    const groups = conn.caps.groupsEndpoint !== undefined
    const memberVia = conn.profile.memberRead === "per-user-filter" ? "filter=members.value eq per user and group" : "the members of each group"
    return {
      entityTypes: [
        { entityType: "identity", sourceType: "user", description: "SCIM User (core schema + enterprise extension: employeeNumber, department, manager, ...)" },
        ...(groups ? [{ entityType: "connection" as const, sourceType: "group", description: "SCIM Group" }] : [])
      ],
      relationTypes: [
        ...(groups
          ? [
              {
                privilegeName: "member",
                parentEntityType: "identity" as const,
                parentSourceTypes: ["user"],
                entityType: "connection" as const,
                entitySourceTypes: ["group"],
                description: `User is a member of the group (read through ${memberVia})`
              },
              {
                privilegeName: "member",
                parentEntityType: "connection" as const,
                parentSourceTypes: ["group"],
                entityType: "connection" as const,
                entitySourceTypes: ["group"],
                description: "Group is a member of the group (nested)"
              }
            ]
          : []),
        ...(options.managerRelations === true
          ? [
              {
                privilegeName: "manager",
                parentEntityType: "identity" as const,
                parentSourceTypes: ["user"],
                entityType: "identity" as const,
                entitySourceTypes: ["user"],
                description: "User manages the user (enterprise extension manager)"
              }
            ]
          : [])
      ],
      streams: [
        { name: "users", description: `GET ${conn.caps.usersEndpoint}, ${conn.profile.pagination} paging`, incremental: false, requires: [`GET ${conn.caps.usersEndpoint}`] },
        ...(groups
          ? [
              { name: "groups", description: `GET ${conn.caps.groupsEndpoint}`, incremental: false, requires: [`GET ${conn.caps.groupsEndpoint}`] },
              { name: "memberships", description: `Group memberships through ${memberVia}`, incremental: false, requires: [`GET ${conn.caps.groupsEndpoint}`] }
            ]
          : [])
      ]
    }
  }

  return {
    config: (options.configSchema ?? ScimConfig) as Schema.Codec<C, any, never, never>,
    secretFields: options.secretFields ?? DEFAULT_SECRET_FIELDS,
    read: {
      check: (config) => withConnection(config, probe).pipe(Effect.catch((e) => Effect.succeed(errorReport(e)))),
      discover: (config) => withConnection(config, (conn) => Effect.succeed(catalog(conn))),
      extract: (config, checkpoint) =>
        Stream.unwrap(
          Effect.map(connection(config), (conn) =>
            extractStream({ mapping, caps: conn.caps, profile: conn.profile, managerRelations: options.managerRelations === true, maxPages: options.maxPages }, checkpoint)
          )
        ).pipe(Stream.provide(layerFor(config), { local: true }))
    },
    lifecycle: {
      operations: ScimOperations,
      plan: (config, operations) => withConnection(config, (conn) => planOperations(operations, conn)),
      apply: (config, operations) => withConnection(config, (conn) => applyOperations(operations, conn))
    }
  }
}
