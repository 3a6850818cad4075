type Json = Record<string, any>

const esc = (s: unknown): string =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)

const refName = (schema: Json | undefined): string => {
  if (schema === undefined) return ""
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop()
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`
  }
  return `<code>${esc(schema.type ?? "object")}</code>`
}

/**
 * A self-contained HTML reference rendered from the OpenAPI document (no scripts or styles fetched
 * from elsewhere, so it works offline): operations grouped by tag with their parameters, bodies,
 * responses and problem codes, then every schema.
 */
export const renderDocsPage = (doc: Json): string => {
  const byTag = new Map<string, Array<{ method: string; path: string; op: Json }>>()
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const tag = (op.tags?.[0] as string) ?? "Other"
      const list = byTag.get(tag) ?? []
      list.push({ method, path, op })
      byTag.set(tag, list)
    }
  }
  const auth = (op: Json): string => {
    const sec = op.security as Array<Json>
    if (sec.length === 0) return "public"
    const names = Object.keys(sec[0]!)
    return names.includes("ApiKeyId") ? "API key" : names.includes("AdminToken") ? "admin token" : "signed URL"
  }
  const sections = [...byTag].map(([tag, ops]) => {
    const items = ops.map(({ method, path, op }) => {
      const params = (op.parameters as Array<Json>)
        .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : ""}</td><td>${esc(p.description ?? "")} ${p.schema?.enum ? `(${p.schema.enum.map(esc).join(" | ")})` : ""}</td></tr>`)
        .join("")
      const body = op.requestBody
        ? `<p><b>Body</b>: ${Object.entries(op.requestBody.content as Json)
            .map(([type, c]) => `<code>${esc(type)}</code> ${refName((c as Json).schema)}`)
            .join(", ")}${op.requestBody.description ? ` — ${esc(op.requestBody.description)}` : ""}</p>`
        : ""
      const responses = Object.entries(op.responses as Json)
        .map(([status, r]) => {
          const content = r.content ? Object.entries(r.content as Json).map(([t, c]) => `<code>${esc(t)}</code> ${refName((c as Json).schema)}`).join(", ") : ""
          return `<tr><td>${esc(status)}</td><td>${esc(r.description)}</td><td>${content}</td></tr>`
        })
        .join("")
      return `<details id="op-${esc(op.operationId)}"><summary><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> — ${esc(op.summary)} <small>(${auth(op)})</small></summary>
<p>${esc(op.description ?? "")}</p><p><small>operationId <code>${esc(op.operationId)}</code></small></p>
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th></th></tr>${params}</table>` : ""}${body}
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses}</table></details>`
    })
    return `<h2>${esc(tag)}</h2>${items.join("\n")}`
  })
  const schemas = Object.entries(doc.components.schemas as Json)
    .map(([name, s]) => `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join("\n")
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} — API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
summary{cursor:pointer;padding:.3rem 0}details{border-bottom:1px solid #eee}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
.m{display:inline-block;min-width:4.5rem;font-weight:bold}.get{color:#0a6}.post{color:#06c}.patch{color:#a60}.delete{color:#c00}.put{color:#60a}.head{color:#666}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1). Authenticate with the <code>X-Api-Key-ID</code> and <code>X-Api-Key-Secret</code> headers. Errors are <code>application/problem+json</code> (RFC 9457) with a stable <code>type</code> per code.</p>
${sections.join("\n")}<h2>Schemas</h2>${schemas}</body></html>`
}
