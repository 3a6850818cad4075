import { API_VERSION, apiEndpoints } from "../contract/Api.ts"
import { renderDocsPage } from "./DocsPage.ts"
import { makeOpenApiDocument } from "./OpenApiDocument.ts"

const DESCRIPTION =
  "idconnect pulls users, groups, roles, apps and who-has-what from identity systems into one store, keeps it fresh, and changes access safely. " +
  "Every endpoint except the public ones and the admin bootstrap is scoped to the tenant of the API key."

let cached: { json: string; html: string } | undefined

/** The API's OpenAPI document (as JSON text) and reference page, built once from `apiEndpoints`. */
export const apiDocument = (): { readonly json: string; readonly html: string } => {
  if (cached === undefined) {
    const doc = makeOpenApiDocument(apiEndpoints, { title: "idconnect API", version: API_VERSION, description: DESCRIPTION })
    cached = { json: JSON.stringify(doc, null, 2), html: renderDocsPage(doc) }
  }
  return cached
}
