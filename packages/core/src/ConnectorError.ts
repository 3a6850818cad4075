import * as Schema from "effect/Schema"

/**
 * What the runner does about a failure. `config`: the user must fix something (fail fast, show the
 * message on the integration). `transient`: retry, honouring any Retry-After. `system`: a bug.
 */
export type FailureClass = "config" | "transient" | "system"

const reason = <Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
) => Schema.TaggedStruct(tag, { message: Schema.String, ...fields })

/** The configuration does not decode: names the field at fault. */
export const ConfigInvalid = reason("ConfigInvalid", { field: Schema.String })
/** The credentials were refused (wrong secret, unknown tenant, app not consented, expired secret). */
export const CredentialsRejected = reason("CredentialsRejected", {
  code: Schema.String,
  fix: Schema.optionalKey(Schema.String)
})
/** The credentials work but lack a permission this call needs. */
export const PermissionMissing = reason("PermissionMissing", {
  permission: Schema.String,
  fix: Schema.optionalKey(Schema.String)
})
/** The source system's licence does not include the feature (e.g. Entra ID P1/P2). */
export const LicenseMissing = reason("LicenseMissing", { feature: Schema.String })
/** The object or endpoint does not exist. */
export const NotFound = reason("NotFound", { target: Schema.String })
/** The source throttled us; retry after the given seconds (when it said). */
export const RateLimited = reason("RateLimited", { retryAfterSeconds: Schema.optionalKey(Schema.Number) })
/** Network failure, timeout, 5xx: retry with backoff. */
export const Unavailable = reason("Unavailable", {
  status: Schema.optionalKey(Schema.Number),
  retryAfterSeconds: Schema.optionalKey(Schema.Number)
})
/** The saved checkpoint cannot be used (expired delta token, other plugin version): start over. */
export const CheckpointInvalid = reason("CheckpointInvalid", {})
/** The request is not something this plugin or mode supports. */
export const Unsupported = reason("Unsupported", { feature: Schema.String })
/** The input (an operation, a file row) is invalid. */
export const InvalidInput = reason("InvalidInput", { field: Schema.optionalKey(Schema.String) })
/** The source answered something we did not expect: a bug on one side or the other. */
export const Unexpected = reason("Unexpected", { detail: Schema.optionalKey(Schema.String) })

export const ConnectorErrorReason = Schema.Union([
  ConfigInvalid,
  CredentialsRejected,
  PermissionMissing,
  LicenseMissing,
  NotFound,
  RateLimited,
  Unavailable,
  CheckpointInvalid,
  Unsupported,
  InvalidInput,
  Unexpected
])
export type ConnectorErrorReason = typeof ConnectorErrorReason.Type
export type ConnectorErrorCode = ConnectorErrorReason["_tag"]

const CLASS_BY_CODE: Record<ConnectorErrorCode, FailureClass> = {
  ConfigInvalid: "config",
  CredentialsRejected: "config",
  PermissionMissing: "config",
  LicenseMissing: "config",
  NotFound: "config",
  RateLimited: "transient",
  Unavailable: "transient",
  CheckpointInvalid: "transient",
  Unsupported: "config",
  InvalidInput: "config",
  Unexpected: "system"
}

/**
 * The one error every plugin method fails with. The `reason` is tagged with a stable code
 * (`_tag`) that the API exposes and the runner maps to a failure class.
 *
 * @category errors
 */
export class ConnectorError extends Schema.TaggedError<ConnectorError>()("ConnectorError", {
  reason: ConnectorErrorReason,
  /** Where it happened, e.g. the Graph path or the stream name. */
  context: Schema.optionalKey(Schema.String)
}) {
  get code(): ConnectorErrorCode {
    return this.reason._tag
  }
  get failureClass(): FailureClass {
    return CLASS_BY_CODE[this.reason._tag]
  }
  get isRetryable(): boolean {
    return this.failureClass === "transient"
  }
  override get message(): string {
    return this.reason.message
  }
  /** Seconds the source asked us to wait, if it said. */
  get retryAfterSeconds(): number | undefined {
    const r = this.reason
    return r._tag === "RateLimited" || r._tag === "Unavailable" ? r.retryAfterSeconds : undefined
  }
}

type ReasonInput<R extends ConnectorErrorReason> = Omit<R, "_tag">

/** Constructors for each reason, so plugins write `ConnectorErrors.permissionMissing({...})`. */
export const ConnectorErrors = {
  configInvalid: (r: ReasonInput<typeof ConfigInvalid.Type>, context?: string) =>
    make({ _tag: "ConfigInvalid", ...r }, context),
  credentialsRejected: (r: ReasonInput<typeof CredentialsRejected.Type>, context?: string) =>
    make({ _tag: "CredentialsRejected", ...r }, context),
  permissionMissing: (r: ReasonInput<typeof PermissionMissing.Type>, context?: string) =>
    make({ _tag: "PermissionMissing", ...r }, context),
  licenseMissing: (r: ReasonInput<typeof LicenseMissing.Type>, context?: string) =>
    make({ _tag: "LicenseMissing", ...r }, context),
  notFound: (r: ReasonInput<typeof NotFound.Type>, context?: string) => make({ _tag: "NotFound", ...r }, context),
  rateLimited: (r: ReasonInput<typeof RateLimited.Type>, context?: string) =>
    make({ _tag: "RateLimited", ...r }, context),
  unavailable: (r: ReasonInput<typeof Unavailable.Type>, context?: string) =>
    make({ _tag: "Unavailable", ...r }, context),
  checkpointInvalid: (r: ReasonInput<typeof CheckpointInvalid.Type>, context?: string) =>
    make({ _tag: "CheckpointInvalid", ...r }, context),
  unsupported: (r: ReasonInput<typeof Unsupported.Type>, context?: string) =>
    make({ _tag: "Unsupported", ...r }, context),
  invalidInput: (r: ReasonInput<typeof InvalidInput.Type>, context?: string) =>
    make({ _tag: "InvalidInput", ...r }, context),
  unexpected: (r: ReasonInput<typeof Unexpected.Type>, context?: string) =>
    make({ _tag: "Unexpected", ...r }, context)
}

const make = (reason: ConnectorErrorReason, context: string | undefined): ConnectorError =>
  new ConnectorError(context === undefined ? { reason } : { reason, context })

/** The failure class of any error: ConnectorErrors know theirs; anything else is a bug. */
export const failureClassOf = (error: unknown): FailureClass =>
  error instanceof ConnectorError ? error.failureClass : "system"
