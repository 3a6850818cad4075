import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import { toDraft07 } from "@idconnect/schemas/JsonSchemaExport"
import type { ConnectorPlugin } from "./ConnectorPlugin.ts"

/** What one mode of a plugin can do, derived from the members the plugin implements. */
export interface ModeCapabilities {
  readonly read: ReadonlyArray<"check" | "discover" | "extract" | "ingest">
  readonly lifecycle: ReadonlyArray<string>
  readonly secretFields: ReadonlyArray<string>
}

/** The manifest committed next to each plugin (`capabilities.json`); a test fails when it is stale. */
export interface CapabilityManifest {
  readonly id: string
  readonly displayName: string
  readonly version: string
  readonly sourceSystem: string
  readonly allowedHosts: ReadonlyArray<string>
  readonly features: Readonly<Record<string, string>>
  readonly modes: Readonly<Partial<Record<ExtractionMode, ModeCapabilities>>>
  readonly capabilitySets: ReadonlyArray<"read" | "lifecycle">
}

export class IllegalPluginError extends Error {
  override readonly name = "IllegalPluginError"
}

const PULL_MODES: ReadonlyArray<ExtractionMode> = ["direct", "scim"]

/**
 * Derives a plugin's capabilities from what it implements and rejects illegal combinations:
 * a pull mode without `read`, a push mode that implements `read`, lifecycle without read, a
 * lifecycle set with no operations, no modes at all.
 */
export const deriveCapabilities = (plugin: ConnectorPlugin): CapabilityManifest => {
  const { metadata } = plugin
  if (!/^[a-z][a-z0-9-]*$/.test(metadata.id)) {
    throw new IllegalPluginError(`Plugin id '${metadata.id}' must be kebab-case (a-z, 0-9, -)`)
  }
  const modes: Partial<Record<ExtractionMode, ModeCapabilities>> = {}
  const entries = Object.entries(plugin.modes) as Array<[ExtractionMode, NonNullable<ConnectorPlugin["modes"][ExtractionMode]>]>
  if (entries.length === 0) throw new IllegalPluginError(`Plugin '${metadata.id}' supports no extraction mode`)
  let lifecycleAny = false
  for (const [mode, def] of entries) {
    const pull = PULL_MODES.includes(mode)
    if (pull && def.read === undefined) {
      throw new IllegalPluginError(`Plugin '${metadata.id}' mode '${mode}' pulls data but implements no read capability`)
    }
    if (!pull && def.read !== undefined) {
      throw new IllegalPluginError(`Plugin '${metadata.id}' mode '${mode}' is pushed by the customer; the platform ingests it, so it must not implement read`)
    }
    if (def.lifecycle !== undefined && !pull) {
      throw new IllegalPluginError(`Plugin '${metadata.id}' mode '${mode}' cannot have lifecycle: there is no connection to write through`)
    }
    const ops = def.lifecycle === undefined ? [] : Object.keys(def.lifecycle.operations).sort()
    if (def.lifecycle !== undefined && ops.length === 0) {
      throw new IllegalPluginError(`Plugin '${metadata.id}' mode '${mode}' has a lifecycle set with no operations`)
    }
    lifecycleAny ||= ops.length > 0
    modes[mode] = {
      read: pull ? ["check", "discover", "extract"] : ["ingest"],
      lifecycle: ops,
      secretFields: [...def.secretFields]
    }
  }
  return {
    id: metadata.id,
    displayName: metadata.displayName,
    version: metadata.version,
    sourceSystem: metadata.sourceSystem,
    allowedHosts: [...metadata.allowedHosts],
    features: { ...metadata.features },
    modes,
    capabilitySets: lifecycleAny ? ["read", "lifecycle"] : ["read"]
  }
}

/** The stable JSON text of a manifest, as committed. */
export const manifestJson = (plugin: ConnectorPlugin): string => JSON.stringify(deriveCapabilities(plugin), null, 2) + "\n"

/** The JSON Schema (draft-07) of a mode's config, what UIs render and ajv validates. */
export const modeConfigJsonSchema = (plugin: ConnectorPlugin, mode: ExtractionMode): Record<string, unknown> => {
  const def = plugin.modes[mode]
  if (def === undefined) throw new IllegalPluginError(`Plugin '${plugin.metadata.id}' does not support mode '${mode}'`)
  return toDraft07(def.config)
}
