import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { GraphClient } from "../GraphClient.ts"
import type { UserRisk } from "../Mapping.ts"
import { holds } from "../Permissions.ts"
import type { StepContext } from "../Step.ts"

const SELECT = "id,riskLevel,riskState,riskDetail,riskLastUpdatedDateTime"

/**
 * Identity Protection's risky users, as a map from user id to risk signals, merged into the user
 * entities (reviewers look at a user's risk next to their access). Only users that were ever risky
 * are listed, so the map is small next to the tenant. Reads in the Identity Protection lane
 * (1 request per second). Without IdentityRiskyUser.Read.All or an Entra ID P2 licence the map is
 * empty and the run carries a warning.
 */
export const loadUserRisk = (ctx: StepContext): Effect.Effect<ReadonlyMap<string, UserRisk>, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const risks = new Map<string, UserRisk>()
    if (!holds(ctx.granted, "IdentityRiskyUser.Read.All")) {
      yield* ctx.warn("riskyUsers.permission-missing", "IdentityRiskyUser.Read.All is not granted: users carry no risk level or state")
      return risks
    }
    const graph = yield* GraphClient
    const outcome = yield* Effect.result(
      graph.pages(`/identityProtection/riskyUsers?$select=${SELECT}&$top=500`).pipe(
        Stream.runForEach((page) =>
          Effect.sync(() => {
            for (const r of page.items) {
              risks.set(r.id, {
                riskLevel: r.riskLevel ?? "none",
                riskState: r.riskState ?? "none",
                riskDetail: r.riskDetail ?? "none",
                riskLastUpdatedDateTime: r.riskLastUpdatedDateTime ?? null
              })
            }
          })
        )
      )
    )
    if (outcome._tag === "Success") return risks
    const error = outcome.failure
    if (error.code === "LicenseMissing" || error.code === "PermissionMissing") {
      yield* ctx.warn(`riskyUsers.${error.code === "LicenseMissing" ? "license-missing" : "permission-missing"}`, `Risky users skipped: ${error.message}`)
      return new Map()
    }
    return yield* error
  })
