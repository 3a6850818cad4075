import type { GraphContext, GraphResponse } from "./Context.ts"
import { methodNotAllowed, segmentNotFound } from "./GraphError.ts"
import type { LimitClass } from "./Throttle.ts"

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE"

/** One Graph endpoint: method, path pattern, base resource-unit cost and limit family, handler. */
export interface Route {
  readonly method: Method
  /** e.g. `/groups/{id}/members/{cast}/$count` */
  readonly pattern: string
  readonly segments: ReadonlyArray<string>
  readonly ru: number
  readonly limit: LimitClass
  readonly handler: (ctx: GraphContext) => GraphResponse | Promise<GraphResponse>
}

export const route = (
  method: Method,
  pattern: string,
  handler: Route["handler"],
  options: { readonly ru?: number; readonly limit?: LimitClass } = {}
): Route => ({
  method,
  pattern,
  segments: pattern.split("/").filter((s) => s !== ""),
  ru: options.ru ?? 1,
  limit: options.limit ?? (method === "GET" ? "read" : "write"),
  handler
})

/**
 * Splits and normalises a Graph path: decoded segments, `delta()` / `microsoft.graph.delta` -> `delta`,
 * and OData key syntax `users('id')` -> `users/id`, `servicePrincipals(appId='x')` -> `servicePrincipals/appId=x`.
 */
export const pathSegments = (path: string): string[] =>
  path
    .split("/")
    .filter((s) => s !== "")
    .flatMap((s) => {
      let d = s
      try {
        d = decodeURIComponent(s)
      } catch {
        // keep the raw segment; it will not match a route
      }
      if (d.endsWith("()")) d = d.slice(0, -2)
      if (d.toLowerCase() === "microsoft.graph.delta") d = "delta"
      const key = /^([A-Za-z]+)\((?:([A-Za-z]+)=)?'([^']*)'\)$/.exec(d)
      if (key !== null) return [key[1], key[2] === undefined ? key[3] : `${key[2]}=${key[3]}`]
      return [d]
    })

const isCast = (s: string): boolean => /^microsoft\.graph\.[A-Za-z]+$/.test(s)

const tokenMatches = (token: string, seg: string): boolean => {
  if (token === "{id}") return !seg.startsWith("$") && !isCast(seg)
  if (token === "{cast}") return isCast(seg)
  return token.toLowerCase() === seg.toLowerCase()
}

export interface RouteMatch {
  readonly route: Route
  readonly params: ReadonlyArray<string>
  readonly cast: string | undefined
}

/** The route table. Literal segments win over `{id}` (so `/users/delta` is not a user id). */
export class Router {
  private readonly routes: ReadonlyArray<Route>

  constructor(routes: ReadonlyArray<Route>) {
    const specificity = (r: Route) => r.segments.filter((s) => !s.startsWith("{")).length
    this.routes = [...routes].sort((a, b) => specificity(b) - specificity(a))
  }

  /** Matches a request; throws Graph's 400 (unknown segment) or 405 (method) errors. */
  match(method: string, segs: ReadonlyArray<string>): RouteMatch {
    const shapeMatches = this.routes.filter((r) => r.segments.length === segs.length && r.segments.every((t, i) => tokenMatches(t, segs[i])))
    const found = shapeMatches.find((r) => r.method === method.toUpperCase())
    if (found !== undefined) {
      const params: string[] = []
      let cast: string | undefined
      found.segments.forEach((t, i) => {
        if (t === "{id}") params.push(segs[i])
        if (t === "{cast}") cast = segs[i]
      })
      return { route: found, params, cast }
    }
    if (shapeMatches.length > 0) throw methodNotAllowed()
    // Report the first segment no route knows at that position, as Graph does.
    for (let i = 0; i < segs.length; i++) {
      const prefixOk = this.routes.some((r) => r.segments.length > i && r.segments.slice(0, i + 1).every((t, j) => tokenMatches(t, segs[j])))
      if (!prefixOk) throw segmentNotFound(segs[i])
    }
    throw segmentNotFound(segs[segs.length - 1] ?? "")
  }
}
