import type { Directory } from "../tenant/Directory.ts"
import type { SimTenant } from "../tenant/SimTenant.ts"

/** A Graph request, independent of the HTTP layer (a $batch item is one too). */
export interface GraphRequest {
  readonly method: string
  /** Path after `/v1.0`, starting with `/`, still percent-encoded. */
  readonly path: string
  /** Query options; keys lower-cased (`$select`), values decoded. */
  readonly query: ReadonlyMap<string, string>
  /** Original query pairs in order (decoded), for building nextLinks. */
  readonly queryPairs: ReadonlyArray<readonly [string, string]>
  /** Header names lower-cased. */
  readonly headers: ReadonlyMap<string, string>
  readonly body: unknown
  /** `https://host:port` as the client addressed the simulator. */
  readonly origin: string
  readonly requestId: string
  readonly clientRequestId: string
}

export interface GraphResponse {
  status: number
  headers: Record<string, string>
  /** JSON body; absent for 204. */
  body?: unknown
  /** Plain-text body ($count). */
  text?: string
  /** Set by the pipeline: resource units charged. */
  ru?: number
}

/** The application calling Graph, from its access token. */
export interface Caller {
  readonly appId: string
  readonly servicePrincipalId: string
  readonly roles: ReadonlySet<string>
  readonly tokenId: string
}

/** Everything a route handler sees. */
export interface GraphContext {
  readonly req: GraphRequest
  readonly tenant: SimTenant
  readonly dir: Directory
  readonly caller: Caller
  /** Values of the `{id}` segments of the matched route, in order. */
  readonly params: ReadonlyArray<string>
  /** OData cast segment (e.g. `microsoft.graph.user`) when the route has one. */
  readonly cast: string | undefined
  /** True when the request asked for advanced query capabilities (ConsistencyLevel: eventual). */
  readonly eventual: boolean
}

/** Absolute URL of a Graph path on the simulator (`/users?...` -> `https://host:port/v1.0/users?...`). */
export const graphUrl = (req: GraphRequest, pathAndQuery: string): string => `${req.origin}/v1.0${pathAndQuery}`

export const contextUrl = (req: GraphRequest, fragment: string): string => `${req.origin}/v1.0/$metadata#${fragment}`

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse => ({ status, headers, body })
export const noContent = (): GraphResponse => ({ status: 204, headers: {} })
