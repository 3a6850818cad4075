import type { LazyLog } from "../../tenant/Directory.ts"
import type { RiskDetectionRecord, RiskyUserRecord } from "../../tenant/Records.ts"
import { type ListSpec, listCollection, singleObject } from "../Collection.ts"
import { parseQuery } from "../Query.ts"
import type { GraphContext, GraphResponse } from "../Context.ts"
import { notFound } from "../GraphError.ts"
import type { FilterExpr } from "../ODataFilter.ts"
import { PERMS, requireAny, requireAuditLog, requirePremium } from "../Permissions.ts"
import { route, type Route } from "../Router.ts"
import { DIRECTORY_AUDIT, type EntitySchema, RISK_DETECTION, RISKY_USER, SIGN_IN } from "../Schemas.ts"
import { arrayItems } from "./Shared.ts"

/** Index window [lo, hi) of a newest-first log implied by top-level `and`-ed time bounds of a filter. */
const timeWindow = <R>(log: LazyLog<R>, timeProp: string, filter: FilterExpr | undefined): { lo: number; hi: number } => {
  let newest = Infinity
  let oldest = -Infinity
  const visit = (e: FilterExpr): void => {
    if (e.t === "and") {
      visit(e.l)
      visit(e.r)
    } else if (e.t === "cmp" && e.path.toLowerCase() === timeProp.toLowerCase() && (e.value.kind === "raw" || e.value.kind === "string")) {
      const ms = Date.parse(e.value.value)
      if (Number.isNaN(ms)) return
      if (e.op === "ge" || e.op === "gt") oldest = Math.max(oldest, ms)
      if (e.op === "le" || e.op === "lt") newest = Math.min(newest, ms)
    }
  }
  if (filter !== undefined) visit(filter)
  // timeAt is non-increasing: entries newer than `newest` come first, entries older than `oldest` last.
  const first = (pred: (i: number) => boolean): number => {
    let lo = 0
    let hi = log.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (pred(mid)) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const lo = newest === Infinity ? 0 : first((i) => log.timeAt(i) <= newest)
  const hi = oldest === -Infinity ? log.count : first((i) => log.timeAt(i) < oldest)
  return { lo, hi }
}

const logSpec = <R>(ctx: GraphContext, log: LazyLog<R>, schema: EntitySchema, context: string, timeProp: string): ListSpec<R> => ({
  schema,
  context,
  items: function* (from) {
    const q = ctx.req.query.get("$filter")
    const window = q === undefined ? { lo: 0, hi: log.count } : timeWindow(log, timeProp, parseQuery(ctx.req).filter)
    for (let i = Math.max(from, window.lo); i < window.hi; i++) yield [i, log.at(i)] as const
  },
  toGraph: (r) => r as unknown as Record<string, unknown>,
  paging: { default: 1000, max: 1000 }
})

/** Reports need an Entra ID P1/P2 tenant and AuditLog.Read.All. */
const gateReports = (ctx: GraphContext): void => {
  requirePremium(ctx)
  requireAuditLog(ctx)
}

const directoryAudits = (ctx: GraphContext): GraphResponse => {
  gateReports(ctx)
  return listCollection(ctx, logSpec(ctx, ctx.dir.directoryAudits, DIRECTORY_AUDIT, "auditLogs/directoryAudits", "activityDateTime"))
}

const signIns = (ctx: GraphContext): GraphResponse => {
  gateReports(ctx)
  return listCollection(ctx, logSpec(ctx, ctx.dir.signIns, SIGN_IN, "auditLogs/signIns", "createdDateTime"))
}

const logEntry = <R extends { id: string }>(ctx: GraphContext, log: LazyLog<R>, schema: EntitySchema, context: string, indexOf: (id: string) => number): GraphResponse => {
  gateReports(ctx)
  const i = indexOf(ctx.params[0])
  if (i < 0 || i >= log.count || log.at(i).id !== ctx.params[0]) throw notFound(ctx.params[0])
  return singleObject(ctx, schema, context, log.at(i) as unknown as Record<string, unknown>)
}

/** Generated ids end with the entry index (audits: `_<i>`; sign-ins: last GUID group in hex). */
const auditIndex = (id: string): number => Number(/_(\d+)$/.exec(id)?.[1] ?? -1)
const signInIndex = (id: string): number => (/^[0-9a-f-]{24}([0-9a-f]{12})$/i.test(id) ? parseInt(id.slice(24), 16) : -1)

const riskyUsers = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRiskyUsers)
  requirePremium(ctx, "P2")
  return listCollection(ctx, {
    schema: RISKY_USER,
    context: "identityProtection/riskyUsers",
    items: (from) => arrayItems<RiskyUserRecord>(ctx.dir.riskyUsers, from),
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: { default: 20, max: 500 }
  })
}

const riskyUser = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRiskyUsers)
  requirePremium(ctx, "P2")
  const r = ctx.dir.riskyUsers.find((x) => x.id === ctx.params[0].toLowerCase())
  if (r === undefined) throw notFound(ctx.params[0])
  return singleObject(ctx, RISKY_USER, "identityProtection/riskyUsers/$entity", r as unknown as Record<string, unknown>)
}

const riskDetections = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRiskDetections)
  requirePremium(ctx, "P1")
  return listCollection(ctx, {
    schema: RISK_DETECTION,
    context: "identityProtection/riskDetections",
    items: (from) => arrayItems<RiskDetectionRecord>(ctx.dir.riskDetections, from),
    toGraph: (r) => r as unknown as Record<string, unknown>,
    paging: { default: 20, max: 500 }
  })
}

const riskDetection = (ctx: GraphContext): GraphResponse => {
  requireAny(ctx, PERMS.readRiskDetections)
  requirePremium(ctx, "P1")
  const r = ctx.dir.riskDetections.find((x) => x.id === ctx.params[0])
  if (r === undefined) throw notFound(ctx.params[0])
  return singleObject(ctx, RISK_DETECTION, "identityProtection/riskDetections/$entity", r as unknown as Record<string, unknown>)
}

export const reportsRoutes = (): Route[] => [
  route("GET", "/auditLogs/directoryAudits", directoryAudits, { limit: "reports" }),
  route("GET", "/auditLogs/directoryAudits/{id}", (ctx) => logEntry(ctx, ctx.dir.directoryAudits, DIRECTORY_AUDIT, "auditLogs/directoryAudits/$entity", auditIndex), { limit: "reports" }),
  route("GET", "/auditLogs/signIns", signIns, { limit: "reports" }),
  route("GET", "/auditLogs/signIns/{id}", (ctx) => logEntry(ctx, ctx.dir.signIns, SIGN_IN, "auditLogs/signIns/$entity", signInIndex), { limit: "reports" }),
  route("GET", "/identityProtection/riskyUsers", riskyUsers, { limit: "identityProtection" }),
  route("GET", "/identityProtection/riskyUsers/{id}", riskyUser, { limit: "identityProtection" }),
  route("GET", "/identityProtection/riskDetections", riskDetections, { limit: "identityProtection" }),
  route("GET", "/identityProtection/riskDetections/{id}", riskDetection, { limit: "identityProtection" })
]
