import { ConnectorError } from "@idconnect/core/ConnectorError"
import { SinkError } from "@idconnect/core/ExtractionSink"
import { StoreError } from "@idconnect/store/StoreError"
import type { RunError } from "@idconnect/store/Runs"
import * as Cause from "effect/Cause"

/**
 * What the worker does about a failed run, decided by failure class only:
 * - `config`: the user must fix something; fail now, show the message on the integration.
 * - `transient`: retry the job with backoff (pg-boss), resuming from the last checkpoint.
 * - `system`: a bug; dead-letter now, a human has to look.
 * - `leaseLost`: another worker owns the run now; stop without touching it.
 */
export type FailureKind = "config" | "transient" | "system" | "leaseLost"

export interface Classified {
  readonly kind: FailureKind
  readonly error: RunError
}

const withFix = (message: string, fix: string | undefined) => (fix === undefined || message.includes(fix) ? message : `${message} Fix: ${fix}`)

const fromStoreError = (e: StoreError): Classified => {
  if (e.reason._tag === "Conflict" && e.reason.what === "run lease") return { kind: "leaseLost", error: { code: "LeaseLost", failureClass: "transient", message: e.message } }
  if (e.isRetryable) return { kind: "transient", error: { code: e.code, failureClass: "transient", message: e.message } }
  if (e.reason._tag === "NotFound" || e.reason._tag === "InvalidInput" || e.reason._tag === "KeyInvalid") {
    return { kind: "config", error: { code: e.code, failureClass: "config", message: e.message } }
  }
  return { kind: "system", error: { code: e.code, failureClass: "system", message: e.message } }
}

/** Classifies one error value raised by a plugin, the store, the sink or the ingest engine. */
export const classifyError = (error: unknown): Classified => {
  if (error instanceof ConnectorError) {
    const fix = "fix" in error.reason ? error.reason.fix : undefined
    const kind = error.failureClass
    return { kind, error: { code: error.code, failureClass: kind, message: withFix(error.message, fix) } }
  }
  if (error instanceof SinkError) {
    if (error.cause instanceof StoreError) return fromStoreError(error.cause)
    return error.retryable
      ? { kind: "transient", error: { code: "SinkUnavailable", failureClass: "transient", message: error.message } }
      : { kind: "system", error: { code: "SinkFailed", failureClass: "system", message: error.message } }
  }
  if (error instanceof StoreError) return fromStoreError(error)
  if (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "IngestInputError") {
    const e = error as { file?: string; message?: string }
    return { kind: "config", error: { code: "InputUnreadable", failureClass: "config", message: `${e.file ?? "upload"}: ${e.message ?? "unreadable"}` } }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { kind: "system", error: { code: "Unexpected", failureClass: "system", message: `Unexpected error: ${message}` } }
}

/** Classifies a failed run's cause: its first typed failure, else its first defect. */
export const classifyCause = (cause: Cause.Cause<unknown>): Classified => {
  for (const reason of cause.reasons) {
    if (reason._tag === "Fail") return classifyError(reason.error)
  }
  for (const reason of cause.reasons) {
    if (reason._tag === "Die") return classifyError(reason.defect)
  }
  return { kind: "system", error: { code: "Unexpected", failureClass: "system", message: Cause.pretty(cause) } }
}
