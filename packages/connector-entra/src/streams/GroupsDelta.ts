import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { groupEntity, KINDS, memberRelation } from "../Mapping.ts"
import { forEachWindow, objectFailure, type Step, type StepContext } from "../Step.ts"
import { memberRef } from "./Members.ts"
import { GROUP_SELECT } from "./Groups.ts"

type Raw = Record<string, any>

/**
 * Incremental groups and memberships from the stored deltaLink (`$select=...,members`): a removed
 * group becomes a deletion; a changed group is emitted (read again by id when the delta object
 * lacks its properties); each `members@delta` entry adds a member relation or, with `@removed`,
 * deletes it. A large group's changes can span pages: every page is applied as it comes.
 * Owner changes are not tracked by delta queries: the next full sync picks them up.
 */
export const groupsDeltaStep: Step = {
  name: "groupsDelta",
  run: (ctx) =>
    Effect.gen(function* () {
      const graph = yield* GraphClient
      const start = ctx.cursor?.url ?? ctx.state.deltaLinks.groups
      if (start === undefined) return yield* ConnectorErrors.checkpointInvalid({ message: "No groups deltaLink: a full sync is needed" })
      const unknownTypes = new Set<string>()
      const last = yield* forEachWindow(ctx, start, 999, (items) =>
        Effect.gen(function* () {
          const refetch: Array<string> = []
          for (const raw of items) {
            if (raw["@removed"] !== undefined) {
              yield* ctx.emit({ _tag: "deletion", target: "entity", ...KINDS.group, sourceId: raw.id })
              continue
            }
            if (typeof raw.displayName === "string") yield* ctx.entity(groupEntity(raw))
            else refetch.push(raw.id)
            for (const m of Array.isArray(raw["members@delta"]) ? raw["members@delta"] : []) {
              if (m["@removed"] !== undefined) {
                const ref = yield* memberRefQuiet(ctx, m, unknownTypes)
                if (ref !== undefined) yield* removeRelation(ctx, memberRelation(ref, raw.id))
                continue
              }
              const ref = yield* memberRef(ctx, "groupsDelta", m, unknownTypes)
              if (ref !== undefined) yield* ctx.relation(memberRelation(ref, raw.id))
            }
          }
          yield* refetchGroups(ctx, refetch)
        }))
      if (last.deltaLink === undefined) return yield* ConnectorErrors.unexpected({ message: "The groups delta round ended without a deltaLink" })
      ctx.state.deltaLinks = { ...ctx.state.deltaLinks, groups: last.deltaLink }

      function refetchGroups(c: StepContext, ids: ReadonlyArray<string>): Effect.Effect<void, ConnectorError> {
        if (ids.length === 0) return Effect.void
        return graph.batch(ids.map((id) => ({ method: "GET" as const, url: `/groups/${id}?$select=${GROUP_SELECT}` }))).pipe(
          Effect.flatMap((results) =>
            Effect.forEach(results, (r, i) =>
              r.status === 200
                ? c.entity(groupEntity(r.body))
                : r.status === 404
                  ? Effect.void
                  : objectFailure(c, "groupsDelta", r.request.url, r, { objectId: ids[i]!, what: `group ${ids[i]}` }), { discard: true })
          )
        )
      }

    })
}

/** Removal entries carry only id and type; unknown types are resolved without a warning. */
const memberRefQuiet = (ctx: StepContext, raw: Raw, seen: Set<string>) => memberRef(ctx, "groupsDelta", raw, seen, { emitEntities: false })

const removeRelation = (ctx: StepContext, relation: EntityRelation) =>
  ctx.emit({
    _tag: "deletion",
    target: "relation",
    entityType: relation.entityType,
    sourceType: relation.entitySourceType ?? "",
    sourceId: relation.entitySourceId,
    relation
  })
