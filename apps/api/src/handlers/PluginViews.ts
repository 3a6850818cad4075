import { deriveCapabilities, modeConfigJsonSchema } from "@idconnect/core/Capabilities"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { PluginView } from "../contract/PluginView.ts"

/** What the API shows of a plugin: derived capabilities plus each mode's config JSON Schema. */
export const pluginView = (plugin: ConnectorPlugin): PluginView => {
  const manifest = deriveCapabilities(plugin)
  return {
    id: manifest.id,
    displayName: manifest.displayName,
    version: manifest.version,
    sourceSystem: manifest.sourceSystem,
    description: plugin.metadata.description,
    capabilitySets: [...manifest.capabilitySets],
    features: { ...manifest.features },
    modes: (Object.entries(manifest.modes) as Array<[ExtractionMode, NonNullable<(typeof manifest.modes)[ExtractionMode]>]>).map(
      ([mode, caps]) => ({
        mode,
        read: [...caps.read],
        lifecycle: [...caps.lifecycle],
        secretFields: [...caps.secretFields],
        configSchema: modeConfigJsonSchema(plugin, mode)
      })
    )
  }
}
