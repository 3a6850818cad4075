import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { administrativeUnitEntity, administrativeUnitMemberRelation, principalKind, roleGrantRelation, roleRelation } from "../Mapping.ts"
import { holds } from "../Permissions.ts"
import { resolvePrincipals } from "../Principals.ts"
import { fanOut, forEachWindow, type Step } from "../Step.ts"
import { MEMBER_SELECT, memberRef } from "./Members.ts"

type Raw = Record<string, any>

const AU_SELECT = "id,displayName,description,visibility,membershipType,membershipRule"
const WINDOW = 50

type AuTag = { readonly auId: string; readonly list: "members" | "scopedRoleMembers" }

/**
 * Administrative units with their members (user/group/device -> AU, privilege "member") and
 * scoped role members (principal -> directory role at scope `/administrativeUnits/{id}`, the same
 * relation the role assignments stream emits for that scope). Scoped roles name the activated
 * directoryRole object, mapped to its role template (= the built-in role definition id).
 */
export const administrativeUnitsStep: Step = {
  name: "administrativeUnits",
  run: (ctx) =>
    Effect.gen(function* () {
      const graph = yield* GraphClient
      const withRoles = holds(ctx.granted, "RoleManagement.Read.All") || holds(ctx.granted, "Directory.Read.All")
      const roleTemplates = new Map<string, string>()
      if (withRoles) {
        const roles = yield* graph.get("/directoryRoles?$select=id,roleTemplateId")
        for (const r of Array.isArray(roles?.value) ? roles.value : []) roleTemplates.set(r.id, r.roleTemplateId)
      }
      const unknownTypes = new Set<string>()
      yield* forEachWindow(ctx, `/directory/administrativeUnits?$select=${AU_SELECT}&$top=999`, WINDOW, (units) =>
        Effect.gen(function* () {
          for (const au of units) yield* ctx.entity(administrativeUnitEntity(au))
          const requests = units.flatMap((au) => [
            { tag: { auId: au.id, list: "members" } as AuTag, url: `/directory/administrativeUnits/${au.id}/members?${MEMBER_SELECT}&$top=999` },
            ...(withRoles ? [{ tag: { auId: au.id, list: "scopedRoleMembers" } as AuTag, url: `/directory/administrativeUnits/${au.id}/scopedRoleMembers` }] : [])
          ])
          const scoped: Array<{ auId: string; raw: Raw }> = []
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
                  for (const raw of items) scoped.push({ auId: tag.auId, raw })
                }),
            (tag) => ({ objectId: tag.auId, what: `the ${tag.list} of administrative unit ${tag.auId}` })
          )
          if (scoped.length === 0) return
          const kinds = yield* resolvePrincipals(scoped.map((s) => s.raw.roleMemberInfo?.id).filter((id): id is string => typeof id === "string"))
          for (const { auId, raw } of scoped) {
            const principalId = raw.roleMemberInfo?.id
            const principal = principalKind(kinds.get(principalId))
            const role = roleTemplates.get(raw.roleId)
            if (principal === undefined || role === undefined) {
              yield* ctx.warn("administrativeUnits.scoped-role-skipped", `Skipped scoped role membership ${raw.id}: its principal or role no longer exists`, raw.id)
              continue
            }
            const scope = `/administrativeUnits/${auId}`
            yield* ctx.relation(roleRelation({ kind: principal, id: principalId }, role, { scope, kind: "active" }))
            yield* ctx.relation(roleGrantRelation(role, ctx.tenantId, scope))
          }
        }))
    })
}
