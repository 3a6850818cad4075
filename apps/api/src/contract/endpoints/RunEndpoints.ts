import { RunView } from "@idconnect/schemas/Run"
import { endpoint, json, jsonBody } from "../Endpoint.ts"
import { IntegrationParams, RunParams } from "../IntegrationPatch.ts"
import { RunList, RunListQuery, TriggerSyncRequest } from "../RunRequests.ts"

export const runEndpoints = [
  endpoint({
    name: "triggerSync",
    method: "post",
    path: "/v1/integrations/{id}/runs",
    tag: "Runs",
    summary: "Trigger a sync (queued; a worker runs it)",
    auth: "apiKey",
    params: IntegrationParams,
    body: jsonBody(TriggerSyncRequest),
    success: json(RunView, 202),
    errors: ["not-found", "conflict", "unsupported"]
  }),
  endpoint({
    name: "listRuns",
    method: "get",
    path: "/v1/integrations/{id}/runs",
    tag: "Runs",
    summary: "The integration's runs, newest first",
    auth: "apiKey",
    params: IntegrationParams,
    query: RunListQuery,
    success: json(RunList),
    errors: ["not-found"]
  }),
  endpoint({
    name: "getRun",
    method: "get",
    path: "/v1/integrations/{id}/runs/{runId}",
    tag: "Runs",
    summary: "A run's progress and report: counts, warnings (skipped streams), error",
    auth: "apiKey",
    params: RunParams,
    success: json(RunView),
    errors: ["not-found"]
  }),
  endpoint({
    name: "cancelRun",
    method: "post",
    path: "/v1/integrations/{id}/runs/{runId}/cancel",
    tag: "Runs",
    summary: "Cancel a queued or running run (its data is not published)",
    auth: "apiKey",
    params: RunParams,
    success: json(RunView, 202),
    errors: ["not-found", "conflict"]
  })
] as const
