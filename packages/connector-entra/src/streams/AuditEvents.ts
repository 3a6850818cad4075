import * as Effect from "effect/Effect"
import { eventEntity } from "../Mapping.ts"
import { forEachWindow, type Step, type StepContext } from "../Step.ts"

/**
 * Bounded windows of log events, kept as evidence next to the access data: directory audits
 * (changes to users, groups, roles, apps) and risk detections over `auditLogDays`, sign-ins over
 * `signInLogDays` (off by default: sign-ins are the largest log). The window start is fixed in the
 * run's state (`startedAt`) so a resumed run reads the same window. Audit and sign-in logs are paced at 5
 * requests per 10 s, risk detections at 1 per second; a missing licence skips the stream with a
 * warning.
 */
const eventsStep = (
  name: string,
  kind: "directoryAudit" | "signIn" | "riskDetection",
  days: (ctx: StepContext) => number,
  url: (since: string) => string
): Step => ({
  name,
  run: (ctx) =>
    Effect.gen(function* () {
      const d = days(ctx)
      if (d <= 0) return
      const since = encodeURIComponent(new Date(Date.parse(ctx.state.startedAt) - d * 86_400_000).toISOString())
      yield* forEachWindow(ctx, url(since), 1000, (items) => Effect.forEach(items, (raw) => ctx.entity(eventEntity(kind, raw)), { discard: true })).pipe(
        Effect.asVoid,
        Effect.catchIf(
          (e) => e.code === "LicenseMissing",
          (e) => ctx.warn(`${name}.license-missing`, `${name} skipped: ${e.message}`)
        )
      )
    })
})

export const directoryAuditsStep = eventsStep(
  "directoryAudits",
  "directoryAudit",
  (ctx) => ctx.options.auditLogDays,
  (since) => `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since}&$top=999`
)

export const signInsStep = eventsStep(
  "signIns",
  "signIn",
  (ctx) => ctx.options.signInLogDays,
  (since) => `/auditLogs/signIns?$filter=createdDateTime ge ${since}&$top=999`
)

export const riskDetectionsStep = eventsStep(
  "riskDetections",
  "riskDetection",
  (ctx) => ctx.options.auditLogDays,
  (since) => `/identityProtection/riskDetections?$filter=detectedDateTime ge ${since}&$top=500`
)
