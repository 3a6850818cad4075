/**
 * Starts the SCIMMY test peer (with its OAuth token endpoint) on 127.0.0.1 for manual runs of the
 * CLI, seeded with the standard tenant, and writes ready-to-use configs. Stop it with Ctrl-C.
 *
 *   npx node --conditions=@idconnect/source packages/scim/test/support/serve.ts [--port 8099] [--out .data/scim-demo]
 *
 * Then, for example:
 *   npm run connector -- check   --plugin entra --mode scim --config .data/scim-demo/entra-scim.json
 *   npm run connector -- extract --plugin entra --mode scim --config .data/scim-demo/entra-scim.json
 *   npm run connector -- apply   --plugin entra --mode scim --config .data/scim-demo/entra-scim.json --operation .data/scim-demo/operations.json
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { seedStandard } from "./ScimStore.ts"
import { BASIC, OAUTH_CLIENT, STATIC_TOKEN, startScimTestServer } from "./ScimTestServer.ts"

const { values } = parseArgs({ options: { port: { type: "string", default: "8099" }, out: { type: "string", default: ".data/scim-demo" } } })
const server = await startScimTestServer({ port: Number(values.port) })
seedStandard()

const out = resolve(values.out)
mkdirSync(out, { recursive: true })
const files: Record<string, unknown> = {
  // Entra flavour: tenant/client/secret, the token endpoint at {authorityHost}/{tenantId}/oauth2/v2.0/token.
  "entra-scim.json": {
    tenantId: "contoso",
    clientId: OAUTH_CLIENT.clientId,
    clientSecret: OAUTH_CLIENT.clientSecret,
    baseUrl: server.baseUrl,
    authorityHost: server.origin,
    allowInsecureLoopback: true
  },
  "scim-bearer.json": { baseUrl: server.baseUrl, allowInsecureLoopback: true, auth: { type: "bearer", token: STATIC_TOKEN } },
  "scim-basic.json": { baseUrl: server.baseUrl, allowInsecureLoopback: true, auth: { type: "basic", ...BASIC } },
  "scim-oauth.json": {
    baseUrl: server.baseUrl,
    allowInsecureLoopback: true,
    auth: { type: "oauth-client-credentials", tokenUrl: server.tokenUrl(), clientId: OAUTH_CLIENT.clientId, clientSecret: OAUTH_CLIENT.clientSecret }
  },
  "operations.json": [
    { id: "1", operation: "createUser", params: { userName: "frank", givenName: "Frank", familyName: "Fox", email: "frank@example.com", department: "Ops" } },
    { id: "2", operation: "addGroupMember", params: { groupName: "Sales", userName: "dave" } },
    { id: "3", operation: "deactivateUser", params: { userName: "eve" } }
  ]
}
for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), JSON.stringify(content, null, 2) + "\n")

console.log(`SCIM test peer on ${server.baseUrl} (token endpoint ${server.tokenUrl()}); configs in ${out}`)
const stop = () => void server.close().then(() => process.exit(0))
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
