import * as path from "node:path"
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity"
import { Client, type ClientOptions } from "@microsoft/microsoft-graph-client"
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js"
import { type GraphSimHandle, type StartGraphSimOptions, startGraphSim, type TenantInfo } from "../src/GraphSim.ts"
import { trustCa } from "../src/trustCa.ts"

/** One CA for the whole test run (gitignored), so every worker trusts the same root. */
export const TEST_CA_DIR = path.join(import.meta.dirname, "..", ".data", "test-ca")

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default"

/** Starts a simulator on 127.0.0.1 and makes this process trust its CA. */
export const startSim = async (options: StartGraphSimOptions = {}): Promise<GraphSimHandle> => {
  const sim = await startGraphSim({ caDir: TEST_CA_DIR, host: "127.0.0.1", ...options })
  trustCa(sim.caPem)
  return sim
}

export const appOf = (t: TenantInfo, name = "main") => {
  const a = t.apps.find((x) => x.name === name)
  if (a === undefined) throw new Error(`no app ${name}`)
  return a
}

/** The real @azure/identity credential, configured the way the Entra plugin configures it. */
export const secretCredential = (sim: GraphSimHandle, t: TenantInfo, app = "main", secret?: string): ClientSecretCredential => {
  const a = appOf(t, app)
  return new ClientSecretCredential(t.tenantId, a.clientId, secret ?? a.clientSecret, { authorityHost: sim.authorityHost, disableInstanceDiscovery: true })
}

export const certificateCredential = (sim: GraphSimHandle, t: TenantInfo, pem: string, app = "main"): ClientCertificateCredential =>
  new ClientCertificateCredential(t.tenantId, appOf(t, app).clientId, { certificate: pem }, { authorityHost: sim.authorityHost, disableInstanceDiscovery: true })

/** The real Microsoft Graph client pointed at the simulator (https + customHosts so it sends the token). */
export const graphClient = (sim: GraphSimHandle, credential: TokenCredential, extra: Partial<ClientOptions> = {}): Client =>
  Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }),
    baseUrl: sim.graphBaseUrl,
    customHosts: new Set([new URL(sim.graphBaseUrl).hostname]),
    ...extra
  })

/** Client for an app of a tenant (client secret). */
export const clientFor = (sim: GraphSimHandle, t: TenantInfo, app = "main"): Client => graphClient(sim, secretCredential(sim, t, app))

export const tokenFor = async (sim: GraphSimHandle, t: TenantInfo, app = "main"): Promise<string> => {
  const tok = await secretCredential(sim, t, app).getToken(GRAPH_SCOPE)
  if (tok === null) throw new Error("no token")
  return tok.token
}

/** Raw HTTPS call (for status codes, headers and bodies the Graph client hides). */
export const raw = async (
  sim: GraphSimHandle,
  pathAndQuery: string,
  init: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}
): Promise<{ status: number; headers: Headers; body: any; text: string }> => {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  if (init.body !== undefined) headers["content-type"] = "application/json"
  const url = pathAndQuery.startsWith("https://") ? pathAndQuery : `${sim.graphBaseUrl}${pathAndQuery}`
  const res = await fetch(url, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) })
  const text = await res.text()
  let body: any
  try {
    body = text === "" ? undefined : JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, headers: res.headers, body, text }
}

/** POSTs a form to the token endpoint and returns status + STS body. */
export const tokenRequest = async (sim: GraphSimHandle, tenant: string, form: Record<string, string>): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${sim.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString()
  })
  return { status: res.status, body: await res.json() }
}

/** Follows every nextLink with the real PageIterator and returns all items. */
export const pageAll = async <T = any>(client: Client, firstPage: any, headers?: Record<string, string>): Promise<{ items: T[]; deltaLink: string | undefined; pages: number }> => {
  const { PageIterator } = await import("@microsoft/microsoft-graph-client")
  const items: T[] = []
  let pages = 1
  const it = new PageIterator(client, firstPage, (x: T) => {
    items.push(x)
    return true
  }, headers === undefined ? undefined : { headers })
  const original = (it as unknown as { fetchAndUpdateNextPageData: () => Promise<void> }).fetchAndUpdateNextPageData.bind(it)
  ;(it as unknown as { fetchAndUpdateNextPageData: () => Promise<void> }).fetchAndUpdateNextPageData = async () => {
    pages++
    await original()
  }
  await it.iterate()
  return { items, deltaLink: it.getDeltaLink(), pages }
}

export const decodeJwtPayload = (token: string): Record<string, any> => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"))
