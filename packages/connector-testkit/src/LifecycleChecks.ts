import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type { LifecycleCapability } from "@idconnect/core/ConnectorPlugin"
import type { OperationRequest } from "@idconnect/schemas/Operation"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { stableJson, type Defects } from "./Defects.ts"
import { requiredFields } from "./SchemaFields.ts"

export interface LifecycleFixture {
  /** Operations that each change the live target from its current state (e.g. add a member it lacks). */
  readonly operations: () => ReadonlyArray<OperationRequest>
  /** Operations that revert them (e.g. remove that member); checked the same way, and restore the target. */
  readonly undo?: () => ReadonlyArray<OperationRequest>
  /** Reads the target's state the operations touch, straight from the target (not through the plugin). */
  readonly snapshot?: () => unknown
}

export interface LifecycleOptions<C> {
  readonly lifecycle: LifecycleCapability<C>
  readonly config: C
  readonly fixture: LifecycleFixture
}

const opName = (op: OperationRequest, i: number) => `${op.id ?? `#${i + 1}`} ${op.operation}`

/**
 * Apply twice = one change; plan after apply = no-op. Plans the operations (each must be a change),
 * applies them (each `applied`, and the target changes), applies again (each `no-op`, the target
 * unchanged), plans again (each `no-op`). Then the same for the undo operations, after which the
 * target must be back where it started.
 */
export const checkLifecycleIdempotence = <C>(options: LifecycleOptions<C>): Effect.Effect<Defects, ConnectorError> =>
  Effect.gen(function* () {
    const { lifecycle, config, fixture } = options
    const defects: Array<string> = []
    const snapshot = () => Effect.promise(async () => (fixture.snapshot === undefined ? undefined : stableJson(await fixture.snapshot())))

    const roundTrip = (label: string, ops: ReadonlyArray<OperationRequest>) =>
      Effect.gen(function* () {
        const before = yield* snapshot()
        const plan = yield* lifecycle.plan(config, ops)
        plan.operations.forEach((p, i) => {
          if (p.outcome !== "change") defects.push(`${label}: plan of ${opName(ops[i]!, i)} is '${p.outcome}' before apply; the fixture must describe a change (${p.summary})`)
        })
        const first = yield* lifecycle.apply(config, ops)
        first.forEach((r, i) => {
          if (r.status !== "applied") defects.push(`${label}: first apply of ${opName(ops[i]!, i)} is '${r.status}', expected 'applied' (${r.message})`)
        })
        const afterFirst = yield* snapshot()
        if (fixture.snapshot !== undefined && afterFirst === before) defects.push(`${label}: apply reported success but the target did not change`)
        const second = yield* lifecycle.apply(config, ops)
        second.forEach((r, i) => {
          if (r.status !== "no-op") defects.push(`${label}: second apply of ${opName(ops[i]!, i)} is '${r.status}', expected 'no-op': apply is not idempotent`)
        })
        const afterSecond = yield* snapshot()
        if (afterSecond !== afterFirst) defects.push(`${label}: the second apply changed the target again: apply is not idempotent`)
        const replan = yield* lifecycle.plan(config, ops)
        replan.operations.forEach((p, i) => {
          if (p.outcome !== "no-op") defects.push(`${label}: plan after apply of ${opName(ops[i]!, i)} is '${p.outcome}', expected 'no-op'`)
        })
        if (first.length !== ops.length || second.length !== ops.length) {
          defects.push(`${label}: apply returned ${first.length} and ${second.length} results for ${ops.length} operations`)
        }
        return before
      })

    const initial = yield* roundTrip("operations", fixture.operations())
    if (fixture.undo !== undefined) {
      yield* roundTrip("undo", fixture.undo())
      const restored = yield* snapshot()
      if (restored !== initial) defects.push("undo: the target is not back in its initial state")
    }
    return defects
  })

/**
 * Bad operation requests are config errors naming the field and change nothing: an unknown
 * operation, and each operation with empty params (when its Schema has required fields).
 */
export const checkOperationValidation = <C>(options: LifecycleOptions<C>): Effect.Effect<Defects> =>
  Effect.gen(function* () {
    const { lifecycle, config, fixture } = options
    const defects: Array<string> = []
    const before = fixture.snapshot === undefined ? undefined : stableJson(yield* Effect.promise(async () => fixture.snapshot!()))
    const expectInvalid = (label: string, ops: ReadonlyArray<OperationRequest>, fieldHint: string) =>
      Effect.gen(function* () {
        for (const [verb, run] of [["plan", lifecycle.plan], ["apply", lifecycle.apply]] as const) {
          const exit = yield* Effect.exit(run(config, ops) as Effect.Effect<unknown, ConnectorError>)
          if (Exit.isSuccess(exit)) {
            defects.push(`${verb} of ${label}: accepted; expected a config error`)
            continue
          }
          const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
          const error = reason !== undefined && "error" in reason ? (reason.error as ConnectorError) : undefined
          if (error?.failureClass !== "config") defects.push(`${verb} of ${label}: failed with ${error?.code ?? "a defect"}; expected a config error`)
          else if (!`${error.message} ${"field" in error.reason ? error.reason.field : ""}`.includes(fieldHint)) {
            defects.push(`${verb} of ${label}: the error does not name '${fieldHint}': ${error.message}`)
          }
        }
      })
    yield* expectInvalid("an unknown operation", [{ operation: "noSuchOperation", params: {} }], "noSuchOperation")
    for (const [name, schema] of Object.entries(lifecycle.operations)) {
      const required = requiredFields(schema)
      if (required.length > 0) yield* expectInvalid(`${name} with empty params`, [{ operation: name, params: {} }], required[0]!)
    }
    if (before !== undefined) {
      const after = stableJson(yield* Effect.promise(async () => fixture.snapshot!()))
      if (after !== before) defects.push("invalid operation requests changed the target")
    }
    return defects
  })
