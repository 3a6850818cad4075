import * as Schema from "effect/Schema"
import { IsoDateTime, NonBlankString } from "./Common.ts"
import { ExtractionMode } from "./ModeConfig.ts"
import { Owner } from "./Owners.ts"

/** Status words follow the product: Connected + "Data available" once a sync published data. */
export const IntegrationStatus = Schema.Literals(["Pending", "Syncing", "Connected", "Error", "Disabled"])
export type IntegrationStatus = typeof IntegrationStatus.Type

/** A cron expression (5 fields, UTC) for scheduled syncs, or null for manual syncs only. */
export const Schedule = Schema.NullOr(
  Schema.String.check(Schema.isPattern(/^\s*\S+\s+\S+\s+\S+\s+\S+\s+\S+\s*$/u)).annotate({
    description: "cron expression: minute hour day-of-month month day-of-week (UTC)"
  })
)

/** What a client sends to create an integration. `config` is validated against the plugin's mode schema. */
export const IntegrationInput = Schema.Struct({
  name: NonBlankString,
  description: Schema.optionalKey(Schema.String),
  app: NonBlankString.annotate({ description: "The plugin id, e.g. entra" }),
  primaryOwner: Owner,
  secondaryOwners: Schema.optionalKey(Schema.Array(Owner)),
  mode: ExtractionMode,
  config: Schema.Record(Schema.String, Schema.Unknown),
  lifecycleEnabled: Schema.optionalKey(Schema.Boolean),
  schedule: Schema.optionalKey(Schedule)
}).annotate({ identifier: "IntegrationInput" })
export type IntegrationInput = typeof IntegrationInput.Type

/** What the API returns: secrets appear only as a set/not-set flag per secret field. */
export const IntegrationView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.optionalKey(Schema.String),
  app: Schema.String,
  primaryOwner: Owner,
  secondaryOwners: Schema.Array(Owner),
  mode: ExtractionMode,
  config: Schema.Record(Schema.String, Schema.Unknown),
  secrets: Schema.Record(Schema.String, Schema.Literals(["set", "not set"])),
  lifecycleEnabled: Schema.Boolean,
  schedule: Schedule,
  status: IntegrationStatus,
  message: Schema.String,
  lastRunId: Schema.NullOr(Schema.String),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime
}).annotate({ identifier: "Integration" })
export type IntegrationView = typeof IntegrationView.Type
