import type { AzureCloud, EntraDirectConfig } from "@idconnect/schemas/ModeConfig"

/** The hosts of one Microsoft national cloud. */
export interface CloudHosts {
  readonly cloud: AzureCloud
  /** Where tokens come from (the Entra authority host). */
  readonly authorityHost: string
  /** Microsoft Graph's base URL, without the version segment. */
  readonly graphBaseUrl: string
  /** The token scope: the cloud's Graph resource plus `/.default` (all consented app permissions). */
  readonly scope: string
}

/**
 * Global, US Government (L4/L5 share the same Graph host for Entra data) and China (operated by
 * 21Vianet). Each has its own authority and Graph host; a token from one is useless in another,
 * which is why a wrong cloud shows up as "tenant not found" at sign-in.
 */
export const CLOUDS: Readonly<Record<AzureCloud, CloudHosts>> = {
  global: {
    cloud: "global",
    authorityHost: "https://login.microsoftonline.com",
    graphBaseUrl: "https://graph.microsoft.com",
    scope: "https://graph.microsoft.com/.default"
  },
  usgov: {
    cloud: "usgov",
    authorityHost: "https://login.microsoftonline.us",
    graphBaseUrl: "https://graph.microsoft.us",
    scope: "https://graph.microsoft.us/.default"
  },
  china: {
    cloud: "china",
    authorityHost: "https://login.chinacloudapi.cn",
    graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn",
    scope: "https://microsoftgraph.chinacloudapi.cn/.default"
  }
}

/** Every host the plugin talks to in its default (non-overridden) configuration. */
export const ALLOWED_HOSTS: ReadonlyArray<string> = Object.values(CLOUDS).flatMap((c) => [
  new URL(c.graphBaseUrl).hostname,
  new URL(c.authorityHost).hostname
])

/** The endpoints one integration uses: its cloud, with any explicit overrides applied. */
export interface Endpoints extends CloudHosts {
  /** Graph base URL including the version segment and a trailing slash, e.g. `https://graph.microsoft.com/v1.0/`. */
  readonly graphRoot: string
  /** Host names (no port) the Graph client may send the bearer token to. */
  readonly graphHosts: ReadonlyArray<string>
  /** True when authorityHost was overridden: MSAL must then skip instance discovery (it would ask the real cloud). */
  readonly customAuthority: boolean
}

const trimSlash = (url: string): string => url.replace(/\/+$/u, "")

/**
 * Resolves the cloud's hosts and applies the overrides for private endpoints and the simulator.
 * `graphBaseUrl` may be given with or without the `/v1.0` segment.
 */
export const resolveEndpoints = (config: Pick<EntraDirectConfig, "cloud" | "authorityHost" | "graphBaseUrl">): Endpoints => {
  const cloud = CLOUDS[config.cloud ?? "global"]
  const authorityHost = config.authorityHost === undefined ? cloud.authorityHost : trimSlash(config.authorityHost)
  const graphBase = trimSlash(config.graphBaseUrl ?? cloud.graphBaseUrl).replace(/\/v1\.0$/u, "")
  return {
    ...cloud,
    authorityHost,
    graphBaseUrl: graphBase,
    graphRoot: `${graphBase}/v1.0/`,
    graphHosts: [new URL(graphBase).hostname],
    customAuthority: config.authorityHost !== undefined && trimSlash(config.authorityHost) !== cloud.authorityHost
  }
}
