import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { GraphClient } from "../GraphClient.ts"
import { principalKind, roleDefinitionEntity, roleGrantRelation, roleRelation } from "../Mapping.ts"
import { resolvePrincipals } from "../Principals.ts"
import { forEachWindow, type Step, type StepContext } from "../Step.ts"

type Raw = Record<string, any>

export const ROLE_DEFINITION_SELECT = "id,displayName,description,isBuiltIn,isEnabled,templateId,isPrivileged"
const ASSIGNMENT_SELECT = "id,principalId,roleDefinitionId,directoryScopeId,appScopeId"
export const SCHEDULE_SELECT = "id,principalId,roleDefinitionId,directoryScopeId,appScopeId,memberType,status,scheduleInfo"

/** Directory roles (built-in and custom) as connections, each granting access over the directory. */
export const roleDefinitionsStep: Step = {
  name: "roleDefinitions",
  run: (ctx) =>
    forEachWindow(ctx, `/roleManagement/directory/roleDefinitions?$select=${ROLE_DEFINITION_SELECT}`, 999, (items) =>
      Effect.forEach(items, (raw) =>
        ctx.entity(roleDefinitionEntity(raw)).pipe(Effect.andThen(ctx.relation(roleGrantRelation(raw.id, ctx.tenantId, "/")))), { discard: true })
    ).pipe(Effect.asVoid)
}

const scopeOf = (a: Raw): string => (typeof a.directoryScopeId === "string" && a.directoryScopeId !== "" ? a.directoryScopeId : "/")
const assignmentKey = (a: Raw): string => `${a.principalId}|${a.roleDefinitionId}|${scopeOf(a)}`

/** A role held at an administrative unit or app scope grants access over that scope; emitted once per (role, scope). */
const scopeGrant = (ctx: StepContext, roleId: string, scope: string) =>
  scope !== "/" && ctx.once(`grant|${roleId}|${scope}`) ? ctx.relation(roleGrantRelation(roleId, ctx.tenantId, scope)) : Effect.void

/**
 * Emits role relations for one page of assignments or eligibilities: resolves the principals'
 * kinds (one getByIds call), skips with a warning principals that no longer exist.
 */
const emitRoles = (
  ctx: StepContext,
  stream: string,
  items: ReadonlyArray<Raw>,
  kind: "active" | "eligible",
  schedules: ReadonlyMap<string, Raw> | undefined
): Effect.Effect<void, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const kinds = yield* resolvePrincipals(items.map((a) => a.principalId).filter((id): id is string => typeof id === "string"))
    for (const a of items) {
      const principal = principalKind(kinds.get(a.principalId))
      if (principal === undefined) {
        yield* ctx.warn(`${stream}.principal-gone`, `Skipped the ${kind} role assignment ${a.id}: principal ${a.principalId} was not found`, a.id)
        continue
      }
      const scope = scopeOf(a)
      const schedule = kind === "eligible" ? a : schedules?.get(assignmentKey(a))
      yield* ctx.relation(
        roleRelation({ kind: principal, id: a.principalId }, a.roleDefinitionId, {
          scope,
          kind,
          startDateTime: schedule?.scheduleInfo?.startDateTime ?? null,
          endDateTime: schedule?.scheduleInfo?.expiration?.endDateTime ?? null,
          ...(typeof schedule?.memberType === "string" ? { memberType: schedule.memberType } : {})
        })
      )
      yield* scopeGrant(ctx, a.roleDefinitionId, scope)
    }
  })

/**
 * PIM assignment schedules by (principal, role, scope): the time bounds of active assignments.
 * Small (one entry per active assignment) and re-read when a run resumes. Empty, with a warning,
 * without an Entra ID P2 licence.
 */
const loadAssignmentSchedules = (ctx: StepContext): Effect.Effect<ReadonlyMap<string, Raw> | undefined, ConnectorError, GraphClient> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const schedules = new Map<string, Raw>()
    const outcome = yield* Effect.result(
      graph.pages(`/roleManagement/directory/roleAssignmentSchedules?$select=${SCHEDULE_SELECT}`).pipe(
        Stream.runForEach((page) =>
          Effect.sync(() => {
            for (const s of page.items) schedules.set(assignmentKey(s), s)
          })
        )
      )
    )
    if (outcome._tag === "Success") return schedules
    if (outcome.failure.code === "LicenseMissing" || outcome.failure.code === "PermissionMissing") {
      yield* ctx.warn("roleAssignments.schedules-skipped", `Active role assignments carry no PIM start/end dates: ${outcome.failure.message}`)
      return undefined
    }
    return yield* outcome.failure
  })

/**
 * Active role assignments (scope: tenant `/`, administrative unit, or app), each with its PIM
 * schedule's start and end when PIM is available. The same assignments are what the legacy
 * scopedRoleMembers and directoryRole members views show, so those are not read separately.
 */
export const roleAssignmentsStep: Step = {
  name: "roleAssignments",
  run: (ctx) =>
    Effect.gen(function* () {
      const schedules = yield* loadAssignmentSchedules(ctx)
      yield* forEachWindow(ctx, `/roleManagement/directory/roleAssignments?$select=${ASSIGNMENT_SELECT}`, 999, (items) =>
        emitRoles(ctx, "roleAssignments", items, "active", schedules))
    })
}

/** PIM eligibilities: who can activate a role, from when until when, at which scope (Entra ID P2). */
export const roleEligibilitySchedulesStep: Step = {
  name: "roleEligibilitySchedules",
  run: (ctx) =>
    forEachWindow(ctx, `/roleManagement/directory/roleEligibilitySchedules?$select=${SCHEDULE_SELECT}`, 999, (items) =>
      emitRoles(ctx, "roleEligibilitySchedules", items, "eligible", undefined)
    ).pipe(Effect.asVoid)
}
