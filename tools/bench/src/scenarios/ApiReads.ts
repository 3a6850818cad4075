import { Store } from "@idconnect/store/Store"
import { Tenants } from "@idconnect/store/Tenants"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { startApi } from "../AppProcess.ts"
import type { BenchContext, LargeTenantStore } from "../BenchContext.ts"
import { benchStoreSettings } from "../BenchStore.ts"
import { runChild } from "../ChildProcess.ts"
import type { LoadInput, LoadOutput } from "../children/LoadGeneratorChild.ts"
import { figure, type ScenarioReport } from "../Report.ts"
import { formatNumber, median } from "../Stats.ts"

/**
 * Scenario 5: read latency of the API on the large tenant's published data (left by scenario 1's
 * last full sync): an identity's effective access and "who has this group", each at a fixed request
 * rate from autocannon in a separate process, next to `GET /v1/health` (no auth, no database) at
 * the same rate: the floor of the HTTP stack and the load generator.
 */

const LOAD_CHILD = new URL("../children/LoadGeneratorChild.ts", import.meta.url)
const DEFAULT_RUNS = 3
export const RATE_PER_SECOND = 50
const CONNECTIONS = 10
const DURATION_SECONDS = 10

export const runApiReads = async (ctx: BenchContext, store: LargeTenantStore): Promise<ScenarioReport> => {
  const started = performance.now()
  const runs = ctx.runsFor(DEFAULT_RUNS)
  const key = await Effect.runPromise(
    Effect.scoped(
      Tenants.use((t) => t.createApiKey(store.tenantId, "bench")).pipe(Effect.provide(Store.layer(benchStoreSettings(store.databaseUrl, ctx.encryptionKey))))
    )
  )
  const headers = { "x-api-key-id": key.id, "x-api-key-secret": Redacted.value(key.secret) }
  ctx.log("scenario 5: starting the API on the large tenant's database")
  const api = await startApi({ DATABASE_URL: store.databaseUrl, IDCONNECT_ENCRYPTION_KEY: ctx.encryptionKey })
  try {
    const base = `${api.url}/v1/integrations/${store.integrationId}`
    const targets = {
      access: `${base}/effective-access?sourceId=${encodeURIComponent(store.identitySourceId)}&sourceType=user`,
      holders: `${base}/holders?sourceId=${encodeURIComponent(store.groupSourceId)}&sourceType=group`,
      health: `${api.url}/v1/health`
    }
    // One request each first: checks the answers and warms connections and query plans.
    const sizes: Record<string, number> = {}
    for (const [name, url] of Object.entries(targets)) {
      const res = await fetch(url, { headers })
      const body = (await res.json()) as { grants?: ReadonlyArray<unknown>; holders?: ReadonlyArray<unknown> }
      if (res.status !== 200) throw new Error(`${name}: GET ${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`)
      sizes[name] = (body.grants ?? body.holders ?? []).length
    }
    if (sizes.access === 0 || sizes.holders === 0) throw new Error(`the large tenant's data looks empty: ${JSON.stringify(sizes)}`)

    const results: Record<keyof typeof targets, Array<LoadOutput>> = { access: [], holders: [], health: [] }
    for (let i = 0; i < runs; i++) {
      for (const name of ["health", "access", "holders"] as const) {
        ctx.log(`scenario 5: ${name} #${i + 1}/${runs}, ${RATE_PER_SECOND} req/s for ${DURATION_SECONDS} s`)
        const out = await runChild<LoadOutput>(
          LOAD_CHILD,
          { url: targets[name], headers, ratePerSecond: RATE_PER_SECOND, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS } satisfies LoadInput,
          { label: `autocannon ${name}`, timeoutMs: (DURATION_SECONDS + 60) * 1000 }
        )
        const r = out.result
        if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts under load`)
        results[name].push(r)
        ctx.log(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${formatNumber(r.ratePerSecond)} req/s`)
      }
    }
    const health = { label: "GET /v1/health", runs: [] as Array<number> }
    const fig = (metric: string, name: "access" | "holders", p: "p50Ms" | "p99Ms") =>
      figure({
        metric,
        unit: "ms",
        ours: results[name].map((r) => r[p]),
        baseline: { ...health, runs: results.health.map((r) => r[p]) },
        ratio: "ours/baseline"
      })
    return {
      id: 5,
      title: "API reads on the large tenant's data",
      status: "ok",
      durationMs: performance.now() - started,
      figures: [
        fig("effective access of one identity, p50", "access", "p50Ms"),
        fig("effective access of one identity, p99", "access", "p99Ms"),
        fig("who has this group, p50", "holders", "p50Ms"),
        fig("who has this group, p99", "holders", "p99Ms"),
        figure({ metric: "achieved rate, effective access", unit: "req/s", ours: results.access.map((r) => r.ratePerSecond) }),
        figure({ metric: "achieved rate, who has this group", unit: "req/s", ours: results.holders.map((r) => r.ratePerSecond) })
      ],
      method: [
        `The API (apps/api, as \`npm run api\` starts it, default settings incl. the per-key rate limit) on the database of scenario 1's store-backed full sync; autocannon 9 in a separate process, ${CONNECTIONS} connections, a fixed overall rate of ${RATE_PER_SECOND} requests/s for ${DURATION_SECONDS} s per measurement (latency corrected for coordinated omission), API key authentication.`,
        `Effective access: \`GET /v1/integrations/{id}/effective-access?sourceId=...\` for the user with the most direct group memberships (first page: ${formatNumber(sizes.access)} grants). Who has this group: \`GET /v1/integrations/{id}/holders?sourceId=...\` for the group with the most members (${formatNumber(store.groupMembers)} direct members; first page: ${formatNumber(sizes.holders)} holders).`,
        "Baseline: `GET /v1/health` (no authentication, no database) at the same rate, measured in the same run; ratios are ours/health."
      ],
      findings: (["access", "holders"] as const).flatMap((name) => {
        const achieved = median(results[name].map((r) => r.ratePerSecond))
        return achieved < RATE_PER_SECOND * 0.9
          ? [
            `${name === "access" ? "Effective access" : "Who has this group"} sustained only ${formatNumber(achieved)} of the ${RATE_PER_SECOND} requests/s asked for with ${CONNECTIONS} connections: its latencies above are at saturation, not at ${RATE_PER_SECOND} requests/s.`
          ]
          : []
      })
    }
  } finally {
    await api.stop()
  }
}
