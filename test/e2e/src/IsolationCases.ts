import { apiEndpoints, type EndpointName } from "@idconnect/api/contract/Api"

/** Ids of one tenant's resources, to try them with another tenant's key. */
export interface TenantResources {
  readonly integrationId: string
  readonly bulkIntegrationId: string
  readonly runId: string
  readonly planId: string
  readonly uploadId: string
  readonly apiKeyId: string
  readonly identitySourceId: string
  readonly groupSourceId: string
}

/**
 * What another tenant's key gets from an endpoint: `hidden` (404: the resource does not exist for
 * it), `own` (the endpoint works on the caller's own tenant, and must not show the other's data),
 * `public` / `admin` / `signed` (no API key involved: tried separately).
 */
export type Isolation = "hidden" | "own" | "public" | "admin" | "signed"

export interface IsolationCase {
  readonly isolation: Isolation
  readonly path: string
  readonly body?: unknown
  readonly rawBody?: { readonly contentType: string; readonly text: string }
}

const json = {}

/**
 * One case per endpoint of the API. Typed as a record over every endpoint name, so adding an
 * endpoint without deciding its isolation case does not compile (and the test also compares with
 * the registry at run time).
 */
export const isolationCases = (r: TenantResources): Record<EndpointName, IsolationCase> => {
  const i = `/v1/integrations/${r.integrationId}`
  const b = `/v1/integrations/${r.bulkIntegrationId}`
  return {
    getOpenApi: { isolation: "public", path: "/v1/openapi.json" },
    getDocs: { isolation: "public", path: "/v1/docs" },
    getHealth: { isolation: "public", path: "/v1/health" },
    createTenant: { isolation: "admin", path: "/v1/admin/tenants", body: { name: "Intruder" } },
    getTenant: { isolation: "own", path: "/v1/tenant" },
    listApiKeys: { isolation: "own", path: "/v1/api-keys" },
    createApiKey: { isolation: "own", path: "/v1/api-keys", body: { name: "probe" } },
    revokeApiKey: { isolation: "hidden", path: `/v1/api-keys/${r.apiKeyId}` },
    listPlugins: { isolation: "own", path: "/v1/plugins" },
    getPlugin: { isolation: "own", path: "/v1/plugins/entra" },
    listIntegrations: { isolation: "own", path: "/v1/integrations" },
    createIntegration: {
      isolation: "own",
      path: "/v1/integrations",
      body: { name: "Probe", app: "example", primaryOwner: { email: "probe@other.example" }, mode: "bulk", config: {} }
    },
    getIntegration: { isolation: "hidden", path: i },
    updateIntegration: { isolation: "hidden", path: i, body: { name: "Hijacked" } },
    deleteIntegration: { isolation: "hidden", path: i },
    testConnection: { isolation: "hidden", path: `${i}/test` },
    discoverIntegration: { isolation: "hidden", path: `${i}/catalog` },
    triggerSync: { isolation: "hidden", path: `${i}/runs`, body: json },
    listRuns: { isolation: "hidden", path: `${i}/runs` },
    getRun: { isolation: "hidden", path: `${i}/runs/${r.runId}` },
    cancelRun: { isolation: "hidden", path: `${i}/runs/${r.runId}/cancel` },
    listEntities: { isolation: "hidden", path: `${i}/entities` },
    listRelations: { isolation: "hidden", path: `${i}/entity-relations` },
    getEffectiveAccess: { isolation: "hidden", path: `${i}/effective-access?sourceId=${encodeURIComponent(r.identitySourceId)}` },
    getHolders: { isolation: "hidden", path: `${i}/holders?sourceId=${encodeURIComponent(r.groupSourceId)}` },
    getDiff: { isolation: "hidden", path: `${i}/diff?from=${r.runId}&to=${r.runId}` },
    exportEntities: { isolation: "hidden", path: `${i}/export/entities.csv` },
    exportRelations: { isolation: "hidden", path: `${i}/export/entity-relations.csv` },
    createPlan: {
      isolation: "hidden",
      path: `${i}/lifecycle/plans`,
      body: { operations: [{ operation: "disableUser", params: { userId: r.identitySourceId } }] }
    },
    getPlan: { isolation: "hidden", path: `${i}/lifecycle/plans/${r.planId}` },
    applyPlan: { isolation: "hidden", path: `${i}/lifecycle/plans/${r.planId}/apply` },
    listAudit: { isolation: "hidden", path: `${i}/audit` },
    createEntitiesUploadUrl: { isolation: "hidden", path: `${b}/entities/upload-url`, body: json },
    createRelationsUploadUrl: { isolation: "hidden", path: `${b}/entity-relations/upload-url`, body: json },
    putUpload: { isolation: "signed", path: `/v1/uploads/${r.uploadId}`, rawBody: { contentType: "text/csv", text: "x" } },
    getUpload: { isolation: "hidden", path: `${b}/uploads/${r.uploadId}` },
    postBatch: {
      isolation: "hidden",
      path: `${b}/batches`,
      body: { entities: [{ name: "X", entityType: "identity", sourceSystem: "x", sourceId: "x", sourceType: "user" }] }
    },
    uploadFiles: { isolation: "hidden", path: `${b}/uploads`, rawBody: { contentType: "text/csv", text: "x" } },
    createEntitiesDownloadUrl: { isolation: "hidden", path: `${i}/entities/download-url` },
    createRelationsDownloadUrl: { isolation: "hidden", path: `${i}/entity-relations/download-url` },
    getDownloadStatus: { isolation: "signed", path: "/v1/downloads/not-a-token/status" },
    download: { isolation: "signed", path: "/v1/downloads/not-a-token" }
  }
}

export const endpointByName = new Map(apiEndpoints.map((e) => [e.name as string, e]))
