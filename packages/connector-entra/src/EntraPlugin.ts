import type { ConnectorPlugin, LifecycleCapability, ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import { makeEntraScimMode } from "@idconnect/scim/EntraScim"
import { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import { CATALOG } from "./Catalog.ts"
import { check } from "./Check.ts"
import { ALLOWED_HOSTS } from "./Clouds.ts"
import { extract, type ExtractTuning } from "./Extract.ts"
import { makeEntraLifecycle } from "./lifecycle/EntraLifecycle.ts"

export interface EntraPluginOptions {
  /** The lifecycle capability set of direct mode (plan/apply through the same GraphClient). */
  readonly lifecycle?: LifecycleCapability<EntraDirectConfig>
  /** SCIM mode, when wired. */
  readonly scim?: ModeDefinition<any>
  /** Budget and retry knobs (tests and benchmarks scale the budget to the simulator's). */
  readonly tuning?: ExtractTuning
}

/** Direct mode: Microsoft Graph with an app registration's client credentials. */
export const entraDirectMode = (options: EntraPluginOptions = {}): ModeDefinition<EntraDirectConfig> => {
  // --- lifecycle wiring (issue 5): direct mode offers plan/apply unless a test passes its own ---
  const lifecycle = options.lifecycle ?? makeEntraLifecycle(options.tuning)
  return {
    config: EntraDirectConfig,
    secretFields: ["clientSecret", "certificate"],
    read: {
      check: (config) => check(config, { ...options.tuning, lifecycle: true }),
      discover: () => Effect.succeed(CATALOG),
      extract: (config, checkpoint) => extract(config, checkpoint, options.tuning)
    },
    lifecycle
  }
}

/**
 * The Microsoft Entra ID plugin, for a given set of options (`entraPlugin` is the default one).
 *
 * @category plugins
 */
export const makeEntraPlugin = (options: EntraPluginOptions = {}): ConnectorPlugin => ({
  metadata: {
    id: "entra",
    displayName: "Microsoft Entra ID",
    version: "0.1.0",
    sourceSystem: "azure",
    description:
      "Users, groups, directory roles (with PIM), administrative units, app registrations, enterprise apps, app role assignments, delegated grants, risk and audit events from Microsoft Entra ID through Microsoft Graph.",
    allowedHosts: ALLOWED_HOSTS,
    features: { deltaSync: "supported" }
  },
  modes: {
    direct: entraDirectMode(options),
    ...(options.scim === undefined ? {} : { scim: options.scim })
  }
})

/** The installed Entra plugin: direct mode (read + lifecycle) and SCIM mode (Entra's own SCIM endpoint). */
export const entraPlugin: ConnectorPlugin = makeEntraPlugin({ scim: makeEntraScimMode({ sourceSystem: "azure" }) })
