import { ConnectorError } from "@idconnect/core/ConnectorError"
import type { ReadCapability } from "@idconnect/core/ConnectorPlugin"
import { CheckReport } from "@idconnect/schemas/CheckReport"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type { Defects } from "./Defects.ts"

const decodeReport = Schema.decodeUnknownExit(CheckReport, { onExcessProperty: "error" })

/** `check` against a working target answers a valid report with status Connected. */
export const checkConnects = <C>(read: ReadCapability<C>, config: C): Effect.Effect<Defects, ConnectorError> =>
  Effect.map(read.check(config), (report) => {
    if (Exit.isFailure(decodeReport(report))) return ["check returned something that is not a CheckReport"]
    return report.status === "Connected" ? [] : [`check reported ${report.status} against a working target: ${report.message}`]
  })

/**
 * `check` with credentials the target rejects is a config error the user can act on: either it
 * fails with a config-class ConnectorError (CredentialsRejected), or it reports status Error with
 * an error finding. A transient or system failure would make the platform retry or page someone.
 */
export const checkBadCredentials = <C>(read: ReadCapability<C>, config: C): Effect.Effect<Defects> =>
  Effect.map(Effect.exit(read.check(config)), (exit) => {
    if (Exit.isSuccess(exit)) {
      const report = exit.value
      if (report.status !== "Error") return ["check with bad credentials reported Connected"]
      return report.findings.some((f) => f.severity === "error")
        ? []
        : ["check with bad credentials reported Error without an error finding saying what to fix"]
    }
    const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
    const error = reason !== undefined && "error" in reason ? reason.error : undefined
    if (!(error instanceof ConnectorError)) return [`check with bad credentials died instead of failing with a ConnectorError`]
    if (error.failureClass !== "config") {
      return [`check with bad credentials failed with ${error.code} (${error.failureClass}); expected a config error such as CredentialsRejected`]
    }
    return []
  })
