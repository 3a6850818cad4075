import * as Effect from "effect/Effect"
import { groupEntity, memberRelation, ownerRelation } from "../Mapping.ts"
import { collectFanOut, emitFanOut, forEachWindowConcurrently, type Step } from "../Step.ts"
import { MEMBER_SELECT, memberRef } from "./Members.ts"

export const GROUP_PROPERTIES = [
  "id", "displayName", "description", "mail", "mailEnabled", "mailNickname", "securityEnabled", "groupTypes",
  "membershipRule", "membershipRuleProcessingState", "isAssignableToRole", "visibility", "createdDateTime",
  "expirationDateTime", "onPremisesSyncEnabled", "onPremisesSamAccountName", "onPremisesLastSyncDateTime"
] as const

export const GROUP_SELECT = GROUP_PROPERTIES.join(",")

/** Groups fanned out per window: 50 groups -> 100 requests (members, owners) -> 5 `$batch` calls. */
const WINDOW = 50
/**
 * Windows fetched at once (emitted in order). One window waits on round trips, not on Graph's
 * budget; several in flight keep the budget busy (the ResourceBudget still paces every request).
 */
const WINDOWS_IN_FLIGHT = 4

type GroupTag = { readonly groupId: string; readonly list: "members" | "owners" }

/**
 * Groups with their direct members and owners. Nested groups come out as group -> group
 * membership (the store derives transitive access); devices and contacts as typed members.
 * Members and owners are read by `$batch` fan-out per window of groups, following each list's
 * nextLink; a group that disappears mid-run is reported and skipped.
 */
export const groupsStep: Step = {
  name: "groups",
  run: (ctx) =>
    Effect.gen(function* () {
      const unknownTypes = new Set<string>()
      yield* forEachWindowConcurrently(ctx, `/groups?$select=${GROUP_SELECT}&$top=999`, WINDOW, WINDOWS_IN_FLIGHT, (groups) =>
        collectFanOut(
          groups.flatMap((g) => [
            { tag: { groupId: g.id, list: "members" } as GroupTag, url: `/groups/${g.id}/members?${MEMBER_SELECT}&$top=999` },
            { tag: { groupId: g.id, list: "owners" } as GroupTag, url: `/groups/${g.id}/owners?${MEMBER_SELECT}&$top=999` }
          ])
        ).pipe(
          Effect.map((outcomes) =>
            Effect.gen(function* () {
              for (const g of groups) yield* ctx.entity(groupEntity(g))
              yield* emitFanOut(
                ctx,
                "groups",
                outcomes,
                (tag, items) =>
                  Effect.forEach(items, (raw) =>
                    memberRef(ctx, "groups", raw, unknownTypes).pipe(
                      Effect.flatMap((ref) =>
                        ref === undefined
                          ? Effect.void
                          : ctx.relation(tag.list === "members" ? memberRelation(ref, tag.groupId) : ownerRelation(ref, { kind: "group", id: tag.groupId }))
                      )
                    ), { discard: true }),
                (tag) => ({ objectId: tag.groupId, what: `the ${tag.list} of group ${tag.groupId}` })
              )
            })
          )
        ))
    })
}
