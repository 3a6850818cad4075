import { endpoint, json, jsonBody } from "../Endpoint.ts"
import { ApiKeyCreated, ApiKeyList, ApiKeyView, CreateApiKeyRequest, CreateTenantRequest, KeyParams, TenantCreated, TenantView } from "../Tenancy.ts"

/** The admin bootstrap (tenant + first key) and a tenant's own keys. */
export const tenancyEndpoints = [
  endpoint({
    name: "createTenant",
    method: "post",
    path: "/v1/admin/tenants",
    tag: "Admin",
    summary: "Create a tenant and its first API key",
    description: "Protected by the operator's admin token (IDCONNECT_ADMIN_TOKEN). The key's secret is returned once.",
    auth: "admin",
    body: jsonBody(CreateTenantRequest),
    success: json(TenantCreated, 201),
    errors: []
  }),
  endpoint({
    name: "getTenant",
    method: "get",
    path: "/v1/tenant",
    tag: "Tenant",
    summary: "The tenant the API key belongs to",
    auth: "apiKey",
    success: json(TenantView),
    errors: []
  }),
  endpoint({
    name: "listApiKeys",
    method: "get",
    path: "/v1/api-keys",
    tag: "Tenant",
    summary: "List the tenant's API keys (never their secrets)",
    auth: "apiKey",
    success: json(ApiKeyList),
    errors: []
  }),
  endpoint({
    name: "createApiKey",
    method: "post",
    path: "/v1/api-keys",
    tag: "Tenant",
    summary: "Create another API key for the tenant",
    auth: "apiKey",
    body: jsonBody(CreateApiKeyRequest),
    success: json(ApiKeyCreated, 201),
    errors: []
  }),
  endpoint({
    name: "revokeApiKey",
    method: "delete",
    path: "/v1/api-keys/{keyId}",
    tag: "Tenant",
    summary: "Revoke an API key",
    auth: "apiKey",
    params: KeyParams,
    success: json(ApiKeyView),
    errors: ["not-found"]
  })
] as const
