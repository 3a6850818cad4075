import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { LifecycleCapability } from "@idconnect/core/ConnectorPlugin"
import type { OperationRequest, OperationResult, Plan } from "@idconnect/schemas/Operation"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { GraphClient, type GraphClientTuning } from "../GraphClient.ts"
import type { ResourceBudgetOptions } from "../ResourceBudget.ts"
import { applyAll, type ApplyTuning } from "./Apply.ts"
import { DirectoryLookup } from "./DirectoryLookup.ts"
import { decodeRequests, planAll, safeOrder, toOperationPlan } from "./LifecyclePlanner.ts"
import { operationSchemas } from "./Operations.ts"

/** Budget, retry and apply knobs (tests scale them to the simulator). */
export interface LifecycleTuning extends GraphClientTuning, ResourceBudgetOptions, ApplyTuning {}

/**
 * The Graph client (with its own budget: lifecycle writes are paced in the "writes" lane, 3,000
 * requests per 2.5 min per app and tenant, below Graph's limit) and the lookup over it, for one
 * plan or apply.
 */
const layerFor = (config: EntraDirectConfig, tuning: LifecycleTuning) =>
  DirectoryLookup.layer.pipe(Layer.provideMerge(GraphClient.layerWithBudget(config, tuning)))

/** Dry run: every operation planned against current state, in the safe order, with the exact calls. Writes nothing. */
export const planLifecycle = (config: EntraDirectConfig, requests: ReadonlyArray<OperationRequest>, tuning: LifecycleTuning = {}): Effect.Effect<Plan, ConnectorError> =>
  Effect.gen(function* () {
    const ops = yield* decodeRequests(requests)
    return yield* Effect.gen(function* () {
      const lookup = yield* DirectoryLookup
      const roles = new Set((yield* lookup.token()).roles)
      const drafts = yield* planAll(ops)
      const order = new Map(safeOrder(ops).map((op, i) => [op, i] as const))
      const operations = ops.map((op) => toOperationPlan(op, drafts.get(op)!, order.get(op)!, roles, lookup.graphRoot))
      return { operations, blocked: operations.some((p) => p.outcome === "blocked") } satisfies Plan
    }).pipe(Effect.provide(layerFor(config, tuning), { local: true }))
  }).pipe(Effect.withSpan("EntraLifecycle.plan"))

/** Applies the operations idempotently (see `applyAll`); results in request order. */
export const applyLifecycle = (
  config: EntraDirectConfig,
  requests: ReadonlyArray<OperationRequest>,
  tuning: LifecycleTuning = {}
): Effect.Effect<ReadonlyArray<OperationResult>, ConnectorError> =>
  Effect.gen(function* () {
    const ops = yield* decodeRequests(requests)
    return yield* applyAll(ops, tuning).pipe(Effect.provide(layerFor(config, tuning), { local: true }))
  }).pipe(Effect.withSpan("EntraLifecycle.apply"))

/**
 * The Entra plugin's lifecycle capability set: 19 typed operations on users, groups, owners, app
 * roles, directory roles (active and PIM-eligible) and administrative units, with a dry-run plan
 * and an idempotent apply.
 *
 * @category plugins
 */
export const makeEntraLifecycle = (tuning: LifecycleTuning = {}): LifecycleCapability<EntraDirectConfig> => ({
  operations: operationSchemas,
  plan: (config, requests) => planLifecycle(config, requests, tuning),
  apply: (config, requests) => applyLifecycle(config, requests, tuning)
})
