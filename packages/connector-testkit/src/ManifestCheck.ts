import { manifestJson } from "@idconnect/core/Capabilities"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { existsSync, readFileSync } from "node:fs"
import type { Defects } from "./Defects.ts"

/**
 * The committed `capabilities.json` must equal what the plugin's code derives today, so reviewers
 * and the platform read the real capabilities. Regenerate with `npm run capabilities`.
 */
export const checkManifestFresh = (plugin: ConnectorPlugin, manifestPath: string | URL): Defects => {
  if (!existsSync(manifestPath)) return ["capabilities.json is missing: run npm run capabilities"]
  const committed = readFileSync(manifestPath, "utf8")
  return committed === manifestJson(plugin) ? [] : ["capabilities.json is stale: run npm run capabilities"]
}
