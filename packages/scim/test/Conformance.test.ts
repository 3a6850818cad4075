import { runConformance } from "@idconnect/connector-testkit/Conformance"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { afterAll, beforeAll } from "vitest"
import { makeEntraScimMode } from "../src/EntraScim.ts"
import { makeScimMode } from "../src/ScimMode.ts"
import { seedStandard } from "./support/ScimStore.ts"
import { OAUTH_CLIENT, startScimTestServer, type ScimTestServer } from "./support/ScimTestServer.ts"
import { configJson } from "./support/Fixtures.ts"

// One SCIMMY peer for the whole file, seeded once: the suite's lifecycle fixture undoes what it does.
let server: ScimTestServer
beforeAll(async () => {
  server = await startScimTestServer()
  seedStandard()
})
afterAll(() => server.close())

const http = { retryBaseDelayMs: 10, maxRetries: 3 }
const generic: ConnectorPlugin = {
  metadata: { id: "scim-generic", displayName: "SCIM 2.0", version: "0.1.0", sourceSystem: "scim", description: "Any SCIM 2.0 server", allowedHosts: [] },
  modes: { scim: makeScimMode({ sourceSystem: "scim", http }) }
}
const entra: ConnectorPlugin = {
  metadata: { id: "entra-scim", displayName: "Entra (SCIM)", version: "0.1.0", sourceSystem: "azure", description: "Entra SCIM API", allowedHosts: [] },
  modes: { scim: makeEntraScimMode({ sourceSystem: "azure", http }) }
}

/** What the operations touch, read from the server's store (not through the plugin), without timestamps. */
const snapshot = () => ({
  users: [...server.store.users.values()].map((u) => ({ userName: u.userName, active: u.active })).sort((a, b) => String(a.userName).localeCompare(String(b.userName))),
  groups: [...server.store.groups.values()]
    .map((g) => ({ displayName: g.displayName, members: ((g.members as Array<{ value: string }> | undefined) ?? []).map((m) => m.value).sort() }))
    .sort((a, b) => String(a.displayName).localeCompare(String(b.displayName)))
})

const lifecycle = {
  operations: () => [
    { operation: "createUser", params: { userName: "frank", givenName: "Frank", familyName: "Fox", email: "frank@example.com" } },
    { operation: "addGroupMember", params: { groupName: "Sales", userName: "dave" } },
    { operation: "deactivateUser", params: { userName: "eve" } }
  ],
  undo: () => [
    { operation: "deleteUser", params: { userName: "frank" } },
    { operation: "removeGroupMember", params: { groupName: "Sales", userName: "dave" } },
    { operation: "updateUser", params: { userName: "eve", attributes: { active: true } } }
  ],
  snapshot
}

runConformance({
  plugin: generic,
  config: () => configJson(server, "oauth"),
  badCredentialsConfig: () => ({ ...configJson(server, "bearer"), auth: { type: "bearer", token: "wrong-token" } }),
  expected: () => ({ entities: 8, relations: 5 }),
  lifecycle
})

runConformance({
  plugin: entra,
  config: () => ({
    tenantId: "contoso",
    clientId: OAUTH_CLIENT.clientId,
    clientSecret: OAUTH_CLIENT.clientSecret,
    baseUrl: server.baseUrl,
    authorityHost: server.origin,
    allowInsecureLoopback: true
  }),
  badCredentialsConfig: () => ({
    tenantId: "contoso",
    clientId: OAUTH_CLIENT.clientId,
    clientSecret: "not-the-secret",
    baseUrl: server.baseUrl,
    authorityHost: server.origin,
    allowInsecureLoopback: true
  }),
  expected: () => ({ entities: 8, relations: 5 }),
  lifecycle
})
