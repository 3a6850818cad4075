import { checkManifestFresh } from "@idconnect/connector-testkit/ManifestCheck"
import { PluginRegistry } from "@idconnect/core/PluginRegistry"
import { assert, describe, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { installedPlugins } from "../src/InstalledPlugins.ts"

describe("installed plugins", () => {
  it("build a registry the apps can look plugins up in by id", () => {
    const registry = PluginRegistry.make(installedPlugins)
    assert.deepStrictEqual(
      registry.list().map((p) => p.metadata.id),
      installedPlugins.map((p) => p.metadata.id)
    )
    assert.strictEqual(registry.find("example")?.metadata.displayName, "Example Directory")
  })

  it("each live in packages/connector-<id> with a fresh capabilities.json", () => {
    for (const plugin of installedPlugins) {
      const dir = new URL(`../../connector-${plugin.metadata.id}/`, import.meta.url)
      assert.isTrue(existsSync(dir), `packages/connector-${plugin.metadata.id} is missing`)
      assert.deepStrictEqual(checkManifestFresh(plugin, new URL("capabilities.json", dir)), [])
    }
  })
})
