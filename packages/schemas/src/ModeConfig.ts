import * as Schema from "effect/Schema"
import { NonBlankString } from "./Common.ts"

/** How an integration gets its data. */
export const ExtractionMode = Schema.Literals(["direct", "scim", "csv", "bulk"])
export type ExtractionMode = typeof ExtractionMode.Type

/**
 * A secret: a plain string on the wire (write-only over the API), `Redacted` in memory so it never
 * prints, and marked `writeOnly` + `x-secret` in the derived JSON Schema so a UI renders a password field.
 */
export const Secret = Schema.RedactedFromValue(
  NonBlankString.annotate({
    description: "A secret value (write-only; never returned by the API)",
    writeOnly: true,
    "x-secret": true
  } as never)
)
export type Secret = typeof Secret.Type

/** Microsoft national clouds; each selects its own authority (login) host and Graph host. */
export const AzureCloud = Schema.Literals(["global", "usgov", "china"])
export type AzureCloud = typeof AzureCloud.Type

/** Days of log events an extraction reads (Entra keeps 7 days without a premium licence, 30 with one). */
const LogWindowDays = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(30))

const Guidish = NonBlankString.annotate({ description: "A GUID, or for tenantId also a verified domain name" })

/**
 * Direct mode for Microsoft Entra ID: an app registration's client credentials. Either
 * `clientSecret` or `certificate` (PEM with private key) authenticates the app.
 */
export const EntraDirectConfig = Schema.Struct({
  tenantId: Guidish.annotate({ title: "Directory (tenant) ID" }),
  clientId: Guidish.annotate({ title: "Application (client) ID" }),
  clientSecret: Schema.optionalKey(Secret),
  certificate: Schema.optionalKey(Secret),
  cloud: Schema.optionalKey(AzureCloud),
  authorityHost: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^https:\/\//u))),
  graphBaseUrl: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^https:\/\//u))),
  caFile: Schema.optionalKey(Schema.String),
  auditLogDays: Schema.optionalKey(
    LogWindowDays.annotate({ title: "Directory audit window (days)", description: "Days of directory audit and risk events to read (default 7, 0 = off)" })
  ),
  signInLogDays: Schema.optionalKey(
    LogWindowDays.annotate({ title: "Sign-in log window (days)", description: "Days of sign-in events to read (default 0 = off; sign-ins are voluminous)" })
  )
}).annotate({ identifier: "EntraDirectConfig", title: "Microsoft Entra ID (direct)" })
export type EntraDirectConfig = typeof EntraDirectConfig.Type

/** How the platform authenticates to a SCIM 2.0 server. */
export const ScimAuth = Schema.Union([
  Schema.Struct({ type: Schema.Literal("bearer"), token: Secret }),
  Schema.Struct({ type: Schema.Literal("basic"), username: NonBlankString, password: Secret }),
  Schema.Struct({
    type: Schema.Literal("oauth-client-credentials"),
    tokenUrl: NonBlankString,
    clientId: NonBlankString,
    clientSecret: Secret,
    scope: Schema.optionalKey(Schema.String)
  })
]).annotate({ identifier: "ScimAuth" })
export type ScimAuth = typeof ScimAuth.Type

/** Per-connection overrides of the SCIM quirk profile chosen from discovery. */
export const ScimQuirkOverrides = Schema.Struct({
  pagination: Schema.optionalKey(Schema.Literals(["index", "cursor"])),
  memberRead: Schema.optionalKey(Schema.Literals(["groups", "per-user-filter"])),
  pageSize: Schema.optionalKey(Schema.Int),
  useEtags: Schema.optionalKey(Schema.Boolean)
})

export const ScimConfig = Schema.Struct({
  baseUrl: NonBlankString.annotate({ title: "SCIM base URL" }),
  auth: ScimAuth,
  allowInsecureLoopback: Schema.optionalKey(Schema.Boolean),
  caFile: Schema.optionalKey(Schema.String),
  quirks: Schema.optionalKey(ScimQuirkOverrides)
}).annotate({ identifier: "ScimConfig", title: "SCIM 2.0 server" })
export type ScimConfig = typeof ScimConfig.Type

/** CSV mode: the customer uploads Entities and Entity Relations files. */
export const CsvConfig = Schema.Struct({
  sourceSystem: Schema.optionalKey(Schema.String),
  bestEffort: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "CsvConfig", title: "Manual CSV upload" })
export type CsvConfig = typeof CsvConfig.Type

/** Bulk mode: the customer's jobs push the same data over the API with an API key. */
export const BulkConfig = Schema.Struct({
  sourceSystem: Schema.optionalKey(Schema.String),
  maxUploadBytes: Schema.optionalKey(Schema.Int)
}).annotate({ identifier: "BulkConfig", title: "Automated upload by API" })
export type BulkConfig = typeof BulkConfig.Type
