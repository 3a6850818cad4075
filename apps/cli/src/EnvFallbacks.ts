import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"

/**
 * Config fields the CLI fills from the environment when the config file leaves them out, per
 * plugin and mode: the standard variables each ecosystem's tools already use (Azure SDKs read
 * AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET), so secrets need not sit in files.
 */
export const envFallbacks: Readonly<Record<string, Partial<Record<ExtractionMode, Readonly<Record<string, string>>>>>> = {
  entra: {
    direct: { tenantId: "AZURE_TENANT_ID", clientId: "AZURE_CLIENT_ID", clientSecret: "AZURE_CLIENT_SECRET" },
    scim: { tenantId: "AZURE_TENANT_ID", clientId: "AZURE_CLIENT_ID", clientSecret: "AZURE_CLIENT_SECRET" }
  },
  example: {
    direct: { baseUrl: "EXAMPLE_DIRECTORY_URL", token: "EXAMPLE_DIRECTORY_TOKEN" }
  }
}
