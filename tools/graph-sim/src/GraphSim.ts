import * as fs from "node:fs/promises"
import { createServer, type Server } from "node:https"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { getRequestListener } from "@hono/node-server"
import { type CaMaterial, ensureCa, issueServerCertificate } from "./Ca.ts"
import type { CounterSnapshot } from "./graph/Counters.ts"
import { graphRouter } from "./graph/GraphRoutes.ts"
import { GlobalThrottle } from "./graph/Throttle.ts"
import { createApp } from "./Server.ts"
import { TokenService } from "./sts/TokenService.ts"
import { SimTenant, type SimAppInfo, type TenantSpec } from "./tenant/SimTenant.ts"
import type { License, PresetName, TenantSize } from "./tenant/Records.ts"

export { ensureCa } from "./Ca.ts"
export type { CaMaterial, AppCertificate } from "./Ca.ts"
export type { FaultSpec } from "./graph/Faults.ts"
export type { CounterSnapshot, PathCounters } from "./graph/Counters.ts"
export { SimTenant } from "./tenant/SimTenant.ts"
export type { AppSpec, SimAppInfo, TenantSpec } from "./tenant/SimTenant.ts"
export type { GroundTruth, TruthEdge, TruthRef, TruthUser } from "./tenant/GroundTruth.ts"
export type { UserInput, GroupInput } from "./tenant/ObjectFactory.ts"
export type * from "./tenant/Records.ts"
export { PRESETS } from "./tenant/Presets.ts"
export { LIFECYCLE_PERMISSIONS, PARTIAL_PERMISSIONS, READ_PERMISSIONS, graphPermissionId, MICROSOFT_GRAPH_APP_ID } from "./tenant/GraphPermissions.ts"

export interface StartGraphSimOptions {
  /** 0 or omitted = any free port. */
  readonly port?: number
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string
  /** Directory to load the CA from (or generate and store it in). Default: a temporary directory removed on stop. */
  readonly caDir?: string
  /** Default: one `demo` tenant. */
  readonly tenants?: ReadonlyArray<TenantSpec>
}

/** One tenant as announced at startup (what a script or test needs to connect). */
export interface TenantInfo {
  readonly tenantId: string
  readonly displayName: string
  readonly domain: string
  readonly preset: PresetName
  readonly license: License
  readonly size: TenantSize
  readonly apps: ReadonlyArray<SimAppInfo>
  readonly counts: Readonly<Record<string, number>>
}

/** The JSON object the CLI prints as its first stdout line. */
export interface StartupInfo {
  readonly authorityHost: string
  readonly graphBaseUrl: string
  readonly caFile: string
  readonly adminUrl: string
  readonly tenants: ReadonlyArray<TenantInfo>
}

export interface GraphSimHandle {
  /** `https://127.0.0.1:PORT`: pass as `authorityHost` with `disableInstanceDiscovery: true`. */
  readonly authorityHost: string
  /** `https://127.0.0.1:PORT`: the Graph client's `baseUrl` (it appends `/v1.0`); add the host to `customHosts`. */
  readonly graphBaseUrl: string
  readonly caFile: string
  readonly caPem: string
  /** `https://127.0.0.1:PORT/_sim`: operator API (counters, mutations, faults, ground truth). */
  readonly adminUrl: string
  readonly host: string
  readonly port: number
  readonly tenants: ReadonlyArray<TenantInfo>
  /** Ground truth, mutations, faults and counters of one tenant. */
  tenant(tenantId: string): SimTenant
  /** Counters of every tenant, by tenant id. */
  counters(): Record<string, CounterSnapshot>
  info(): StartupInfo
  stop(): Promise<void>
}

/** Starts the simulator: HTTPS server, token endpoint and Graph v1.0 for the given tenants. */
export const startGraphSim = async (options: StartGraphSimOptions = {}): Promise<GraphSimHandle> => {
  const host = options.host ?? "127.0.0.1"
  const specs = options.tenants ?? [{ preset: "demo" }]
  let tempDir: string | undefined
  let ca: CaMaterial
  if (options.caDir !== undefined) ca = await ensureCa(options.caDir)
  else {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), "graph-sim-ca-"))
    ca = await ensureCa(tempDir)
  }
  const certHosts = host === "0.0.0.0" || host === "::" ? ["127.0.0.1", "localhost", os.hostname()] : [host]
  const leaf = await issueServerCertificate(ca, certHosts)

  const global = new GlobalThrottle()
  const tenants: SimTenant[] = []
  for (const [i, spec] of specs.entries()) tenants.push(await SimTenant.create(spec, i, global))
  const ids = new Set<string>()
  for (const t of tenants) {
    if (ids.has(t.tenantId)) throw new Error(`graph-sim: two tenants share the id ${t.tenantId}; give them different seeds or tenantIds`)
    ids.add(t.tenantId)
  }

  const tokens = new TokenService(() => tenants)
  let base = ""
  const info = (): StartupInfo => ({
    authorityHost: base,
    graphBaseUrl: base,
    caFile: ca.caFile,
    adminUrl: `${base}/_sim`,
    tenants: tenants.map((t) => t.info())
  })
  const app = createApp({ tokens, router: graphRouter(), tenants, info })
  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, getRequestListener(app.fetch))
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host
  base = `https://${urlHost}:${port}`
  let stopped = false

  return {
    authorityHost: base,
    graphBaseUrl: base,
    caFile: ca.caFile,
    caPem: ca.caPem,
    adminUrl: `${base}/_sim`,
    host,
    port,
    tenants: tenants.map((t) => t.info()),
    tenant(tenantId: string): SimTenant {
      const t = tenants.find((x) => x.tenantId === tenantId.toLowerCase() || x.domain === tenantId.toLowerCase())
      if (t === undefined) throw new Error(`graph-sim: no tenant ${tenantId}`)
      return t
    },
    counters: () => Object.fromEntries(tenants.map((t) => [t.tenantId, t.counters.snapshot()])),
    info,
    async stop(): Promise<void> {
      if (stopped) return
      stopped = true
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (tempDir !== undefined) await fs.rm(tempDir, { recursive: true, force: true })
    }
  }
}
