import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { BulkConfig, CsvConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import { exampleCatalog } from "./ExampleCatalog.ts"
import { check } from "./ExampleCheck.ts"
import { ExampleDirectConfig, exampleSecretFields } from "./ExampleConfig.ts"
import { extract } from "./ExampleExtract.ts"
import { exampleLifecycle } from "./ExampleLifecycle.ts"

/**
 * The example connector: a small but real plugin for the directory in `ExampleDirectoryServer.ts`,
 * and the template for new connectors (`npx nx g @idconnect/generators:connector <name>` copies it).
 * Capabilities are derived from what is implemented here: direct mode with read + lifecycle, and
 * the push modes csv and bulk, which the platform ingests, so they only declare their config.
 */
export const examplePlugin: ConnectorPlugin = {
  metadata: {
    id: "example",
    displayName: "Example Directory",
    version: "0.1.0",
    sourceSystem: "example",
    description: "A small HTTP directory (users, groups, memberships); the template for new connectors",
    allowedHosts: ["127.0.0.1", "localhost"],
    features: { deltaSync: "unsupported" }
  },
  modes: {
    direct: {
      config: ExampleDirectConfig,
      secretFields: exampleSecretFields,
      read: {
        check,
        discover: () => Effect.succeed(exampleCatalog),
        extract
      },
      lifecycle: exampleLifecycle
    },
    csv: { config: CsvConfig, secretFields: [] },
    bulk: { config: BulkConfig, secretFields: [] }
  }
}
