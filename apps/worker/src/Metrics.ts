import * as Metric from "effect/Metric"

/**
 * Counters an operator scrapes from `/metrics` (Prometheus text). Plugins running in the worker
 * share the registry: `Metric.counter("idconnect_source_requests_total")` in plugin code (same
 * name, no description) adds to the series exported here.
 */
export const runsTotal = Metric.counter("idconnect_runs_total", { description: "Runs finished by this worker, by kind and outcome" })
export const recordsTotal = Metric.counter("idconnect_records_total", { description: "Records committed to staging, by type" })
export const checkpointsTotal = Metric.counter("idconnect_checkpoints_total", { description: "Checkpoints committed" })
export const retriesTotal = Metric.counter("idconnect_retries_total", {
  description: "Retries: extraction attempts resumed after a transient failure, and job retries"
})
export const activeRuns = Metric.gauge("idconnect_runs_active", { description: "Runs this worker is executing" })
export const sourceRequests = Metric.counter("idconnect_source_requests_total")
export const sourceResourceUnits = Metric.counter("idconnect_source_resource_units_total")
export const sourceThrottled = Metric.counter("idconnect_source_throttled_total")

/** Every series, so a scrape shows them at 0 before anything happened. */
export const allMetrics = [runsTotal, recordsTotal, checkpointsTotal, retriesTotal, activeRuns, sourceRequests, sourceResourceUnits, sourceThrottled]

export const count = (metric: Metric.Metric<number, any>, attributes: Record<string, string> = {}, by = 1) =>
  Metric.update(Metric.withAttributes(metric, attributes), by)
