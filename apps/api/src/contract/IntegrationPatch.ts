import { NonBlankString } from "@idconnect/schemas/Common"
import { Schedule } from "@idconnect/schemas/Integration"
import { Owner } from "@idconnect/schemas/Owners"
import * as Schema from "effect/Schema"

/**
 * A partial update. `config` is merged into the stored config key by key, so a secret can be
 * rotated alone (`{ "config": { "clientSecret": "..." } }`) without resending the others; a key set
 * to null is removed. The merged config is validated against the plugin's schema like on create.
 */
export const IntegrationPatch = Schema.Struct({
  name: Schema.optionalKey(NonBlankString),
  description: Schema.optionalKey(Schema.String),
  primaryOwner: Schema.optionalKey(Owner),
  secondaryOwners: Schema.optionalKey(Schema.Array(Owner)),
  config: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  lifecycleEnabled: Schema.optionalKey(Schema.Boolean),
  schedule: Schema.optionalKey(Schedule),
  enabled: Schema.optionalKey(Schema.Boolean).annotate({ description: "false sets the integration Disabled (no scheduled syncs)" })
}).annotate({ identifier: "IntegrationPatch" })
export type IntegrationPatch = typeof IntegrationPatch.Type

export const IntegrationParams = Schema.Struct({ id: Schema.String })
export const RunParams = Schema.Struct({ id: Schema.String, runId: Schema.String })
