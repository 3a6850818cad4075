import { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { CheckReport } from "@idconnect/schemas/CheckReport"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { ApiErrors, type ApiError } from "../http/ApiError.ts"

/** How long "test connection" waits for the source before reporting it unavailable. */
const CHECK_TIMEOUT = Duration.seconds(60)

/** A check that could not even run (bad config, source down) still answers as a report. */
const failedReport = (error: ConnectorError, hasLifecycle: boolean): CheckReport => {
  const reason = error.reason
  const fix = "fix" in reason && typeof reason.fix === "string" ? reason.fix : undefined
  return {
    status: "Error",
    message: error.message,
    findings: [{ code: error.code, severity: "error", message: error.message, ...(fix === undefined ? {} : { fix }) }],
    capabilitySets: { read: "unavailable", lifecycle: hasLifecycle ? "unavailable" : "not-supported" }
  }
}

/**
 * Runs the plugin's `check` with the decrypted config and always answers with a CheckReport: the
 * caller (a setup form) shows findings either way. Only a push mode, which has nothing to check,
 * is an error.
 */
export const runCheck = (
  definition: ModeDefinition<unknown>,
  config: Record<string, unknown>,
  mode: string
): Effect.Effect<CheckReport, ApiError> => {
  const read = definition.read
  if (read === undefined) {
    return Effect.fail(ApiErrors.unsupported(`Mode '${mode}' has no connection to test: the data is pushed by upload`))
  }
  const hasLifecycle = definition.lifecycle !== undefined
  return decodeConfig(definition.config, config).pipe(
    Effect.flatMap((decoded) => read.check(decoded)),
    Effect.timeoutOrElse({
      duration: CHECK_TIMEOUT,
      orElse: () => Effect.succeed(failedReport(new ConnectorError({ reason: { _tag: "Unavailable", message: "The source did not answer within 60 s" } }), hasLifecycle))
    }),
    Effect.catch((error) => Effect.succeed(failedReport(error, hasLifecycle)))
  )
}
