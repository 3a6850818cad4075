import * as Metric from "effect/Metric"

/**
 * Counters an operator scrapes from `/metrics` (Prometheus text). What a source was charged comes
 * from the usage plugins report in their progress records; the worker adds it here, by plugin.
 */
export const runsTotal = Metric.counter("idconnect_runs_total", { description: "Runs finished by this worker, by kind and outcome" })
export const recordsTotal = Metric.counter("idconnect_records_total", { description: "Records committed to staging, by type" })
export const checkpointsTotal = Metric.counter("idconnect_checkpoints_total", { description: "Checkpoints committed" })
export const retriesTotal = Metric.counter("idconnect_retries_total", {
  description: "Retries: extraction attempts resumed after a transient failure, and job retries"
})
export const activeRuns = Metric.gauge("idconnect_runs_active", { description: "Runs this worker is executing" })
export const sourceRequests = Metric.counter("idconnect_source_requests_total", { description: "Requests sent to source systems, by plugin" })
export const sourceResourceUnits = Metric.counter("idconnect_source_resource_units_total", {
  description: "Cost units source systems charged (Graph resource units), by plugin"
})
export const sourceThrottled = Metric.counter("idconnect_source_throttled_total", { description: "Throttled answers (429) from source systems, by plugin" })

/** Every series, so a scrape shows them at 0 before anything happened. */
export const allMetrics = [runsTotal, recordsTotal, checkpointsTotal, retriesTotal, activeRuns, sourceRequests, sourceResourceUnits, sourceThrottled]

export const count = (metric: Metric.Metric<number, any>, attributes: Record<string, string> = {}, by = 1) =>
  Metric.update(Metric.withAttributes(metric, attributes), by)
