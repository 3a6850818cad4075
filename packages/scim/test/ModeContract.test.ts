import { deriveCapabilities, modeConfigJsonSchema } from "@idconnect/core/Capabilities"
import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { assert, describe, it } from "@effect/vitest"
import { EntraScimConfig, makeEntraScimMode, toScimConfig } from "../src/EntraScim.ts"
import { makeScimMode } from "../src/ScimMode.ts"
import * as Redacted from "effect/Redacted"

const plugin: ConnectorPlugin = {
  metadata: { id: "acme-scim", displayName: "Acme (SCIM)", version: "1.0.0", sourceSystem: "acme", description: "Any SCIM 2.0 server", allowedHosts: [] },
  modes: { scim: makeScimMode({ sourceSystem: "acme" }) }
}

describe("SCIM mode as a plugin mode", () => {
  it("derives read and lifecycle capabilities with the six operations", () => {
    const manifest = deriveCapabilities(plugin)
    assert.deepStrictEqual(manifest.capabilitySets, ["read", "lifecycle"])
    assert.deepStrictEqual(manifest.modes.scim?.read, ["check", "discover", "extract"])
    assert.deepStrictEqual(manifest.modes.scim?.lifecycle, ["addGroupMember", "createUser", "deactivateUser", "deleteUser", "removeGroupMember", "updateUser"])
    assert.deepStrictEqual(manifest.modes.scim?.secretFields, ["auth.token", "auth.password", "auth.clientSecret"])
  })

  it("derives a JSON Schema for the config that marks secrets write-only", () => {
    const schema = JSON.stringify(modeConfigJsonSchema(plugin, "scim"))
    assert.include(schema, "baseUrl")
    assert.include(schema, "writeOnly")
    const entra = JSON.stringify(modeConfigJsonSchema({ ...plugin, modes: { scim: makeEntraScimMode() } }, "scim"))
    assert.include(entra, "tenantId")
    assert.include(entra, "writeOnly")
  })

  it("rejects a bad config naming the field", () => {
    const result = decodeWithIssues(plugin.modes.scim!.config, { baseUrl: "https://scim.example.com", auth: { type: "bearer" } })
    assert.isFalse(result.ok)
    if (!result.ok) assert.strictEqual(result.issues[0]?.path, "auth.token")
  })

  it("maps the Entra config to OAuth client credentials against the tenant's token endpoint", () => {
    const decoded = decodeWithIssues(EntraScimConfig, { tenantId: "contoso.onmicrosoft.com", clientId: "c1", clientSecret: "s3" })
    assert.isTrue(decoded.ok)
    if (!decoded.ok) return
    const scim = toScimConfig(decoded.value)
    assert.strictEqual(scim.baseUrl, "https://graph.microsoft.com/rp/scim")
    assert.deepStrictEqual(
      scim.auth.type === "oauth-client-credentials" ? [scim.auth.tokenUrl, scim.auth.clientId, scim.auth.scope, Redacted.value(scim.auth.clientSecret)] : [],
      ["https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", "c1", "https://graph.microsoft.com/.default", "s3"]
    )
    const gov = decodeWithIssues(EntraScimConfig, { tenantId: "t", clientId: "c", clientSecret: "s", cloud: "usgov" })
    if (gov.ok) assert.strictEqual(toScimConfig(gov.value).baseUrl, "https://graph.microsoft.us/rp/scim")
  })
})
