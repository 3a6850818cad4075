import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import type { Step } from "../Step.ts"
import { GROUP_SELECT } from "./Groups.ts"
import { USER_PROPERTIES } from "./Users.ts"

/**
 * What delta queries track. `$select` limits which property changes surface, so it lists what
 * the entities carry (sign-in activity is not a directory property: delta never reports it);
 * `manager` and `members` track those relationships.
 */
export const USERS_DELTA = `/users/delta?$select=${[...USER_PROPERTIES, "employeeLeaveDateTime", "manager"].join(",")}`
export const GROUPS_DELTA = `/groups/delta?$select=${GROUP_SELECT},members`

/** Follows a delta round from `url` to its deltaLink, discarding the changes. */
const roundToDeltaLink = (url: string): Effect.Effect<string, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    let next = url
    for (;;) {
      const page = yield* graph.page(next)
      if (page.deltaLink !== undefined) return page.deltaLink
      if (page.nextLink === undefined) {
        return yield* ConnectorErrors.unexpected({ message: `The delta round of ${url.split("?")[0]} ended without a deltaLink` })
      }
      next = page.nextLink
    }
  })

/**
 * First step of a full sync: "sync from now" delta links for users and groups
 * (`$deltatoken=latest`, one request each). Taken before anything is read, so whatever changes
 * while the full sync runs is replayed by the next incremental run rather than lost.
 */
export const deltaLinksStep: Step = {
  name: "deltaLinks",
  run: (ctx) =>
    Effect.gen(function* () {
      ctx.state.deltaLinks = {
        users: yield* roundToDeltaLink(`${USERS_DELTA}&$deltatoken=latest`),
        groups: yield* roundToDeltaLink(`${GROUPS_DELTA}&$deltatoken=latest`)
      }
    })
}
