import { Secret } from "@idconnect/schemas/ModeConfig"
import * as Schema from "effect/Schema"

/**
 * Direct-mode config: where the directory is and the API token to call it with. This Schema is the
 * single source of the config: the CLI and the API decode with it, and the JSON Schema a UI renders
 * (`connector spec`) is derived from it. Secrets are `Secret` so they stay `Redacted` in memory.
 */
export const ExampleDirectConfig = Schema.Struct({
  baseUrl: Schema.String.check(Schema.isPattern(/^https?:\/\/\S+$/u)).annotate({
    title: "Directory base URL",
    description: "e.g. http://127.0.0.1:4010 (no trailing /api path)"
  }),
  token: Secret.annotate({ title: "API token" }),
  pageSize: Schema.optionalKey(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })).annotate({
      title: "Page size",
      description: "Items per page (1-100, default 100)"
    })
  )
}).annotate({ identifier: "ExampleDirectConfig", title: "Example Directory (direct)" })
export type ExampleDirectConfig = typeof ExampleDirectConfig.Type

/** Config fields holding secrets; the platform encrypts them at rest and never returns them. */
export const exampleSecretFields = ["token"] as const
