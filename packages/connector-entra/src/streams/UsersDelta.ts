import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { KINDS, userEntity } from "../Mapping.ts"
import { objectFailure, forEachWindow, type Step } from "../Step.ts"
import { loadUserRisk } from "./RiskyUsers.ts"
import { MANAGER_EXPAND, userExtras, userSelect } from "./Users.ts"

/**
 * Incremental users: follows the stored deltaLink. A removed user becomes a deletion (the store
 * drops its relations with it); a changed or new user is read again by id (`$batch`, 20 per call)
 * with the full-sync `$select`, so it carries sign-in activity and risk exactly like a full sync.
 */
export const usersDeltaStep: Step = {
  name: "usersDelta",
  run: (ctx) =>
    Effect.gen(function* () {
      const graph = yield* GraphClient
      const start = ctx.cursor?.url ?? ctx.state.deltaLinks.users
      if (start === undefined) return yield* ConnectorErrors.checkpointInvalid({ message: "No users deltaLink: a full sync is needed" })
      const risks = yield* loadUserRisk(ctx)
      let extras = userExtras(ctx.granted)
      const last = yield* forEachWindow(ctx, start, 999, (items) =>
        Effect.gen(function* () {
          const changed: Array<string> = []
          for (const raw of items) {
            if (raw["@removed"] !== undefined) {
              yield* ctx.emit({ _tag: "deletion", target: "entity", ...KINDS.user, sourceId: raw.id })
            } else {
              changed.push(raw.id)
            }
          }
          let pending = changed
          while (pending.length > 0) {
            const select = userSelect(extras)
            const results = yield* graph.batch(pending.map((id) => ({ method: "GET" as const, url: `/users/${id}?$select=${select}&${MANAGER_EXPAND}` })))
            const retry: Array<string> = []
            for (const [i, result] of results.entries()) {
              const id = pending[i]!
              if (result.status === 200) {
                yield* ctx.entity(userEntity(result.body, risks.get(id)))
              } else if (result.status === 404) {
                // Deleted since the delta page was produced: the next round reports the removal.
              } else if (result.status === 403 && extras.signInActivity) {
                retry.push(id)
              } else {
                yield* objectFailure(ctx, "usersDelta", result.request.url, result, { objectId: id, what: `user ${id}` })
              }
            }
            if (retry.length > 0) {
              yield* ctx.warn("users.signInActivity-skipped", "Changed users are read without sign-in activity: the tenant's licence or permissions do not allow it")
              extras = { ...extras, signInActivity: false }
            }
            pending = retry
          }
        }))
      if (last.deltaLink === undefined) return yield* ConnectorErrors.unexpected({ message: "The users delta round ended without a deltaLink" })
      ctx.state.deltaLinks = { ...ctx.state.deltaLinks, users: last.deltaLink }
    })
}
