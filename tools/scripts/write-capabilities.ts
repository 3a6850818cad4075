// Writes each installed plugin's capability manifest, `packages/connector-<id>/capabilities.json`,
// from what its code implements (`deriveCapabilities`). Commit the result: each plugin's
// conformance test fails while the committed file is stale. `--check` only reports staleness.
//
//   npm run capabilities            write the manifests
//   npm run capabilities -- --check exit 1 if one is stale
import { manifestJson } from "@idconnect/core/Capabilities"
import { installedPlugins } from "@idconnect/plugin-catalog/InstalledPlugins"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"

const root = resolve(import.meta.dirname, "../..")
const checkOnly = process.argv.includes("--check")
let stale = 0

for (const plugin of installedPlugins) {
  const dir = join(root, "packages", `connector-${plugin.metadata.id}`)
  if (!existsSync(dir)) {
    console.error(`Plugin '${plugin.metadata.id}' should live in ${relative(root, dir)}, which does not exist`)
    process.exit(1)
  }
  const file = join(dir, "capabilities.json")
  const text = manifestJson(plugin)
  const current = existsSync(file) ? readFileSync(file, "utf8") : undefined
  if (current === text) {
    console.log(`${relative(root, file)} is up to date`)
  } else if (checkOnly) {
    stale++
    console.error(`${relative(root, file)} is stale: run npm run capabilities`)
  } else {
    writeFileSync(file, text)
    console.log(`wrote ${relative(root, file)}`)
  }
}
if (stale > 0) process.exit(1)
