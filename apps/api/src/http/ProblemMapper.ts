import { ConnectorError, type ConnectorErrorCode } from "@idconnect/core/ConnectorError"
import { StoreError, type StoreErrorReason } from "@idconnect/store/StoreError"
import { PROBLEM_CODES, problemType, type FieldError, type Problem, type ProblemCode } from "../contract/Problem.ts"
import { ApiError } from "./ApiError.ts"

/** Every connector error code has exactly one problem code (the Record makes this exhaustive). */
const CONNECTOR_PROBLEMS: Record<ConnectorErrorCode, ProblemCode> = {
  ConfigInvalid: "config-invalid",
  CredentialsRejected: "credentials-rejected",
  PermissionMissing: "permission-missing",
  LicenseMissing: "license-missing",
  NotFound: "source-not-found",
  RateLimited: "source-rate-limited",
  Unavailable: "source-unavailable",
  CheckpointInvalid: "checkpoint-invalid",
  Unsupported: "unsupported",
  InvalidInput: "invalid-input",
  Unexpected: "source-unexpected"
}

/** Store error codes; a missing encryption key or an unexpected database error is the operator's to fix. */
const STORE_PROBLEMS: Record<StoreErrorReason["_tag"], ProblemCode> = {
  NotFound: "not-found",
  Conflict: "conflict",
  InvalidInput: "validation-failed",
  SnapshotPruned: "gone",
  Unavailable: "unavailable",
  KeyInvalid: "internal",
  Unexpected: "internal"
}

const problem = (
  code: ProblemCode,
  detail: string,
  extra?: { errors?: ReadonlyArray<FieldError> | undefined; fix?: string | undefined; retryAfterSeconds?: number | undefined }
): Problem => {
  const { status, title } = PROBLEM_CODES[code]
  return {
    type: problemType(code),
    title,
    status,
    detail,
    code,
    ...(extra?.errors !== undefined && extra.errors.length > 0 ? { errors: extra.errors } : {}),
    ...(extra?.fix !== undefined ? { fix: extra.fix } : {}),
    ...(extra?.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {})
  }
}

/**
 * The one place that turns an error into an HTTP answer (RFC 9457 problem details). Known errors
 * map by their stable code; anything else is a bug and becomes a 500 whose detail reveals nothing
 * (the caller logs the cause).
 */
export const toProblem = (error: unknown): Problem => {
  if (error instanceof ApiError) {
    return problem(error.code, error.message, error)
  }
  if (error instanceof ConnectorError) {
    const reason = error.reason
    const errors =
      reason._tag === "ConfigInvalid" && reason.field !== ""
        ? [{ field: `config.${reason.field}`, message: reason.message }]
        : reason._tag === "InvalidInput" && reason.field !== undefined
          ? [{ field: reason.field, message: reason.message }]
          : undefined
    const fix = "fix" in reason ? reason.fix : undefined
    return problem(CONNECTOR_PROBLEMS[reason._tag], error.message, { errors, fix, retryAfterSeconds: error.retryAfterSeconds })
  }
  if (error instanceof StoreError) {
    const reason = error.reason
    const code = STORE_PROBLEMS[reason._tag]
    if (code === "internal") return problem(code, "An unexpected error occurred; it has been logged")
    const errors = reason._tag === "InvalidInput" ? [{ field: reason.field, message: reason.message }] : undefined
    return problem(code, reason.message, { errors, retryAfterSeconds: reason._tag === "Unavailable" ? 1 : undefined })
  }
  return problem("internal", "An unexpected error occurred; it has been logged")
}

/** Whether a problem reveals a bug (logged with its cause) rather than a caller mistake. */
export const isServerFault = (p: Problem): boolean => p.status >= 500 && p.code === "internal"
