import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { ApiProblemError, makeApiClient, type ApiClient } from "../client/ApiClient.ts"

/** What the demo keeps in `.data/demo.json` between starts, and what scripts read from it. */
export interface DemoState {
  readonly apiUrl: string
  readonly docsUrl: string
  readonly apiKeyId: string
  readonly apiKeySecret: string
  readonly tenantId: string
  readonly integrationId: string
  readonly exampleIdentity: { readonly sourceId: string; readonly name: string } | null
  readonly adminToken: string
}

type Saved = Partial<DemoState>

/** The admin token: the environment's, else the one saved by an earlier start, else a new one. */
export const demoAdminToken = (stateFile: string): string => {
  const fromEnv = process.env.IDCONNECT_ADMIN_TOKEN
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim()
  const saved = readSaved(stateFile)
  return saved.adminToken ?? randomBytes(24).toString("base64url")
}

const readSaved = (stateFile: string): Saved => {
  if (!existsSync(stateFile)) return {}
  try {
    return JSON.parse(readFileSync(stateFile, "utf8")) as Saved
  } catch {
    return {}
  }
}

export interface DemoSetupOptions {
  readonly apiUrl: string
  readonly adminToken: string
  readonly stateFile: string
  /** The Entra direct-mode config for the simulated tenant (its URLs change with each start). */
  readonly entraConfig: Record<string, unknown>
  readonly log: (line: string) => void
  /** Resolves when the run is over; the demo polls the API like any client would. */
  readonly pollIntervalMs?: number
}

const isNotFound = (e: unknown) => e instanceof ApiProblemError && (e.status === 404 || e.status === 401)

/** A key that still works (a restart with the same data), or a new tenant and key. */
const ensureTenant = async (o: DemoSetupOptions, saved: Saved) => {
  if (saved.apiKeyId !== undefined && saved.apiKeySecret !== undefined) {
    const client = makeApiClient({ baseUrl: o.apiUrl, apiKey: { id: saved.apiKeyId, secret: saved.apiKeySecret } })
    try {
      const tenant = await client.call("getTenant")
      o.log(`Reusing tenant ${tenant.name} (${tenant.id}) and its API key`)
      return { client, tenantId: tenant.id, key: { id: saved.apiKeyId, secret: saved.apiKeySecret } }
    } catch (e) {
      if (!isNotFound(e)) throw e
    }
  }
  const admin = makeApiClient({ baseUrl: o.apiUrl, adminToken: o.adminToken })
  const created = await admin.call("createTenant", { body: { name: "Demo tenant", apiKeyName: "demo" } })
  o.log(`Created tenant ${created.tenant.name} (${created.tenant.id}) with API key ${created.apiKey.id}`)
  const key = { id: created.apiKey.id, secret: created.apiKey.secret }
  return { client: makeApiClient({ baseUrl: o.apiUrl, apiKey: key }), tenantId: created.tenant.id, key }
}

/** The demo's Entra integration, pointed at this start's simulator. */
const ensureIntegration = async (client: ApiClient, o: DemoSetupOptions, saved: Saved) => {
  if (saved.integrationId !== undefined) {
    try {
      const updated = await client.call("updateIntegration", { params: { id: saved.integrationId }, body: { config: o.entraConfig } })
      o.log(`Reusing integration ${updated.name} (${updated.id}), pointed at this start's Graph simulator`)
      return updated
    } catch (e) {
      if (!isNotFound(e)) throw e
    }
  }
  const created = await client.call("createIntegration", {
    body: {
      name: "Contoso (simulated Entra ID)",
      description: "Microsoft Entra ID through Microsoft Graph, served by the local Graph simulator",
      app: "entra",
      mode: "direct",
      primaryOwner: { email: "iam-team@contoso.example", name: "IAM team" },
      secondaryOwners: [{ email: "security@contoso.example" }],
      config: o.entraConfig,
      lifecycleEnabled: true
    }
  })
  o.log(`Created integration ${created.name} (${created.id})`)
  return created
}

const waitForRun = async (client: ApiClient, integrationId: string, runId: string, o: DemoSetupOptions) => {
  let lastPhase = ""
  for (;;) {
    const run = await client.call("getRun", { params: { id: integrationId, runId } })
    if (run.progress.phase !== lastPhase) {
      lastPhase = run.progress.phase
      o.log(`  sync ${run.status}: ${run.progress.phase} (${run.progress.entities} entities, ${run.progress.relations} relations)`)
    }
    if (run.status !== "queued" && run.status !== "running") return run
    await new Promise((r) => setTimeout(r, o.pollIntervalMs ?? 500))
  }
}

/**
 * Brings the demo tenant to "Connected, data available" through the public API, as a user would:
 * tenant and key (admin bootstrap), Entra integration, test connection, a sync. Everything is
 * reused on the next start; the state goes to `stateFile` for scripts.
 */
export const setUpDemo = async (o: DemoSetupOptions): Promise<DemoState> => {
  const saved = readSaved(o.stateFile)
  const { client, tenantId, key } = await ensureTenant(o, saved)
  const integration = await ensureIntegration(client, o, saved)
  const check = await client.call("testConnection", { params: { id: integration.id } })
  o.log(`Test connection: ${check.status} — ${check.message}`)
  const run = await client.call("triggerSync", { params: { id: integration.id }, body: {} })
  o.log(`Sync ${run.id} started`)
  const done = await waitForRun(client, integration.id, run.id, o)
  const after = await client.call("getIntegration", { params: { id: integration.id } })
  o.log(`Sync ${done.status}; integration status: ${after.status} — ${after.message}`)
  const identities = await client.call("listEntities", { params: { id: integration.id }, query: { entityType: "identity", sourceType: "user", limit: 1 } })
  const first = identities.items[0]
  const state: DemoState = {
    apiUrl: o.apiUrl,
    docsUrl: `${o.apiUrl}/v1/docs`,
    apiKeyId: key.id,
    apiKeySecret: key.secret,
    tenantId,
    integrationId: integration.id,
    exampleIdentity: first === undefined ? null : { sourceId: first.sourceId, name: first.name },
    adminToken: o.adminToken
  }
  mkdirSync(dirname(o.stateFile), { recursive: true })
  writeFileSync(o.stateFile, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 })
  return state
}

/** The three curl examples the demo prints. */
export const curlExamples = (s: DemoState): ReadonlyArray<{ readonly title: string; readonly command: string }> => {
  const auth = `-H "X-Api-Key-ID: ${s.apiKeyId}" -H "X-Api-Key-Secret: ${s.apiKeySecret}"`
  const base = `${s.apiUrl}/v1/integrations/${s.integrationId}`
  const user = s.exampleIdentity?.sourceId ?? "<user object id>"
  return [
    { title: "Integration status", command: `curl -s ${auth} ${base}` },
    {
      title: `Effective access of ${s.exampleIdentity?.name ?? "a user"} (direct and inherited, with paths)`,
      command: `curl -s ${auth} "${base}/effective-access?sourceId=${encodeURIComponent(user)}"`
    },
    { title: "Export the entities as CSV (BalkanID columns)", command: `curl -s ${auth} ${base}/export/entities.csv` }
  ]
}
