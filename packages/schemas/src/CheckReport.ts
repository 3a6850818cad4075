import * as Schema from "effect/Schema"

export const FindingSeverity = Schema.Literals(["ok", "info", "warning", "error"])
export type FindingSeverity = typeof FindingSeverity.Type

/** One thing `check` found, with a stable code and what a human should do about it. */
export const CheckFinding = Schema.Struct({
  code: Schema.String,
  severity: FindingSeverity,
  message: Schema.String,
  fix: Schema.optionalKey(Schema.String),
  /** The capability set, stream or operation this finding affects. */
  affects: Schema.optionalKey(Schema.Array(Schema.String))
}).annotate({ identifier: "CheckFinding" })
export type CheckFinding = typeof CheckFinding.Type

/** A permission a capability needs, and whether the credentials hold it. */
export const PermissionStatus = Schema.Struct({
  permission: Schema.String,
  capabilitySet: Schema.Literals(["read", "lifecycle"]),
  granted: Schema.Boolean,
  required: Schema.Boolean,
  enables: Schema.String
}).annotate({ identifier: "PermissionStatus" })
export type PermissionStatus = typeof PermissionStatus.Type

/**
 * The result of "test connection". `status` is the product's word: Connected when reading works,
 * Error with a message otherwise. Findings carry the detail.
 */
export const CheckReport = Schema.Struct({
  status: Schema.Literals(["Connected", "Error"]),
  message: Schema.String,
  findings: Schema.Array(CheckFinding),
  permissions: Schema.optionalKey(Schema.Array(PermissionStatus)),
  capabilitySets: Schema.Struct({
    read: Schema.Literals(["ready", "degraded", "unavailable"]),
    lifecycle: Schema.Literals(["ready", "unavailable", "not-supported"])
  }),
  details: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
}).annotate({ identifier: "CheckReport" })
export type CheckReport = typeof CheckReport.Type
