import * as Schema from "effect/Schema"
import { ExtractionMode } from "@idconnect/schemas/ModeConfig"

/** One extraction mode of a plugin, with what a UI needs to render its setup form. */
export const PluginModeView = Schema.Struct({
  mode: ExtractionMode,
  read: Schema.Array(Schema.String).annotate({ description: "Read capabilities: check, discover, extract (pull) or ingest (push)" }),
  lifecycle: Schema.Array(Schema.String).annotate({ description: "Lifecycle operations this mode can plan and apply" }),
  secretFields: Schema.Array(Schema.String).annotate({ description: "Config fields that are write-only secrets" }),
  configSchema: Schema.Record(Schema.String, Schema.Unknown).annotate({
    description: "Draft-07 JSON Schema of the mode's config; secret fields carry writeOnly and x-secret"
  })
}).annotate({ identifier: "PluginMode" })

export const PluginView = Schema.Struct({
  id: Schema.String,
  displayName: Schema.String,
  version: Schema.String,
  sourceSystem: Schema.String,
  description: Schema.String,
  capabilitySets: Schema.Array(Schema.Literals(["read", "lifecycle"])),
  features: Schema.Record(Schema.String, Schema.String),
  modes: Schema.Array(PluginModeView)
}).annotate({ identifier: "Plugin" })
export type PluginView = typeof PluginView.Type

export const PluginList = Schema.Struct({ items: Schema.Array(PluginView) }).annotate({ identifier: "PluginList" })

export const PluginParams = Schema.Struct({ pluginId: Schema.String })
