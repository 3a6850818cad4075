import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import type { GraphClient } from "../GraphClient.ts"
import { principalKind, roleDefinitionEntity, roleGrantRelation, roleRelation } from "../Mapping.ts"
import { resolvePrincipals } from "../Principals.ts"
import { forEachWindow, type Step, type StepContext } from "../Step.ts"

type Raw = Record<string, any>

const ROLE_DEFINITION_SELECT = "id,displayName,description,isBuiltIn,isEnabled,templateId,isPrivileged"
const ASSIGNMENT_SELECT = "id,principalId,roleDefinitionId,directoryScopeId,appScopeId"
const SCHEDULE_SELECT = "id,principalId,roleDefinitionId,directoryScopeId,appScopeId,memberType,status,scheduleInfo"

/** Directory roles (built-in and custom) as connections, each granting access over the directory. */
export const roleDefinitionsStep: Step = {
  name: "roleDefinitions",
  run: (ctx) =>
    forEachWindow(ctx, `/roleManagement/directory/roleDefinitions?$select=${ROLE_DEFINITION_SELECT}`, 999, (items) =>
      Effect.forEach(items, (raw) =>
        ctx.entity(roleDefinitionEntity(raw)).pipe(Effect.andThen(ctx.relation(roleGrantRelation(raw.id, ctx.tenantId, "/")))), { discard: true })
    ).pipe(Effect.asVoid)
}

/**
 * Emits role relations for one page of assignments or schedules: resolves the principals' kinds,
 * skips (with a warning) principals that no longer exist, and adds the role's grant over a
 * non-tenant scope (an administrative unit or an app).
 */
const emitAssignments = (
  ctx: StepContext,
  stream: string,
  items: ReadonlyArray<Raw>,
  kind: "active" | "eligible",
  dated: boolean
): Effect.Effect<void, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const kinds = yield* resolvePrincipals(items.map((a) => a.principalId).filter((id): id is string => typeof id === "string"))
    for (const a of items) {
      const principal = principalKind(kinds.get(a.principalId))
      if (principal === undefined) {
        yield* ctx.warn(`${stream}.principal-gone`, `Skipped the ${kind} assignment ${a.id}: principal ${a.principalId} was not found`, a.id)
        continue
      }
      const scope = typeof a.directoryScopeId === "string" && a.directoryScopeId !== "" ? a.directoryScopeId : "/"
      const schedule = dated ? a.scheduleInfo : undefined
      yield* ctx.relation(
        roleRelation({ kind: principal, id: a.principalId }, a.roleDefinitionId, {
          scope,
          kind,
          ...(dated ? { startDateTime: schedule?.startDateTime ?? null, endDateTime: schedule?.expiration?.endDateTime ?? null } : {}),
          ...(typeof a.memberType === "string" ? { memberType: a.memberType } : {})
        })
      )
      if (scope !== "/") yield* ctx.relation(roleGrantRelation(a.roleDefinitionId, ctx.tenantId, scope))
    }
  })

/** Active role assignments (tenant, administrative-unit and app scopes). */
export const roleAssignmentsStep: Step = {
  name: "roleAssignments",
  run: (ctx) =>
    forEachWindow(ctx, `/roleManagement/directory/roleAssignments?$select=${ASSIGNMENT_SELECT}`, 999, (items) =>
      emitAssignments(ctx, "roleAssignments", items, "active", false)
    ).pipe(Effect.asVoid)
}

/** PIM is an Entra ID P2 feature: without the licence these streams are skipped with a warning. */
const pim = (name: string, path: string, kind: "active" | "eligible"): Step => ({
  name,
  run: (ctx) =>
    forEachWindow(ctx, `${path}?$select=${SCHEDULE_SELECT}`, 999, (items) => emitAssignments(ctx, name, items, kind, true)).pipe(
      Effect.asVoid,
      Effect.catchIf(
        (e) => e.code === "LicenseMissing",
        (e) => ctx.warn(`${name}.license-missing`, `PIM schedules skipped: ${e.message}`)
      )
    )
})

/** PIM eligibilities: who can activate a role, when, at which scope. */
export const roleEligibilitySchedulesStep: Step = pim(
  "roleEligibilitySchedules",
  "/roleManagement/directory/roleEligibilitySchedules",
  "eligible"
)

/**
 * PIM assignment schedules: active assignments with their time bounds. They come after the plain
 * assignments, so an assignment PIM knows carries its start and end dates.
 */
export const roleAssignmentSchedulesStep: Step = pim(
  "roleAssignmentSchedules",
  "/roleManagement/directory/roleAssignmentSchedules",
  "active"
)
