import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { administrativeUnitEntity, administrativeUnitMemberRelation } from "../Mapping.ts"
import { holds } from "../Permissions.ts"
import { fanOut, forEachWindow, type Step } from "../Step.ts"
import { MEMBER_SELECT, memberRef } from "./Members.ts"

type Raw = Record<string, any>

export const AU_SELECT = "id,displayName,description,visibility,membershipType,membershipRule"
const WINDOW = 50

type AuTag = { readonly auId: string; readonly list: "members" | "scopedRoleMembers" }

/**
 * Administrative units with their members (user/group/device -> AU, privilege "member"). Scoped
 * role members (who administers the unit) are kept on the unit's metadata as
 * `scopedRoleMembers: [{ principalId, roleDefinitionId }]`; the access itself is the AU-scoped
 * role assignment the roleAssignments stream emits, so it is not emitted twice.
 */
export const administrativeUnitsStep: Step = {
  name: "administrativeUnits",
  run: (ctx) =>
    Effect.gen(function* () {
      const graph = yield* GraphClient
      const withRoles = holds(ctx.granted, "RoleManagement.Read.All") || holds(ctx.granted, "Directory.Read.All")
      // Scoped role members name the activated directoryRole object; its template is the role definition id.
      const roleTemplates = new Map<string, string>()
      const loadRoles = Effect.gen(function* () {
        const roles = yield* graph.get("/directoryRoles?$select=id,roleTemplateId")
        for (const r of Array.isArray(roles?.value) ? roles.value : []) roleTemplates.set(r.id, r.roleTemplateId)
      })
      if (withRoles) yield* loadRoles
      const unknownTypes = new Set<string>()
      yield* forEachWindow(ctx, `/directory/administrativeUnits?$select=${AU_SELECT}&$top=999`, WINDOW, (units) =>
        Effect.gen(function* () {
          const scoped = new Map<string, Array<Raw>>()
          const requests = units.flatMap((au) => [
            { tag: { auId: au.id, list: "members" } as AuTag, url: `/directory/administrativeUnits/${au.id}/members?${MEMBER_SELECT}&$top=999` },
            ...(withRoles ? [{ tag: { auId: au.id, list: "scopedRoleMembers" } as AuTag, url: `/directory/administrativeUnits/${au.id}/scopedRoleMembers?$select=id,roleId,administrativeUnitId,roleMemberInfo&$top=999` }] : [])
          ])
          yield* fanOut(
            ctx,
            "administrativeUnits",
            requests,
            (tag, items) =>
              tag.list === "members"
                ? Effect.forEach(items, (raw) =>
                  memberRef(ctx, "administrativeUnits", raw, unknownTypes).pipe(
                    Effect.flatMap((ref) => (ref === undefined ? Effect.void : ctx.relation(administrativeUnitMemberRelation(ref, tag.auId))))
                  ), { discard: true })
                : Effect.sync(() => {
                  scoped.set(tag.auId, [...(scoped.get(tag.auId) ?? []), ...items])
                }),
            (tag) => ({ objectId: tag.auId, what: `the ${tag.list} of administrative unit ${tag.auId}` })
          )
          // A role activated since the list was read (its first assignment is recent): read the list again.
          if ([...scoped.values()].some((list) => list.some((raw) => !roleTemplates.has(raw.roleId)))) yield* loadRoles
          const summary = (list: ReadonlyArray<Raw>) =>
            list.map((raw) => ({ principalId: raw.roleMemberInfo?.id ?? null, roleDefinitionId: roleTemplates.get(raw.roleId) ?? null }))
          for (const au of units) {
            yield* ctx.entity(administrativeUnitEntity(withRoles ? { ...au, scopedRoleMembers: summary(scoped.get(au.id) ?? []) } : au))
          }
        }))
    })
}
