import * as Schema from "effect/Schema"
import { endpoint, json } from "../Endpoint.ts"

export const Health = Schema.Struct({
  status: Schema.Literal("ok"),
  version: Schema.String
}).annotate({ identifier: "Health" })

/** Public endpoints: what a client needs before it has a key. */
export const metaEndpoints = [
  endpoint({
    name: "getOpenApi",
    method: "get",
    path: "/v1/openapi.json",
    tag: "Meta",
    summary: "This API's OpenAPI 3.1 document",
    auth: "public",
    success: { kind: "raw", status: 200, contentType: "application/json", description: "The OpenAPI document" },
    errors: []
  }),
  endpoint({
    name: "getDocs",
    method: "get",
    path: "/v1/docs",
    tag: "Meta",
    summary: "API reference page (HTML, self-contained)",
    auth: "public",
    success: { kind: "raw", status: 200, contentType: "text/html; charset=utf-8", description: "The API reference" },
    errors: []
  }),
  endpoint({
    name: "getHealth",
    method: "get",
    path: "/v1/health",
    tag: "Meta",
    summary: "Liveness: the API process answers",
    auth: "public",
    success: json(Health),
    errors: []
  })
] as const
