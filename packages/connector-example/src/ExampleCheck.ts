import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { CheckFinding, CheckReport, PermissionStatus } from "@idconnect/schemas/CheckReport"
import * as Effect from "effect/Effect"
import { ExampleClient } from "./ExampleClient.ts"
import type { ExampleDirectConfig } from "./ExampleConfig.ts"

const READ = "directory.read"
const WRITE = "directory.write"

/**
 * "Test connection": makes real, cheap calls (token introspection, then one user) so a wrong URL
 * or token fails here, not in the first sync. Bad credentials fail with `CredentialsRejected` (a
 * config error the UI shows with its fix); missing scopes are reported as findings per capability.
 */
export const check = Effect.fn("ExampleCheck.check")(
  function* (_config: ExampleDirectConfig): Effect.fn.Return<CheckReport, ConnectorError, ExampleClient> {
    const client = yield* ExampleClient
    const { scopes } = yield* client.token
    const canRead = scopes.includes(READ)
    const canWrite = scopes.includes(WRITE)
    const permissions: Array<PermissionStatus> = [
      { permission: READ, capabilitySet: "read", granted: canRead, required: true, enables: "extracting users, groups and memberships" },
      { permission: WRITE, capabilitySet: "lifecycle", granted: canWrite, required: false, enables: "adding and removing group members" }
    ]
    const findings: Array<CheckFinding> = []
    if (!canRead) {
      findings.push({ code: "PermissionMissing", severity: "error", message: `The token lacks ${READ}`, fix: `Grant ${READ} to the token`, affects: ["read"] })
      return { status: "Error", message: `The token lacks ${READ}`, findings, permissions, capabilitySets: { read: "unavailable", lifecycle: "unavailable" } }
    }
    // The cheapest call that proves reading works end to end.
    yield* client.users(undefined, 1)
    findings.push({ code: "ReadOk", severity: "ok", message: "Listing users works" })
    if (!canWrite) {
      findings.push({ code: "PermissionMissing", severity: "warning", message: `The token lacks ${WRITE}: lifecycle operations will be blocked`, fix: `Grant ${WRITE} to the token`, affects: ["lifecycle"] })
    }
    return {
      status: "Connected",
      message: canWrite ? "Connected: read and lifecycle ready" : "Connected: read ready, lifecycle unavailable",
      findings,
      permissions,
      capabilitySets: { read: "ready", lifecycle: canWrite ? "ready" : "unavailable" }
    }
  },
  (effect, config) => Effect.provide(effect, ExampleClient.layer(config))
)
