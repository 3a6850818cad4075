import type { ConnectorError } from "@idconnect/core/ConnectorError"
import { IsoDateTime, NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type DirectoryObject, DirectoryLookup, isGuid, odataString } from "../DirectoryLookup.ts"
import { absentRemove, type Blocker, change, duplicateAdd, noop, type WriteCall } from "../Draft.ts"
import { invalid, notFound } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE } from "../Requirements.ts"
import { objectTarget } from "./GroupMembership.ts"

type Raw = Record<string, any>

const RM = "/roleManagement/directory"

const Principal = NonBlankString.annotate({ description: "Who holds the role: a user (id or UPN), a role-assignable group (id or display name) or a service principal (id)" })
const PrincipalType = Schema.Literals(["user", "group", "servicePrincipal"])
const Scope = Schema.String.annotate({
  description:
    "Where the role applies: '/' (the tenant, default), 'administrativeUnit:<id or name>', 'application:<object id, appId or name>', or a raw directoryScopeId ('/administrativeUnits/{id}', '/{applicationObjectId}')"
})
const Kind = Schema.Literals(["active", "eligible"]).annotate({ description: "active (default), or eligible through PIM (needs Entra ID P2)" })

type ScopeResolution = { readonly id: string } | { readonly blocker: Blocker }

/** A scope parameter as Graph's directoryScopeId, or the blocker saying why it is not one. */
const resolveScope = (scope: string | undefined): Effect.Effect<ScopeResolution, ConnectorError, DirectoryLookup> =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    if (scope === undefined || scope === "/" || scope === "") return { id: "/" }
    const raw = /^\/administrativeUnits\/([0-9a-f-]{36})$/iu.exec(scope) ?? /^\/([0-9a-f-]{36})$/iu.exec(scope)
    if (raw !== null) return { id: scope }
    const [kind, ...rest] = scope.split(":")
    const ref = rest.join(":").trim()
    if (kind === "administrativeUnit" && ref !== "") {
      const au = yield* lookup.administrativeUnit(ref, "params.scope")
      return au === undefined ? { blocker: notFound("params.scope", ref, "administrative unit") } : { id: `/administrativeUnits/${au.id}` }
    }
    if (kind === "application" && ref !== "") {
      const app = yield* lookup.application(ref, "params.scope")
      return app === undefined ? { blocker: notFound("params.scope", ref, "application") } : { id: `/${app.id}` }
    }
    return { blocker: invalid("params.scope", `'${scope}' is not a scope: use '/', 'administrativeUnit:<name>' or 'application:<name>'`) }
  })

/** Active role assignments or PIM eligibilities of a principal. */
const heldBy = (principalId: string, kind: "active" | "eligible") =>
  DirectoryLookup.use((lookup) =>
    lookup.list(`${RM}/${kind === "active" ? "roleAssignments" : "roleEligibilitySchedules"}?$filter=${encodeURIComponent(`principalId eq ${odataString(principalId)}`)}`)
  )

const sameRole = (a: Raw, def: Raw) => a.roleDefinitionId === def.id || (def.templateId !== undefined && a.roleDefinitionId === def.templateId)

const principalKind = (ref: string, type: "user" | "group" | "servicePrincipal" | undefined): DirectoryObject["kind"] | undefined =>
  type ?? (ref.includes("@") ? "user" : isGuid(ref) ? undefined : "group")

const AssignParams = Schema.Struct({
  principal: Principal,
  principalType: Schema.optionalKey(PrincipalType),
  role: NonBlankString.annotate({ description: "The directory role: role definition id, template id or display name (e.g. 'Helpdesk Administrator')" }),
  scope: Schema.optionalKey(Scope),
  assignmentKind: Schema.optionalKey(Kind),
  justification: Schema.optionalKey(Schema.String),
  endDateTime: Schema.optionalKey(IsoDateTime.annotate({ description: "Eligible assignments: when the eligibility ends (default: no expiry)" }))
})
type AssignParams = typeof AssignParams.Type

export const assignDirectoryRole = defineOperation({
  name: "assignDirectoryRole",
  params: AssignParams.annotate({ description: "Assign a directory role at tenant, administrative unit or application scope; active, or eligible through PIM." }),
  phase: PHASE.grant,
  plan: Effect.fn("assignDirectoryRole.plan")(function* (params: AssignParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const kind = params.assignmentKind ?? "active"
    const requirements = [kind === "active" ? REQUIRE.roles : REQUIRE.eligibility]
    const def = yield* lookup.roleDefinition(params.role, "params.role")
    const { object: principal, pending } = yield* objectTarget(ctx, params.principal, "params.principal", principalKind(params.principal, params.principalType))
    const scope = yield* resolveScope(params.scope)
    const principalLabel = principal?.label ?? pending ?? params.principal
    const target = `${principalLabel} -> ${def?.displayName ?? params.role} @ ${"id" in scope ? scope.id : params.scope}`
    const blockers: Array<Blocker> = []
    if (def === undefined) blockers.push(notFound("params.role", params.role, "directory role"))
    if (principal === undefined && pending === undefined) blockers.push(notFound("params.principal", params.principal, "principal"))
    if ("blocker" in scope) blockers.push(scope.blocker)
    if (principal?.kind === "group" && principal.raw.isAssignableToRole !== true) {
      blockers.push(invalid("params.principal", `${principal.label} is not role-assignable: only groups created with isAssignableToRole can hold directory roles`))
    }
    if (principal !== undefined && principal.kind !== "user" && principal.kind !== "group" && principal.kind !== "servicePrincipal") {
      blockers.push(invalid("params.principal", "directory roles go to users, role-assignable groups and service principals"))
    }
    if (blockers.length > 0 || def === undefined || !("id" in scope)) return change(target, `Assign ${target}`, [], requirements, { blockers })
    const principalId = principal === undefined ? placeholder(pending!) : principal.id
    if (principal !== undefined) {
      const held = (yield* heldBy(principal.id, kind)).filter((a) => sameRole(a, def) && (a.directoryScopeId ?? "/") === scope.id)
      if (held.length > 0) return noop(target, `${principalLabel} already ${kind === "active" ? "holds" : "is eligible for"} ${def.displayName} at ${scope.id}`, { id: held[0]!.id, assignmentKind: kind }, requirements)
    }
    const call: WriteCall =
      kind === "active"
        ? { method: "POST", path: `${RM}/roleAssignments`, body: { "@odata.type": "#microsoft.graph.unifiedRoleAssignment", principalId, roleDefinitionId: def.id, directoryScopeId: scope.id }, already: duplicateAdd }
        : {
          method: "POST",
          path: `${RM}/roleEligibilityScheduleRequests`,
          body: {
            action: "adminAssign",
            justification: params.justification ?? "Assigned by idconnect",
            principalId,
            roleDefinitionId: def.id,
            directoryScopeId: scope.id,
            scheduleInfo: {
              startDateTime: new Date(ctx.now).toISOString(),
              expiration: params.endDateTime === undefined ? { type: "noExpiration" } : { type: "afterDateTime", endDateTime: params.endDateTime }
            }
          },
          already: duplicateAdd
        }
    return change(target, `Make ${principalLabel} ${kind === "active" ? "hold" : "eligible for"} ${def.displayName} at ${scope.id}`, [call], requirements, { currentState: { assigned: false, assignmentKind: kind } })
  })
})

const RemoveParams = Schema.Struct({
  principal: Principal,
  principalType: Schema.optionalKey(PrincipalType),
  role: NonBlankString.annotate({ description: "The directory role: id, template id or display name; '*' = every role of this kind, at any scope (a leaver)" }),
  scope: Schema.optionalKey(Scope),
  assignmentKind: Schema.optionalKey(Kind)
})
type RemoveParams = typeof RemoveParams.Type

export const removeDirectoryRole = defineOperation({
  name: "removeDirectoryRole",
  params: RemoveParams.annotate({ description: "Remove a directory role assignment (active) or PIM eligibility." }),
  phase: PHASE.revoke,
  plan: Effect.fn("removeDirectoryRole.plan")(function* (params: RemoveParams) {
    const lookup = yield* DirectoryLookup
    const kind = params.assignmentKind ?? "active"
    const requirements = [kind === "active" ? REQUIRE.roles : REQUIRE.eligibility]
    const every = params.role === "*"
    const def = every ? undefined : yield* lookup.roleDefinition(params.role, "params.role")
    if (!every && def === undefined) return change(params.role, `Remove ${params.role}`, [], requirements, { blockers: [notFound("params.role", params.role, "directory role")] })
    const principal = yield* lookup.object(params.principal, "params.principal", principalKind(params.principal, params.principalType))
    const roleLabel = every ? `every ${kind} role` : String(def!.displayName)
    if (principal === undefined) return noop(`${params.principal} -> ${roleLabel}`, `No principal '${params.principal}': it holds no roles`, { exists: false }, requirements)
    const scope = every ? undefined : yield* resolveScope(params.scope)
    if (scope !== undefined && "blocker" in scope) return change(`${principal.label} -> ${roleLabel}`, `Remove ${roleLabel}`, [], requirements, { blockers: [scope.blocker] })
    const scopeId = scope?.id
    const target = `${principal.label} -> ${roleLabel}${scopeId === undefined ? "" : ` @ ${scopeId}`}`
    const held = (yield* heldBy(principal.id, kind)).filter((a) => (def === undefined || sameRole(a, def)) && (scopeId === undefined || (a.directoryScopeId ?? "/") === scopeId))
    const state = { assignments: held.map((a) => ({ id: a.id, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId ?? "/" })), assignmentKind: kind }
    if (held.length === 0) return noop(target, `${principal.label} ${kind === "active" ? "holds" : "is eligible for"} no ${every ? "directory role" : roleLabel}${scopeId === undefined ? "" : ` at ${scopeId}`}`, state, requirements)
    const calls: ReadonlyArray<WriteCall> = held.map((a) =>
      kind === "active"
        ? { method: "DELETE", path: `${RM}/roleAssignments/${a.id}`, already: absentRemove }
        : {
          method: "POST",
          path: `${RM}/roleEligibilityScheduleRequests`,
          body: { action: "adminRemove", principalId: principal.id, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId ?? "/" },
          already: absentRemove
        }
    )
    return change(target, `Remove ${held.length} ${kind} role assignment${held.length === 1 ? "" : "s"} of ${principal.label}`, calls, requirements, { currentState: state })
  })
})
