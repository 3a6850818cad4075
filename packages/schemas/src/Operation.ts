import * as Schema from "effect/Schema"

/**
 * A lifecycle operation request: the operation's name (e.g. `addGroupMember`) and its parameters,
 * which the plugin validates against the operation's own Schema.
 */
export const OperationRequest = Schema.Struct({
  operation: Schema.String,
  params: Schema.Record(Schema.String, Schema.Unknown),
  /** Client-chosen id to correlate results; generated when absent. */
  id: Schema.optionalKey(Schema.String)
}).annotate({ identifier: "OperationRequest" })
export type OperationRequest = typeof OperationRequest.Type

/** A request the plugin would send, shown in a plan (method + path + body), never with secrets. */
export const PlannedCall = Schema.Struct({
  method: Schema.String,
  url: Schema.String,
  body: Schema.optionalKey(Schema.Unknown)
}).annotate({ identifier: "PlannedCall" })
export type PlannedCall = typeof PlannedCall.Type

export const PlanBlocker = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  fix: Schema.optionalKey(Schema.String)
}).annotate({ identifier: "PlanBlocker" })
export type PlanBlocker = typeof PlanBlocker.Type

/** The dry-run answer for one operation. */
export const OperationPlan = Schema.Struct({
  id: Schema.String,
  operation: Schema.String,
  params: Schema.Record(Schema.String, Schema.Unknown),
  outcome: Schema.Literals(["no-op", "change", "blocked"]),
  summary: Schema.String,
  calls: Schema.Array(PlannedCall),
  permissions: Schema.Array(Schema.Struct({ permission: Schema.String, granted: Schema.Boolean })),
  blockers: Schema.Array(PlanBlocker),
  currentState: Schema.optionalKey(Schema.Unknown),
  /** Position in the safe apply order. */
  order: Schema.Int
}).annotate({ identifier: "OperationPlan" })
export type OperationPlan = typeof OperationPlan.Type

export const Plan = Schema.Struct({
  operations: Schema.Array(OperationPlan),
  blocked: Schema.Boolean
}).annotate({ identifier: "Plan" })
export type Plan = typeof Plan.Type

/** What applying one operation did. Idempotent: a second apply reports `no-op`. */
export const OperationResult = Schema.Struct({
  id: Schema.String,
  operation: Schema.String,
  status: Schema.Literals(["applied", "no-op", "failed", "skipped"]),
  message: Schema.String,
  requestIds: Schema.Array(Schema.String),
  before: Schema.optionalKey(Schema.Unknown),
  after: Schema.optionalKey(Schema.Unknown),
  error: Schema.optionalKey(Schema.Struct({ code: Schema.String, failureClass: Schema.String, message: Schema.String })),
  audit: Schema.Struct({
    at: Schema.String,
    operation: Schema.String,
    target: Schema.String,
    calls: Schema.Array(PlannedCall)
  })
}).annotate({ identifier: "OperationResult" })
export type OperationResult = typeof OperationResult.Type
