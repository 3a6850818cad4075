import { endpoint, json } from "../Endpoint.ts"
import {
  DiffQuery,
  EffectiveAccess,
  EffectiveAccessQuery,
  EntityPage,
  EntityQuery,
  ExportQuery,
  Holders,
  HoldersQuery,
  RelationPage,
  RelationQuery,
  SnapshotDiff
} from "../DataViews.ts"
import { IntegrationParams } from "../IntegrationPatch.ts"

export const dataEndpoints = [
  endpoint({
    name: "listEntities",
    method: "get",
    path: "/v1/integrations/{id}/entities",
    tag: "Data",
    summary: "Entities of the last published snapshot, filtered and paginated",
    auth: "apiKey",
    params: IntegrationParams,
    query: EntityQuery,
    success: json(EntityPage),
    errors: ["not-found"]
  }),
  endpoint({
    name: "listRelations",
    method: "get",
    path: "/v1/integrations/{id}/entity-relations",
    tag: "Data",
    summary: "Entity relations of the last published snapshot, filtered and paginated",
    auth: "apiKey",
    params: IntegrationParams,
    query: RelationQuery,
    success: json(RelationPage),
    errors: ["not-found"]
  }),
  endpoint({
    name: "getEffectiveAccess",
    method: "get",
    path: "/v1/integrations/{id}/effective-access",
    tag: "Data",
    summary: "An identity's effective access: direct and inherited grants, with paths",
    auth: "apiKey",
    params: IntegrationParams,
    query: EffectiveAccessQuery,
    success: json(EffectiveAccess),
    errors: ["not-found"]
  }),
  endpoint({
    name: "getHolders",
    method: "get",
    path: "/v1/integrations/{id}/holders",
    tag: "Data",
    summary: "Who has a given group, role or app role (directly or inherited)",
    auth: "apiKey",
    params: IntegrationParams,
    query: HoldersQuery,
    success: json(Holders),
    errors: ["not-found"]
  }),
  endpoint({
    name: "getDiff",
    method: "get",
    path: "/v1/integrations/{id}/diff",
    tag: "Data",
    summary: "What changed between two runs' snapshots",
    auth: "apiKey",
    params: IntegrationParams,
    query: DiffQuery,
    success: json(SnapshotDiff),
    errors: ["not-found", "gone"]
  }),
  endpoint({
    name: "exportEntities",
    method: "get",
    path: "/v1/integrations/{id}/export/entities.csv",
    tag: "Data",
    summary: "Export the snapshot's entities as CSV (BalkanID columns)",
    auth: "apiKey",
    params: IntegrationParams,
    query: ExportQuery,
    success: { kind: "raw", status: 200, contentType: "text/csv; charset=utf-8", description: "Entities CSV" },
    errors: ["not-found"]
  }),
  endpoint({
    name: "exportRelations",
    method: "get",
    path: "/v1/integrations/{id}/export/entity-relations.csv",
    tag: "Data",
    summary: "Export the snapshot's entity relations as CSV (BalkanID columns)",
    auth: "apiKey",
    params: IntegrationParams,
    query: ExportQuery,
    success: { kind: "raw", status: 200, contentType: "text/csv; charset=utf-8", description: "Entity relations CSV" },
    errors: ["not-found"]
  })
] as const
