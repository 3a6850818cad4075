import type { ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import { NonBlankString } from "@idconnect/schemas/Common"
import { AzureCloud, ScimQuirkOverrides, Secret, type ScimConfig } from "@idconnect/schemas/ModeConfig"
import * as Schema from "effect/Schema"
import { makeScimMode, type ScimModeOptions } from "./ScimMode.ts"

/**
 * SCIM mode for Microsoft Entra ID's own SCIM API (`https://graph.microsoft.com/rp/scim`). It
 * accepts only app-only OAuth tokens, so the config is the same three values as direct mode
 * (tenant, client, secret) and becomes OAuth client credentials against
 * `{authorityHost}/{tenantId}/oauth2/v2.0/token` with scope `https://graph.microsoft.com/.default`.
 * `baseUrl` and `authorityHost` point elsewhere for a private endpoint or a local test server
 * (with `allowInsecureLoopback` for plain http on 127.0.0.1).
 */
export const EntraScimConfig = Schema.Struct({
  tenantId: NonBlankString.annotate({ title: "Directory (tenant) ID", description: "A GUID or a verified domain name" }),
  clientId: NonBlankString.annotate({ title: "Application (client) ID" }),
  clientSecret: Secret.annotate({ title: "Client secret" }),
  cloud: Schema.optionalKey(AzureCloud),
  baseUrl: Schema.optionalKey(NonBlankString.annotate({ title: "SCIM base URL", description: "Default https://graph.microsoft.com/rp/scim" })),
  authorityHost: Schema.optionalKey(NonBlankString.annotate({ title: "Authority host", description: "Default https://login.microsoftonline.com" })),
  allowInsecureLoopback: Schema.optionalKey(Schema.Boolean),
  caFile: Schema.optionalKey(Schema.String),
  quirks: Schema.optionalKey(ScimQuirkOverrides)
}).annotate({ identifier: "EntraScimConfig", title: "Microsoft Entra ID (SCIM API)" })
export type EntraScimConfig = typeof EntraScimConfig.Type

/** Authority, SCIM host and token scope per Microsoft cloud. */
const CLOUD_HOSTS: Readonly<Record<AzureCloud, { authority: string; graph: string }>> = {
  global: { authority: "https://login.microsoftonline.com", graph: "https://graph.microsoft.com" },
  usgov: { authority: "https://login.microsoftonline.us", graph: "https://graph.microsoft.us" },
  china: { authority: "https://login.chinacloudapi.cn", graph: "https://microsoftgraph.chinacloudapi.cn" }
}

/** The generic SCIM config an Entra SCIM config stands for. */
export const toScimConfig = (c: EntraScimConfig): ScimConfig => {
  const hosts = CLOUD_HOSTS[c.cloud ?? "global"]
  const authority = (c.authorityHost ?? hosts.authority).replace(/\/+$/u, "")
  return {
    baseUrl: c.baseUrl ?? `${hosts.graph}/rp/scim`,
    auth: {
      type: "oauth-client-credentials",
      tokenUrl: `${authority}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      scope: `${hosts.graph}/.default`
    },
    ...(c.allowInsecureLoopback === undefined ? {} : { allowInsecureLoopback: c.allowInsecureLoopback }),
    ...(c.caFile === undefined ? {} : { caFile: c.caFile }),
    ...(c.quirks === undefined ? {} : { quirks: c.quirks })
  }
}

/** The Entra flavour of SCIM mode; `sourceSystem` should be the Entra plugin's (`azure`). */
export const makeEntraScimMode = (
  options: Omit<ScimModeOptions<EntraScimConfig>, "configSchema" | "toScimConfig" | "secretFields"> = { sourceSystem: "azure" }
): ModeDefinition<EntraScimConfig> =>
  makeScimMode<EntraScimConfig>({ ...options, configSchema: EntraScimConfig, toScimConfig, secretFields: ["clientSecret"] })
