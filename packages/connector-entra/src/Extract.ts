import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { type ExtractState, fromCheckpoint, type StreamCursor, toCheckpoint } from "./Checkpoint.ts"
import { GraphClient, type GraphClientTuning } from "./GraphClient.ts"
import { holds, permissionsOf } from "./Permissions.ts"
import { ResourceBudget, type ResourceBudgetOptions, tenantSizeOf } from "./ResourceBudget.ts"
import type { ExtractOptions, Step, StepContext } from "./Step.ts"
import { administrativeUnitsStep } from "./streams/AdministrativeUnits.ts"
import { applicationsStep } from "./streams/Applications.ts"
import { directoryAuditsStep, riskDetectionsStep, signInsStep } from "./streams/AuditEvents.ts"
import { deltaLinksStep } from "./streams/DeltaLinks.ts"
import { directoryStep } from "./streams/Directory.ts"
import { devicesStep, orgContactsStep } from "./streams/Devices.ts"
import { roleAssignmentsStep, roleDefinitionsStep, roleEligibilitySchedulesStep } from "./streams/DirectoryRoles.ts"
import { groupsStep } from "./streams/Groups.ts"
import { groupsDeltaStep } from "./streams/GroupsDelta.ts"
import { oauth2GrantsStep } from "./streams/OAuth2Grants.ts"
import { servicePrincipalsStep } from "./streams/ServicePrincipals.ts"
import { usersStep } from "./streams/Users.ts"
import { usersDeltaStep } from "./streams/UsersDelta.ts"

/** A stream in a run's plan, with the permissions it needs (any one of `anyOf`). */
interface Planned {
  readonly step: Step
  readonly anyOf: ReadonlyArray<string>
  /** Optional streams are skipped with a warning when their permission or licence is missing. */
  readonly optional: boolean
}

const required = (step: Step, ...anyOf: Array<string>): Planned => ({ step, anyOf, optional: false })
const optional = (step: Step, ...anyOf: Array<string>): Planned => ({ step, anyOf, optional: true })

/**
 * The full sync, in order. Delta links first (changes during the run are replayed next time),
 * then the principals (users, devices, contacts), then what grants access to them.
 */
export const FULL_PLAN: ReadonlyArray<Planned> = [
  required(deltaLinksStep, "User.Read.All"),
  optional(directoryStep),
  required(usersStep, "User.Read.All"),
  optional(devicesStep, "Device.Read.All", "Directory.Read.All"),
  optional(orgContactsStep, "OrgContact.Read.All", "Directory.Read.All"),
  required(groupsStep, "GroupMember.Read.All"),
  optional(administrativeUnitsStep, "AdministrativeUnit.Read.All"),
  optional(roleDefinitionsStep, "RoleManagement.Read.All", "Directory.Read.All"),
  optional(roleAssignmentsStep, "RoleManagement.Read.All", "Directory.Read.All"),
  optional(roleEligibilitySchedulesStep, "RoleManagement.Read.All"),
  optional(applicationsStep, "Application.Read.All"),
  optional(servicePrincipalsStep, "Application.Read.All"),
  optional(oauth2GrantsStep, "Directory.Read.All"),
  optional(directoryAuditsStep, "AuditLog.Read.All"),
  optional(signInsStep, "AuditLog.Read.All"),
  optional(riskDetectionsStep, "IdentityRiskEvent.Read.All")
]

/** An incremental sync: users, groups and memberships by delta query. Everything else is refreshed by full syncs. */
export const INCREMENTAL_PLAN: ReadonlyArray<Planned> = [
  required(usersDeltaStep, "User.Read.All"),
  required(groupsDeltaStep, "GroupMember.Read.All")
]

export interface ExtractTuning extends GraphClientTuning, ResourceBudgetOptions {}

/**
 * The Entra read extraction as a stream of records. Without a checkpoint it is a full sync; with
 * a mid-run checkpoint it resumes that run; with the final checkpoint of a finished run it starts
 * an incremental sync from the delta links that run stored. Every stream checkpoints as it goes
 * (per page or per fan-out window). An expired delta link fails with CheckpointInvalid, on which
 * the runner restarts with a full sync.
 */
export const extract = (
  config: EntraDirectConfig,
  checkpoint: Checkpoint | undefined,
  tuning: ExtractTuning = {}
): Stream.Stream<ExtractRecord, ConnectorError> =>
  Stream.callback<ExtractRecord, ConnectorError, GraphClient | ResourceBudget>(
    (queue) => run(config, checkpoint, (record) => Queue.offer(queue, record).pipe(Effect.asVoid)).pipe(Effect.andThen(Queue.end(queue))),
    { bufferSize: 1024, strategy: "suspend" }
  ).pipe(Stream.provide(GraphClient.layerWithBudget(config, tuning), { local: true }))

const run = (
  config: EntraDirectConfig,
  checkpoint: Checkpoint | undefined,
  emit: (record: ExtractRecord) => Effect.Effect<void>
): Effect.Effect<void, ConnectorError, GraphClient | ResourceBudget> =>
  GraphClient.use((graph) =>
    steps(config, checkpoint, emit).pipe(
      // A failing attempt still says what it cost (the 429s and retries that made it fail), before the failure.
      Effect.onError(() => emit({ _tag: "progress", phase: "failed", usage: graph.usage() }))
    )
  )

const steps = (
  config: EntraDirectConfig,
  checkpoint: Checkpoint | undefined,
  emit: (record: ExtractRecord) => Effect.Effect<void>
): Effect.Effect<void, ConnectorError, GraphClient | ResourceBudget> =>
  Effect.gen(function* () {
    const graph = yield* GraphClient
    const budget = yield* ResourceBudget
    const token = yield* graph.accessToken()
    const granted = new Set(token.roles)
    const tenantId = token.tenantId ?? config.tenantId
    const options: ExtractOptions = { auditLogDays: config.auditLogDays ?? 7, signInLogDays: config.signInLogDays ?? 0 }

    const saved = checkpoint === undefined ? undefined : yield* fromCheckpoint(checkpoint)
    const now = new Date().toISOString()
    const state: { -readonly [K in keyof ExtractState]: ExtractState[K] } =
      saved === undefined
        ? { mode: "full", step: FULL_PLAN[0]!.step.name, deltaLinks: {}, startedAt: now, complete: false }
        : saved.complete
          ? {
            mode: "incremental",
            step: INCREMENTAL_PLAN[0]!.step.name,
            deltaLinks: { ...saved.deltaLinks },
            startedAt: now,
            complete: false,
            ...(saved.users === undefined ? {} : { users: saved.users })
          }
          : { ...saved, deltaLinks: { ...saved.deltaLinks } }
    const plan = state.mode === "full" ? FULL_PLAN : INCREMENTAL_PLAN

    const missing = permissionsOf("read").filter((p) => p.required && !holds(granted, p.permission))
    if (missing.length > 0) {
      const names = missing.map((p) => p.permission).join(", ")
      return yield* ConnectorErrors.permissionMissing({
        permission: names,
        message: `The app cannot read the directory: ${names} ${missing.length > 1 ? "are" : "is"} not granted`,
        fix: `Add the Microsoft Graph application permission(s) ${names} to the app registration and grant admin consent.`
      })
    }

    yield* emit({ _tag: "syncMode", mode: state.mode })
    const phase = state.mode === "full" ? "full sync" : "incremental sync"
    if (state.users !== undefined) yield* budget.setTenantSize(tenantSizeOf(state.users))

    const startIndex = Math.max(0, plan.findIndex((p) => p.step.name === state.step))
    for (let i = startIndex; i < plan.length; i++) {
      const { step, anyOf, optional: isOptional } = plan[i]!
      const resumed = i === startIndex && state.cursor !== undefined ? state.cursor : undefined
      state.step = step.name
      let usersSeen = 0
      const warn = (code: string, message: string, objectId?: string) =>
        emit({ _tag: "warning", warning: { code, message, stream: step.name, ...(objectId === undefined ? {} : { objectId }) } })
      const ctx: StepContext = {
        tenantId,
        granted,
        cursor: resumed,
        state,
        options,
        emit,
        entity: (entity) => {
          if (entity.sourceType === "user") usersSeen++
          return emit({ _tag: "entity", entity })
        },
        relation: (relation) => emit({ _tag: "relation", relation }),
        warn,
        once: (key) => {
          const seen = state.seen ?? []
          if (seen.includes(key)) return false
          state.seen = [...seen, key]
          return true
        },
        checkpoint: (cursor: StreamCursor | undefined) =>
          Effect.suspend(() => {
            if (cursor === undefined) delete state.cursor
            else state.cursor = cursor
            // What Graph was charged so far rides with every checkpoint, for run progress and the worker's metrics.
            return emit({ _tag: "progress", phase, stream: step.name, done: i, total: plan.length, usage: graph.usage() }).pipe(
              Effect.andThen(emit({ _tag: "checkpoint", checkpoint: toCheckpoint(state) }))
            )
          })
      }
      yield* emit({ _tag: "progress", phase, stream: step.name, done: i, total: plan.length, usage: graph.usage() })

      if (anyOf.length > 0 && !anyOf.some((p) => holds(granted, p))) {
        yield* warn(`${step.name}.permission-missing`, `Stream ${step.name} skipped: ${anyOf.join(" or ")} is not granted`)
      } else {
        const outcome = yield* Effect.result(step.run(ctx))
        if (outcome._tag === "Failure") {
          const error = outcome.failure
          if (!isOptional || (error.code !== "PermissionMissing" && error.code !== "LicenseMissing")) return yield* error
          yield* warn(`${step.name}.${error.code === "LicenseMissing" ? "license-missing" : "permission-missing"}`, `Stream ${step.name} skipped: ${error.message}`)
        }
      }
      if (step.name === "users" && resumed === undefined) {
        state.users = usersSeen
        yield* budget.setTenantSize(tenantSizeOf(usersSeen))
      }

      delete state.cursor
      const next = plan[i + 1]
      if (next === undefined) {
        state.step = "done"
        state.complete = true
        delete state.seen
      } else {
        state.step = next.step.name
      }
      yield* emit({ _tag: "checkpoint", checkpoint: toCheckpoint(state) })
    }
    yield* emit({ _tag: "progress", phase: "done", done: plan.length, total: plan.length, usage: graph.usage() })
  })
