import { endpoint, json, jsonBody } from "../Endpoint.ts"
import { IntegrationParams } from "../IntegrationPatch.ts"
import { AuditPage, AuditQuery, PlanParams, PlanRequest, PlanView } from "../LifecycleViews.ts"

export const lifecycleEndpoints = [
  endpoint({
    name: "createPlan",
    method: "post",
    path: "/v1/integrations/{id}/lifecycle/plans",
    tag: "Lifecycle",
    summary: "Submit operations and get their dry-run plan (nothing changes yet)",
    description: "Needs `lifecycleEnabled: true` on the integration. Each operation's params are validated against the plugin's operation schema.",
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(PlanRequest),
    success: json(PlanView, 201),
    errors: ["not-found", "forbidden", "unsupported", "invalid-input", "credentials-rejected", "permission-missing", "source-unavailable"]
  }),
  endpoint({
    name: "getPlan",
    method: "get",
    path: "/v1/integrations/{id}/lifecycle/plans/{planId}",
    tag: "Lifecycle",
    summary: "A plan and, once applied, each operation's result",
    auth: "apiKey",
    params: PlanParams,
    success: json(PlanView),
    errors: ["not-found"]
  }),
  endpoint({
    name: "applyPlan",
    method: "post",
    path: "/v1/integrations/{id}/lifecycle/plans/{planId}/apply",
    tag: "Lifecycle",
    summary: "Apply a plan as a job; poll the plan (or its run) for results",
    auth: "apiKey",
    params: PlanParams,
    success: json(PlanView, 202),
    errors: ["not-found", "forbidden", "conflict"]
  }),
  endpoint({
    name: "listAudit",
    method: "get",
    path: "/v1/integrations/{id}/audit",
    tag: "Lifecycle",
    summary: "The integration's audit trail, newest first",
    auth: "apiKey",
    params: IntegrationParams,
    query: AuditQuery,
    success: json(AuditPage),
    errors: ["not-found"]
  })
] as const
