import { RunView } from "@idconnect/schemas/Run"
import * as Schema from "effect/Schema"
import { Limit } from "./Page.ts"

export const TriggerSyncRequest = Schema.Struct({
  full: Schema.optionalKey(Schema.Boolean).annotate({ description: "true ignores the saved delta state and reads everything" })
}).annotate({ identifier: "TriggerSyncRequest" })

export const RunList = Schema.Struct({
  items: Schema.Array(RunView),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "RunList" })

export const RunListQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String)
})
