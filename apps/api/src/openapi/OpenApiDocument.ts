import * as JsonSchema from "effect/JsonSchema"
import type * as Schema from "effect/Schema"
import * as SchemaRepresentation from "effect/SchemaRepresentation"
import type { AnyEndpoint } from "../contract/Endpoint.ts"
import { PROBLEM_CODES, Problem, type ProblemCode } from "../contract/Problem.ts"

export interface OpenApiInfo {
  readonly title: string
  readonly version: string
  readonly description: string
}

type Json = Record<string, unknown>

/** Problems any endpoint of a kind can answer with, besides the ones it lists itself. */
const implicitErrors = (e: AnyEndpoint): Array<ProblemCode> => {
  const out: Array<ProblemCode> = ["internal"]
  if (e.auth === "apiKey") out.push("unauthorized", "rate-limited")
  if (e.auth === "admin") out.push("unauthorized")
  if (e.params !== undefined || e.query !== undefined) out.push("validation-failed")
  if (e.body?.kind === "json") out.push("validation-failed", "invalid-json", "json-too-deep", "payload-too-large", "unsupported-media-type")
  if (e.body?.kind === "raw") out.push("payload-too-large", "unsupported-media-type")
  return out
}

const SECURITY: Record<AnyEndpoint["auth"], ReadonlyArray<Json>> = {
  apiKey: [{ ApiKeyId: [], ApiKeySecret: [] }],
  admin: [{ AdminToken: [] }],
  signedUrl: [{ SignedUrlToken: [] }],
  public: []
}

/**
 * Generates the OpenAPI 3.1 document from the endpoint list and the Effect Schemas the endpoints
 * carry: one JSON Schema compilation for all of them, so shared types (Entity, Integration,
 * Problem, ...) become `components.schemas` referenced by `$ref`. Nothing here is hand-written per
 * route: a route that exists is documented, a route that does not cannot be.
 */
export const makeOpenApiDocument = (endpoints: ReadonlyArray<AnyEndpoint>, info: OpenApiInfo): Json => {
  // Collect every schema once, in a fixed order, then compile them together.
  const schemas: Array<Schema.Top> = [Problem]
  const index = new Map<Schema.Top, number>()
  const add = (s: Schema.Top | undefined) => {
    if (s === undefined || index.has(s)) return
    index.set(s, schemas.length)
    schemas.push(s)
  }
  index.set(Problem, 0)
  for (const e of endpoints) {
    add(e.params)
    add(e.query)
    if (e.body?.kind === "json") add(e.body.schema)
    if (e.success.kind === "json") add(e.success.schema)
  }
  const representations = SchemaRepresentation.toRepresentations(
    schemas.map((s) => s.ast) as [Schema.Top["ast"], ...Array<Schema.Top["ast"]>]
  )
  const compiled = JsonSchema.toMultiDocumentOpenApi3_1(
    SchemaRepresentation.toJsonSchemaMultiDocument(representations, {
      onExcessProperty: "error",
      includeAnnotationKey: (key) => key.startsWith("x-")
    })
  )
  const definitions = compiled.definitions as Record<string, Json>
  const jsonSchemaOf = (s: Schema.Top): Json => compiled.schemas[index.get(s)!] as Json
  const resolve = (js: Json): Json => {
    const ref = js.$ref
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      return definitions[ref.slice("#/components/schemas/".length)] ?? js
    }
    return js
  }

  const parameters = (s: Schema.Top | undefined, where: "path" | "query"): Array<Json> => {
    if (s === undefined) return []
    const obj = resolve(jsonSchemaOf(s))
    const props = (obj.properties ?? {}) as Record<string, Json>
    const required = new Set((obj.required ?? []) as Array<string>)
    return Object.entries(props).map(([name, schema]) => ({
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof schema.description === "string" ? { description: schema.description } : {}),
      schema
    }))
  }

  const problemRef = { $ref: "#/components/schemas/Problem" }
  const paths: Record<string, Record<string, Json>> = {}
  for (const e of endpoints) {
    const responses: Record<string, Json> = {}
    const s = e.success
    responses[String(s.status)] =
      s.kind === "json"
        ? { description: e.summary, content: { "application/json": { schema: jsonSchemaOf(s.schema) } } }
        : s.kind === "raw"
          ? { description: s.description, content: { [s.contentType]: { schema: { type: "string" } } } }
          : { description: s.description }
    const byStatus = new Map<number, Set<ProblemCode>>()
    for (const code of [...e.errors, ...implicitErrors(e)]) {
      const status = PROBLEM_CODES[code].status
      const set = byStatus.get(status) ?? new Set()
      set.add(code)
      byStatus.set(status, set)
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: [...codes].map((c) => `\`${c}\`: ${PROBLEM_CODES[c].title}`).join("; "),
        content: { "application/problem+json": { schema: problemRef } }
      }
    }
    const operation: Json = {
      operationId: e.name,
      tags: [e.tag],
      summary: e.summary,
      ...(e.description !== undefined ? { description: e.description } : {}),
      security: SECURITY[e.auth],
      parameters: [
        ...parameters(e.params, "path"),
        ...parameters(e.query, "query"),
        ...(e.headers ?? []).map((h) => ({
          name: h.name,
          in: "header",
          required: h.required === true,
          description: h.description,
          schema: { type: "string" }
        }))
      ],
      responses
    }
    if (e.body?.kind === "json") {
      operation.requestBody = { required: true, content: { "application/json": { schema: jsonSchemaOf(e.body.schema) } } }
    } else if (e.body?.kind === "raw") {
      operation.requestBody = {
        required: true,
        description: e.body.description,
        content: Object.fromEntries(e.body.contentTypes.map((t: string) => [t, { schema: { type: "string", format: "binary" } }]))
      }
    }
    const item = (paths[e.path] ??= {})
    item[e.method] = operation
    if (e.method === "get" && e.alsoHead === true) {
      item.head = { ...operation, operationId: `${e.name}Head`, summary: `${e.summary} (status only)` }
    }
  }

  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/" }],
    tags: [...new Set(endpoints.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: definitions,
      securitySchemes: {
        ApiKeyId: { type: "apiKey", in: "header", name: "X-Api-Key-ID", description: "The API key's id" },
        ApiKeySecret: { type: "apiKey", in: "header", name: "X-Api-Key-Secret", description: "The API key's secret" },
        AdminToken: { type: "http", scheme: "bearer", description: "The operator's IDCONNECT_ADMIN_TOKEN" },
        SignedUrlToken: { type: "apiKey", in: "query", name: "token", description: "The signed token of an upload or download URL (download URLs carry it in the path)" }
      }
    }
  }
}
