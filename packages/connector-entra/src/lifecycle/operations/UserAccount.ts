import { IsoDateTime, NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { DirectoryLookup } from "../DirectoryLookup.ts"
import { absentRemove, change, noop } from "../Draft.ts"
import { compact, notFound, privilegedTarget, syncedUser } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE } from "../Requirements.ts"

type Raw = Record<string, any>

export const UserRef = NonBlankString.annotate({ description: "The user: object id or userPrincipalName" })
const UserParams = Schema.Struct({ user: UserRef })

const accountState = (u: Raw) => ({
  id: u.id,
  userPrincipalName: u.userPrincipalName,
  accountEnabled: u.accountEnabled ?? null,
  onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null
})

/** A user the plan creates earlier (createUser), by its UPN. */
export const pendingUser = (ctx: PlanContext, ref: string): string | undefined => ctx.pendingUsers.get(ref.toLowerCase())

const setEnabled = (enabled: boolean) =>
  Effect.fn(enabled ? "enableUser.plan" : "disableUser.plan")(function* (params: { readonly user: string }, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const verb = enabled ? "Enable" : "Disable"
    const requirements = [REQUIRE.enableDisable]
    const u = yield* lookup.user(params.user)
    if (u === undefined) {
      const pending = pendingUser(ctx, params.user)
      if (pending !== undefined) {
        return change(pending, `${verb} the new user ${pending}`, [{ method: "PATCH", path: `/users/${placeholder(pending)}`, body: { accountEnabled: enabled } }], requirements)
      }
      if (!enabled) return noop(params.user, `No live user '${params.user}': it cannot sign in (deleted, or never existed)`, { exists: false }, requirements)
      return change(params.user, `${verb} ${params.user}`, [], requirements, { blockers: [notFound("params.user", params.user, "user")] })
    }
    const label = String(u.userPrincipalName)
    const state = accountState(u)
    if (u.accountEnabled === enabled) return noop(label, `${label} is already ${enabled ? "enabled" : "disabled"}`, state, requirements)
    const blockers = compact([syncedUser(u, "whether the account is enabled"), yield* privilegedTarget(u, enabled ? "enable" : "disable")])
    return change(label, `${verb} ${label} (accountEnabled: ${!enabled} -> ${enabled})`, [{ method: "PATCH", path: `/users/${u.id}`, body: { accountEnabled: enabled } }], requirements, {
      currentState: state,
      blockers
    })
  })

export const disableUser = defineOperation({
  name: "disableUser",
  params: UserParams.annotate({ description: "Block a user's sign-in (accountEnabled false). A leaver's first step." }),
  phase: PHASE.block,
  plan: setEnabled(false)
})

export const enableUser = defineOperation({
  name: "enableUser",
  params: UserParams.annotate({ description: "Allow a user to sign in again (accountEnabled true)." }),
  phase: PHASE.update,
  plan: setEnabled(true)
})

export const deleteUser = defineOperation({
  name: "deleteUser",
  params: UserParams.annotate({ description: "Delete a user. Entra keeps it restorable for 30 days (restoreUser)." }),
  phase: PHASE.remove,
  plan: Effect.fn("deleteUser.plan")(function* (params) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.users]
    const u = yield* lookup.user(params.user)
    if (u === undefined) {
      const deleted = yield* lookup.deletedUser(params.user)
      if (deleted !== undefined) {
        return noop(String(deleted.userPrincipalName ?? params.user), `'${params.user}' is already deleted (since ${deleted.deletedDateTime ?? "an unknown date"}; restorable for 30 days)`, { id: deleted.id, deletedDateTime: deleted.deletedDateTime ?? null }, requirements)
      }
      return noop(params.user, `No user '${params.user}': nothing to delete`, { exists: false }, requirements)
    }
    const label = String(u.userPrincipalName)
    const blockers = compact([syncedUser(u, "the account"), yield* privilegedTarget(u, "delete")])
    return change(label, `Delete ${label} (restorable for 30 days)`, [{ method: "DELETE", path: `/users/${u.id}`, already: absentRemove }], requirements, {
      currentState: accountState(u),
      blockers
    })
  })
})

export const restoreUser = defineOperation({
  name: "restoreUser",
  params: UserParams.annotate({ description: "Restore a user deleted in the last 30 days, with its group memberships." }),
  phase: PHASE.create,
  plan: Effect.fn("restoreUser.plan")(function* (params) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.users]
    const live = yield* lookup.user(params.user)
    if (live !== undefined) return noop(String(live.userPrincipalName), `${live.userPrincipalName} is not deleted`, accountState(live), requirements)
    const deleted = yield* lookup.deletedUser(params.user)
    if (deleted === undefined) {
      return change(params.user, `Restore ${params.user}`, [], requirements, {
        blockers: [notFound("params.user", params.user, "deleted user (deleted users are kept 30 days)")]
      })
    }
    const label = String(deleted.userPrincipalName ?? params.user)
    return change(
      label,
      `Restore ${label} (deleted ${deleted.deletedDateTime ?? "recently"})`,
      // A 404 means the object left the recycle bin meanwhile: the re-read decides what happened.
      [{ method: "POST", path: `/directory/deletedItems/${deleted.id}/restore`, body: {}, already: absentRemove }],
      requirements,
      { currentState: { id: deleted.id, deletedDateTime: deleted.deletedDateTime ?? null } }
    )
  })
})

/** Sessions revoked this recently count as revoked by this request (Microsoft applies a revocation within minutes). */
export const RECENT_REVOCATION_MS = 5 * 60_000

export const revokeSignInSessions = defineOperation({
  name: "revokeSignInSessions",
  params: Schema.Struct({
    user: UserRef,
    issuedBefore: Schema.optionalKey(
      IsoDateTime.annotate({
        description: "Sessions issued before this instant must be invalid. Default: a revocation in the last 5 minutes counts as done (so a retried or repeated apply revokes once)."
      })
    )
  }).annotate({ description: "Invalidate a user's refresh tokens and session cookies (signInSessionsValidFromDateTime)." }),
  phase: PHASE.endSessions,
  plan: Effect.fn("revokeSignInSessions.plan")(function* (params, ctx) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.revokeSessions]
    const u = yield* lookup.user(params.user)
    if (u === undefined) {
      const pending = pendingUser(ctx, params.user)
      if (pending !== undefined) return noop(pending, `${pending} is created by this plan: it has no sessions yet`, undefined, requirements)
      return noop(params.user, `No live user '${params.user}': no sessions to revoke`, { exists: false }, requirements)
    }
    const label = String(u.userPrincipalName)
    const validFrom = typeof u.signInSessionsValidFromDateTime === "string" ? Date.parse(u.signInSessionsValidFromDateTime) : Number.NaN
    const threshold = Math.floor((params.issuedBefore === undefined ? ctx.now - RECENT_REVOCATION_MS : Date.parse(params.issuedBefore)) / 1000) * 1000
    const state = { id: u.id, userPrincipalName: label, signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime ?? null }
    if (validFrom >= threshold) return noop(label, `${label}'s sessions were already revoked at ${u.signInSessionsValidFromDateTime}`, state, requirements)
    const guest = u.userType === "Guest" ? " (a guest: sessions in the guest's home tenant are not affected)" : ""
    const blockers = compact([yield* privilegedTarget(u, "revoke the sessions of")])
    return change(label, `Revoke all sign-in sessions of ${label}${guest}`, [{ method: "POST", path: `/users/${u.id}/revokeSignInSessions`, body: {} }], requirements, {
      currentState: state,
      blockers
    })
  })
})
