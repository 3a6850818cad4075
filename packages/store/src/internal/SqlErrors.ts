import { StoreErrors, type StoreError } from "../StoreError.ts"

/** SQLSTATE classes and driver codes that mean "try again": connection loss, contention, shutdown. */
const RETRYABLE_SQLSTATE = /^(08|53|57P|40001|40P01|55P03)/
const RETRYABLE_NODE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"])

/**
 * Maps a `pg` or PGlite error to a `StoreError`. Unique violations become `Conflict` naming the
 * constraint (repositories turn the ones they expect into a domain message).
 */
export const toStoreError = (cause: unknown, what: string): StoreError => {
  const err = cause as { code?: unknown; constraint?: unknown; message?: unknown; detail?: unknown }
  const code = typeof err?.code === "string" ? err.code : undefined
  const message = typeof err?.message === "string" ? err.message : String(cause)
  if (code === "23505") {
    return StoreErrors.conflict({
      what,
      message: `Duplicate ${what}: ${typeof err.detail === "string" ? err.detail : message}`,
      ...(typeof err.constraint === "string" ? { constraint: err.constraint } : {})
    })
  }
  if (code === "23503") return StoreErrors.conflict({ what, message: `The ${what} refers to a row that does not exist: ${message}` })
  if (code !== undefined && (RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NODE.has(code))) {
    return StoreErrors.unavailable(`Database unavailable during ${what}: ${message}`, code, cause)
  }
  if (message.includes("Connection terminated") || message.includes("connect ECONNREFUSED")) {
    return StoreErrors.unavailable(`Database unavailable during ${what}: ${message}`, code, cause)
  }
  return StoreErrors.unexpected(`Database error during ${what}: ${message}`, code, cause)
}

/** Short label of a statement for error messages (first words, never parameter values). */
export const statementLabel = (text: string): string => text.trim().replace(/\s+/g, " ").slice(0, 60)
