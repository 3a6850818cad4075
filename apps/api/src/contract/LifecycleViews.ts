import { IsoDateTime } from "@idconnect/schemas/Common"
import { OperationRequest, OperationResult, Plan } from "@idconnect/schemas/Operation"
import * as Schema from "effect/Schema"
import { Limit } from "./Page.ts"

export const PlanRequest = Schema.Struct({
  operations: Schema.Array(OperationRequest).check(Schema.isMinLength(1), Schema.isMaxLength(500))
}).annotate({ identifier: "PlanRequest" })

/** A submitted set of operations: its dry-run plan, then, once applied, each operation's result. */
export const PlanView = Schema.Struct({
  id: Schema.String,
  integrationId: Schema.String,
  status: Schema.Literals(["planned", "applying", "applied", "failed"]),
  plan: Plan,
  results: Schema.Array(OperationResult),
  runId: Schema.NullOr(Schema.String),
  createdAt: IsoDateTime
}).annotate({ identifier: "LifecyclePlan" })

export const PlanParams = Schema.Struct({ id: Schema.String, planId: Schema.String })

/** One line of the audit trail: who did what to which object, when. */
export const AuditEntry = Schema.Struct({
  id: Schema.Int,
  at: IsoDateTime,
  actor: Schema.String,
  action: Schema.String,
  targetType: Schema.String,
  targetId: Schema.String,
  integrationId: Schema.NullOr(Schema.String),
  runId: Schema.NullOr(Schema.String),
  details: Schema.Record(Schema.String, Schema.Unknown)
}).annotate({ identifier: "AuditEntry" })

export const AuditPage = Schema.Struct({
  items: Schema.Array(AuditEntry),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "AuditPage" })

export const AuditQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})
