import type { ConnectorPlugin, ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { IntegrationForRun } from "@idconnect/store/Integrations"
import type { RunJobData } from "@idconnect/store/JobQueue"
import type { RunRecord } from "@idconnect/store/Runs"
import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"

/** Everything a job handler gets: the leased run, its integration (secrets decrypted) and plugin. */
export interface RunContext {
  readonly run: RunRecord
  readonly job: RunJobData
  readonly workerId: string
  readonly integration: IntegrationForRun
  readonly plugin: ConnectorPlugin
}

/** The plugin's definition of the integration's mode, or a config error saying it has none. */
export const modeOf = (ctx: RunContext): Effect.Effect<ModeDefinition<any>, ReturnType<typeof ConnectorErrors.unsupported>> => {
  const mode: ExtractionMode = ctx.integration.integration.mode
  const def = ctx.plugin.modes[mode]
  return def === undefined
    ? Effect.fail(
        ConnectorErrors.unsupported({
          feature: `${mode} mode`,
          message: `The ${ctx.plugin.metadata.displayName} plugin does not support ${mode} mode; change the integration's mode`
        })
      )
    : Effect.succeed(def)
}
