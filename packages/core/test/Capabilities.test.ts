import { assert, describe, it } from "@effect/vitest"
import { BulkConfig, CsvConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { deriveCapabilities, IllegalPluginError, manifestJson, modeConfigJsonSchema } from "../src/Capabilities.ts"
import type { ConnectorPlugin, LifecycleCapability, ReadCapability } from "../src/ConnectorPlugin.ts"
import { PluginRegistry } from "../src/PluginRegistry.ts"

// Capabilities are derived from what a plugin implements; authors never list them by hand, and
// combinations that cannot work are refused when the plugin is registered.

const Config = Schema.Struct({ url: Schema.String })
const read: ReadCapability<unknown> = {
  check: () => Effect.die("unused"),
  discover: () => Effect.die("unused"),
  extract: () => Stream.empty
}
const lifecycle: LifecycleCapability<unknown> = {
  operations: { disableUser: Schema.Struct({ userId: Schema.String }), addGroupMember: Schema.Struct({ groupId: Schema.String }) },
  plan: () => Effect.die("unused"),
  apply: () => Effect.die("unused")
}
const metadata = { id: "acme", displayName: "Acme", version: "1.2.3", sourceSystem: "acme", description: "d", allowedHosts: ["api.acme.test"] }
const plugin = (modes: ConnectorPlugin["modes"], id = "acme"): ConnectorPlugin => ({ metadata: { ...metadata, id }, modes })

describe("deriveCapabilities", () => {
  it("derives read and lifecycle per mode from the members a plugin implements", () => {
    const manifest = deriveCapabilities(
      plugin({
        direct: { config: Config, secretFields: ["token"], read, lifecycle },
        scim: { config: Config, secretFields: ["auth.token"], read },
        csv: { config: CsvConfig, secretFields: [] },
        bulk: { config: BulkConfig, secretFields: [] }
      })
    )
    assert.deepStrictEqual(manifest.modes, {
      direct: { read: ["check", "discover", "extract"], lifecycle: ["addGroupMember", "disableUser"], secretFields: ["token"] },
      scim: { read: ["check", "discover", "extract"], lifecycle: [], secretFields: ["auth.token"] },
      csv: { read: ["ingest"], lifecycle: [], secretFields: [] },
      bulk: { read: ["ingest"], lifecycle: [], secretFields: [] }
    })
    assert.deepStrictEqual(manifest.capabilitySets, ["read", "lifecycle"])
    assert.deepStrictEqual(deriveCapabilities(plugin({ direct: { config: Config, secretFields: [], read } })).capabilitySets, ["read"])
  })

  const illegal: ReadonlyArray<[string, ConnectorPlugin, RegExp]> = [
    ["no mode at all", plugin({}), /supports no extraction mode/],
    ["a pull mode without read", plugin({ direct: { config: Config, secretFields: [] } }), /pulls data but implements no read capability/],
    ["a push mode that implements read", plugin({ csv: { config: CsvConfig, secretFields: [], read } }), /must not implement read/],
    ["lifecycle on a push mode", plugin({ bulk: { config: BulkConfig, secretFields: [], lifecycle } }), /cannot have lifecycle/],
    ["a lifecycle set with no operations", plugin({ direct: { config: Config, secretFields: [], read, lifecycle: { ...lifecycle, operations: {} } } }), /lifecycle set with no operations/],
    ["an id that is not kebab-case", plugin({ direct: { config: Config, secretFields: [], read } }, "Acme_Directory"), /must be kebab-case/]
  ]
  for (const [label, bad, message] of illegal) {
    it(`refuses ${label}`, () => {
      assert.throws(() => deriveCapabilities(bad), IllegalPluginError)
      assert.throws(() => deriveCapabilities(bad), message)
    })
  }

  it("writes the manifest as stable, committed JSON", () => {
    const p = plugin({ direct: { config: Config, secretFields: [], read } })
    assert.strictEqual(manifestJson(p), JSON.stringify(deriveCapabilities(p), null, 2) + "\n")
    assert.strictEqual(manifestJson(p), manifestJson({ ...p }))
  })

  it("gives the JSON Schema of a supported mode's config and refuses an unsupported mode", () => {
    const p = plugin({ direct: { config: Config, secretFields: [], read } })
    assert.deepStrictEqual((modeConfigJsonSchema(p, "direct") as { required: Array<string> }).required, ["url"])
    assert.throws(() => modeConfigJsonSchema(p, "scim"), /does not support mode 'scim'/)
  })
})

describe("PluginRegistry", () => {
  const a = plugin({ direct: { config: Config, secretFields: [], read } }, "alpha")
  const b = plugin({ csv: { config: CsvConfig, secretFields: [] } }, "beta")

  it.effect("finds plugins by id and names the known ones when the id is unknown", () =>
    Effect.gen(function* () {
      const registry = PluginRegistry.make([a, b])
      assert.deepStrictEqual(registry.list().map((p) => p.metadata.id), ["alpha", "beta"])
      assert.strictEqual((yield* registry.get("beta")).metadata.id, "beta")
      const error = yield* Effect.flip(registry.get("gamma"))
      assert.strictEqual(error.code, "ConfigInvalid")
      assert.include(error.message, "Known plugins: alpha, beta")
    })
  )

  it("refuses two plugins with one id, and illegal plugins", () => {
    assert.throws(() => PluginRegistry.make([a, a]), /share the id 'alpha'/)
    assert.throws(() => PluginRegistry.make([plugin({})]), IllegalPluginError)
  })

  it.effect("is provided to apps as a layer", () =>
    Effect.gen(function* () {
      const registry = yield* PluginRegistry
      assert.strictEqual(registry.find("alpha"), a)
    }).pipe(Effect.provide(PluginRegistry.layer([a])))
  )
})
