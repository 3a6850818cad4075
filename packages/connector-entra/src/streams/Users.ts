import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { userEntity } from "../Mapping.ts"
import { holds } from "../Permissions.ts"
import { forEachWindow, type Step, type StepContext } from "../Step.ts"
import { loadUserRisk } from "./RiskyUsers.ts"

/** User properties every extraction reads: identity, HR and the governance signals reviewers act on. */
export const USER_PROPERTIES = [
  "id", "displayName", "userPrincipalName", "mail", "givenName", "surname", "jobTitle", "department", "companyName",
  "employeeId", "employeeType", "employeeHireDate", "accountEnabled", "userType", "createdDateTime", "creationType",
  "externalUserState", "lastPasswordChangeDateTime", "signInSessionsValidFromDateTime", "onPremisesSyncEnabled",
  "onPremisesSamAccountName", "onPremisesLastSyncDateTime", "usageLocation"
] as const

/** What the token and the tenant's licence allow on top of the base properties. */
export interface UserExtras {
  /** employeeLeaveDateTime needs User-LifeCycleInfo.Read.All. */
  readonly leaveDate: boolean
  /** signInActivity needs AuditLog.Read.All and Entra ID P1/P2. */
  readonly signInActivity: boolean
}

export const userExtras = (granted: ReadonlySet<string>): UserExtras => ({
  leaveDate: holds(granted, "User-LifeCycleInfo.Read.All"),
  signInActivity: holds(granted, "AuditLog.Read.All")
})

export const userSelect = (extras: UserExtras): string =>
  [...USER_PROPERTIES, ...(extras.leaveDate ? ["employeeLeaveDateTime"] : []), ...(extras.signInActivity ? ["signInActivity"] : [])].join(",")

/** `$expand=manager($select=id)`: the manager's id rides along with each user (+1 RU per page, not a request per user). */
export const MANAGER_EXPAND = "$expand=manager($select=id)"

/**
 * Users with their governance signals, a page (up to 999) at a time. Degrades instead of failing:
 * without AuditLog.Read.All or without a P1/P2 licence the users come without sign-in activity;
 * without User-LifeCycleInfo.Read.All, without a leave date; each with a warning.
 */
export const usersStep: Step = {
  name: "users",
  run: (ctx) =>
    Effect.gen(function* () {
      let extras = userExtras(ctx.granted)
      if (!extras.signInActivity) {
        yield* ctx.warn("users.signInActivity-skipped", "AuditLog.Read.All is not granted: users carry no sign-in activity (last sign-in dates)")
      }
      if (!extras.leaveDate) {
        yield* ctx.warn("users.leaveDate-skipped", "User-LifeCycleInfo.Read.All is not granted: users carry no employee leave date")
      }
      const risks = yield* loadUserRisk(ctx)
      let cursor = ctx.cursor
      for (;;) {
        // A resumed run continues the URL it was reading (its $select says what it included).
        const first = `/users?$select=${userSelect(extras)}&${MANAGER_EXPAND}&$top=999`
        const outcome = yield* Effect.result(
          forEachWindow({ ...ctx, cursor }, first, 999, (items) =>
            Effect.forEach(items, (raw) => ctx.entity(userEntity(raw, risks.get(raw.id))), { discard: true })
          )
        )
        if (outcome._tag === "Success") return
        const dropped = yield* degrade(ctx, outcome.failure, extras)
        if (dropped === undefined) return yield* outcome.failure
        extras = dropped
        cursor = undefined
      }
    })
}

/** A 403 on signInActivity (licence or permission) restarts the stream without it; anything else is not ours to absorb. */
const degrade = (ctx: StepContext, error: ConnectorError, extras: UserExtras): Effect.Effect<UserExtras | undefined> => {
  if (extras.signInActivity && (error.code === "LicenseMissing" || (error.code === "PermissionMissing" && /AuditLog/u.test(error.message)))) {
    const why = error.code === "LicenseMissing" ? "the tenant has no Entra ID P1/P2 licence" : "AuditLog.Read.All is not granted"
    return ctx.warn("users.signInActivity-skipped", `Users are read without sign-in activity: ${why}`).pipe(Effect.as({ ...extras, signInActivity: false }))
  }
  if (extras.leaveDate && error.code === "PermissionMissing") {
    return ctx.warn("users.leaveDate-skipped", `Users are read without the employee leave date: ${error.message}`).pipe(
      Effect.as({ ...extras, leaveDate: false })
    )
  }
  return Effect.succeed(undefined)
}
