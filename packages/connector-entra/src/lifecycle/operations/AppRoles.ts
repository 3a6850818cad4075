import { NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type DirectoryObject, DirectoryLookup } from "../DirectoryLookup.ts"
import { absentRemove, change, duplicateAdd, noop } from "../Draft.ts"
import { invalid, notFound } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE } from "../Requirements.ts"
import { objectTarget } from "./GroupMembership.ts"

type Raw = Record<string, any>

/** The app role id meaning "default access" to an app that defines no roles. */
export const DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"

const PrincipalType = Schema.Literals(["user", "group", "servicePrincipal"]).annotate({ description: "What `principal` names, when it is a display name that is not a group's" })

const requirements = [REQUIRE.appRoleAssignments, REQUIRE.readApplications]

const collectionOf = (p: DirectoryObject) => (p.kind === "user" ? "users" : p.kind === "group" ? "groups" : "servicePrincipals")

/** The principal's app role assignments (what it holds). */
const assignmentsOf = (principal: DirectoryObject) =>
  DirectoryLookup.use((lookup) => lookup.list(`/${collectionOf(principal)}/${principal.id}/appRoleAssignments?$top=999`))

const findRole = (sp: Raw, ref: string): Raw | undefined =>
  (Array.isArray(sp.appRoles) ? sp.appRoles : []).find((r: Raw) => [r.id, r.value, r.displayName].some((v) => typeof v === "string" && v.toLowerCase() === ref.toLowerCase()))

const roleName = (sp: Raw, appRoleId: string): string =>
  appRoleId === DEFAULT_ACCESS ? "Default Access" : String(findRole(sp, appRoleId)?.value ?? findRole(sp, appRoleId)?.displayName ?? appRoleId)

const GrantParams = Schema.Struct({
  principal: NonBlankString.annotate({ description: "Who gets the role: a user (id or UPN), a group (id or display name) or a service principal (id)" }),
  principalType: Schema.optionalKey(PrincipalType),
  resource: NonBlankString.annotate({ description: "The enterprise app (service principal): object id, appId or display name" }),
  appRole: Schema.optionalKey(
    NonBlankString.annotate({ description: "The app role: id, value or display name; omit for an app that defines no roles (default access)" })
  )
})
type GrantParams = typeof GrantParams.Type

export const grantAppRole = defineOperation({
  name: "grantAppRole",
  params: GrantParams.annotate({ description: "Assign an app role of an enterprise application to a user, group or service principal." }),
  phase: PHASE.grant,
  plan: Effect.fn("grantAppRole.plan")(function* (params: GrantParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const { object: principal, pending } = yield* objectTarget(ctx, params.principal, "params.principal", params.principalType)
    const sp = yield* lookup.servicePrincipal(params.resource, "params.resource", params.appRole)
    const principalLabel = principal?.label ?? pending ?? params.principal
    const target = `${principalLabel} -> ${sp?.displayName ?? params.resource}${params.appRole === undefined ? "" : ` / ${params.appRole}`}`
    if (principal === undefined && pending === undefined) return change(target, `Grant ${target}`, [], requirements, { blockers: [notFound("params.principal", params.principal, params.principalType ?? "principal")] })
    if (sp === undefined) return change(target, `Grant ${target}`, [], requirements, { blockers: [notFound("params.resource", params.resource, "service principal")] })
    const roles: ReadonlyArray<Raw> = Array.isArray(sp.appRoles) ? sp.appRoles : []
    let appRoleId: string
    if (params.appRole === undefined) {
      if (roles.length > 0) {
        return change(target, `Grant ${target}`, [], requirements, {
          blockers: [invalid("params.appRole", `${sp.displayName} defines app roles; name one of: ${roles.map((r) => r.value ?? r.displayName).join(", ")}`)]
        })
      }
      appRoleId = DEFAULT_ACCESS
    } else {
      const role = params.appRole === DEFAULT_ACCESS ? { id: DEFAULT_ACCESS, allowedMemberTypes: ["User", "Application"] } : findRole(sp, params.appRole)
      if (role === undefined) {
        return change(target, `Grant ${target}`, [], requirements, {
          blockers: [invalid("params.appRole", `${sp.displayName} has no app role '${params.appRole}'; it has: ${roles.map((r) => r.value ?? r.displayName).join(", ") || "none"}`)]
        })
      }
      const memberType = principal?.kind === "servicePrincipal" ? "Application" : "User"
      if (Array.isArray(role.allowedMemberTypes) && !role.allowedMemberTypes.includes(memberType)) {
        return change(target, `Grant ${target}`, [], requirements, {
          blockers: [invalid("params.appRole", `the app role '${params.appRole}' cannot be assigned to ${memberType === "User" ? "users and groups" : "applications"}`)]
        })
      }
      appRoleId = String(role.id)
    }
    const principalId = principal === undefined ? placeholder(pending!) : principal.id
    if (principal !== undefined) {
      const held = (yield* assignmentsOf(principal)).filter((a) => a.resourceId === sp.id && String(a.appRoleId).toLowerCase() === appRoleId.toLowerCase())
      if (held.length > 0) return noop(target, `${principalLabel} already holds ${roleName(sp, appRoleId)} on ${sp.displayName}`, { assignmentId: held[0]!.id }, requirements)
    }
    return change(
      target,
      `Grant ${roleName(sp, appRoleId)} on ${sp.displayName} to ${principalLabel}`,
      [{ method: "POST", path: `/servicePrincipals/${sp.id}/appRoleAssignedTo`, body: { principalId, resourceId: sp.id, appRoleId }, already: duplicateAdd }],
      requirements,
      { currentState: { assigned: false } }
    )
  })
})

const RevokeParams = Schema.Struct({
  principal: NonBlankString.annotate({ description: "Who loses the role: a user (id or UPN), a group (id or display name) or a service principal (id)" }),
  principalType: Schema.optionalKey(PrincipalType),
  resource: NonBlankString.annotate({ description: "The enterprise app: object id, appId or display name; '*' = every app (a leaver)" }),
  appRole: Schema.optionalKey(NonBlankString.annotate({ description: "The app role: id, value or display name; omit (or '*') for every role on the app" }))
})
type RevokeParams = typeof RevokeParams.Type

export const revokeAppRole = defineOperation({
  name: "revokeAppRole",
  params: RevokeParams.annotate({ description: "Remove app role assignments of a user, group or service principal." }),
  phase: PHASE.revoke,
  plan: Effect.fn("revokeAppRole.plan")(function* (params: RevokeParams) {
    const lookup = yield* DirectoryLookup
    const principal = yield* lookup.object(params.principal, "params.principal", params.principalType)
    if (principal === undefined) return noop(params.principal, `No principal '${params.principal}': it holds no app roles`, { exists: false }, requirements)
    const everyApp = params.resource === "*"
    const sp = everyApp ? undefined : yield* lookup.servicePrincipal(params.resource, "params.resource", params.appRole)
    const target = `${principal.label} -> ${everyApp ? "every app" : (sp?.displayName ?? params.resource)}`
    if (!everyApp && sp === undefined) return noop(target, `No enterprise app '${params.resource}': nothing to revoke`, { exists: false }, requirements)
    const everyRole = params.appRole === undefined || params.appRole === "*"
    const roleId = everyRole || sp === undefined ? undefined : String(findRole(sp, params.appRole!)?.id ?? params.appRole).toLowerCase()
    const held = (yield* assignmentsOf(principal)).filter((a) => (sp === undefined || a.resourceId === sp.id) && (roleId === undefined || String(a.appRoleId).toLowerCase() === roleId))
    const state = { assignments: held.map((a) => ({ id: a.id, resource: a.resourceDisplayName ?? a.resourceId, appRoleId: a.appRoleId })) }
    if (held.length === 0) return noop(target, `${principal.label} holds no ${everyRole ? "" : `'${params.appRole}' `}app role${everyApp ? "" : ` on ${sp!.displayName}`}`, state, requirements)
    return change(
      target,
      `Revoke ${held.length} app role assignment${held.length === 1 ? "" : "s"} of ${principal.label}: ${held.map((a) => `${sp === undefined ? (a.resourceDisplayName ?? a.resourceId) : roleName(sp, String(a.appRoleId))}`).join(", ")}`,
      held.map((a) => ({ method: "DELETE" as const, path: `/servicePrincipals/${a.resourceId}/appRoleAssignedTo/${a.id}`, already: absentRemove })),
      requirements,
      { currentState: state }
    )
  })
})
