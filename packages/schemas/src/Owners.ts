import * as Schema from "effect/Schema"
import { Email } from "./Common.ts"

export const Owner = Schema.Struct({
  email: Email,
  name: Schema.optionalKey(Schema.String)
}).annotate({ identifier: "Owner" })
export type Owner = typeof Owner.Type
