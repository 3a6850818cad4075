import { Catalog } from "@idconnect/schemas/Catalog"
import { CheckReport } from "@idconnect/schemas/CheckReport"
import { IntegrationInput, IntegrationView } from "@idconnect/schemas/Integration"
import * as Schema from "effect/Schema"
import { endpoint, json, jsonBody } from "../Endpoint.ts"
import { IntegrationParams, IntegrationPatch } from "../IntegrationPatch.ts"

export const IntegrationList = Schema.Struct({ items: Schema.Array(IntegrationView) }).annotate({ identifier: "IntegrationList" })

export const integrationEndpoints = [
  endpoint({
    name: "listIntegrations",
    method: "get",
    path: "/v1/integrations",
    tag: "Integrations",
    summary: "List the tenant's integrations with their status",
    auth: "apiKey",
    success: json(IntegrationList),
    errors: []
  }),
  endpoint({
    name: "createIntegration",
    method: "post",
    path: "/v1/integrations",
    tag: "Integrations",
    summary: "Create an integration",
    description:
      "`config` is validated against the JSON Schema of the plugin's mode (see GET /v1/plugins); errors name the field (`config.tenantId`). Secret fields are stored encrypted and never returned: the response shows `secrets: { clientSecret: \"set\" }`.",
    auth: "apiKey",
    body: jsonBody(IntegrationInput),
    success: json(IntegrationView, 201),
    errors: ["conflict"]
  }),
  endpoint({
    name: "getIntegration",
    method: "get",
    path: "/v1/integrations/{id}",
    tag: "Integrations",
    summary: "An integration, its status and message",
    auth: "apiKey",
    params: IntegrationParams,
    success: json(IntegrationView),
    errors: ["not-found"]
  }),
  endpoint({
    name: "updateIntegration",
    method: "patch",
    path: "/v1/integrations/{id}",
    tag: "Integrations",
    summary: "Update an integration; rotate a secret alone by sending just that config field",
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(IntegrationPatch),
    success: json(IntegrationView),
    errors: ["not-found", "conflict"]
  }),
  endpoint({
    name: "deleteIntegration",
    method: "delete",
    path: "/v1/integrations/{id}",
    tag: "Integrations",
    summary: "Delete an integration and its data",
    auth: "apiKey",
    params: IntegrationParams,
    success: { kind: "empty", status: 204, description: "Deleted" },
    errors: ["not-found", "conflict"]
  }),
  endpoint({
    name: "testConnection",
    method: "post",
    path: "/v1/integrations/{id}/test",
    tag: "Integrations",
    summary: "Test connection: runs the plugin's check with the stored credentials",
    description:
      "Answers 200 with a CheckReport whether or not the credentials work (`status` Connected or Error, findings with fixes); the integration's status and message are updated.",
    auth: "apiKey",
    params: IntegrationParams,
    success: json(CheckReport),
    errors: ["not-found", "unsupported", "config-invalid"]
  }),
  endpoint({
    name: "discoverIntegration",
    method: "get",
    path: "/v1/integrations/{id}/catalog",
    tag: "Integrations",
    summary: "What the integration can extract (entity and relation types, streams)",
    auth: "apiKey",
    params: IntegrationParams,
    success: json(Catalog),
    errors: ["not-found", "unsupported", "credentials-rejected", "permission-missing", "source-unavailable", "source-rate-limited"]
  })
] as const
