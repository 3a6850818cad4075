import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as References from "effect/References"
import { FetchHttpClient } from "effect/http"
import { OtlpSerialization, OtlpTracer, PrometheusMetrics } from "effect/observability"
import { allMetrics } from "./Metrics.ts"

/**
 * Logs as one JSON object per line on stdout, with the fiber's annotations (runId, integrationId,
 * tenantId, jobId, workerId). Secrets are `Redacted` in memory and print as `<redacted>`.
 */
export const JsonLogs = Logger.layer([Logger.consoleJson])

/** `IDCONNECT_LOG_LEVEL` (Trace, Debug, Info, Warn, Error; default Info). Debug adds one line per checkpoint. */
export const LogLevelFromEnv = Layer.unwrap(
  Effect.map(Config.LogLevel("IDCONNECT_LOG_LEVEL").pipe(Config.withDefault("Info" as const)), (level) =>
    Layer.succeed(References.MinimumLogLevel, level)
  )
)

/**
 * Spans (runs, pages, Graph requests: whatever the code wraps in `Effect.withSpan` / `Effect.fn`)
 * exported over OTLP/HTTP (JSON) when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; nothing at all otherwise.
 */
export const OtlpTracing = (serviceName: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const traces = yield* Config.option(Config.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
      const base = yield* Config.option(Config.String("OTEL_EXPORTER_OTLP_ENDPOINT"))
      const name = yield* Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault(serviceName))
      const url = Option.isSome(traces)
        ? traces.value
        : Option.isSome(base)
          ? `${base.value.replace(/\/+$/, "")}/v1/traces`
          : undefined
      if (url === undefined || url === "") return Layer.empty
      return OtlpTracer.layer({ url, resource: { serviceName: name } }).pipe(
        Layer.provide(OtlpSerialization.layerJson),
        Layer.provide(FetchHttpClient.layer)
      )
    })
  )

/**
 * A small HTTP server for operators: `GET /metrics` (Prometheus text format) and `GET /healthz`.
 * Port 0 picks a free one; the chosen port is logged and returned.
 */
export const metricsServer = (port: number, host = "0.0.0.0") =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>()
    // Register every series at 0, so the first scrape already lists them.
    yield* Effect.forEach(allMetrics, (m) => Metric.update(m as Metric.Metric<number, unknown>, 0), { discard: true })
    const server = yield* Effect.acquireRelease(
      Effect.callback<http.Server, Error>((resume) => {
        const s = http.createServer((req, res) => {
          if (req.url === "/metrics") {
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" })
            res.end(PrometheusMetrics.formatUnsafe(context))
          } else if (req.url === "/healthz") {
            res.writeHead(200, { "content-type": "application/json" })
            res.end('{"status":"ok"}')
          } else {
            res.writeHead(404).end()
          }
        })
        s.once("error", (e) => resume(Effect.fail(e)))
        s.listen(port, host, () => resume(Effect.succeed(s)))
      }),
      (s) => Effect.callback<void>((resume) => void s.close(() => resume(Effect.void)))
    )
    const address = server.address() as AddressInfo
    yield* Effect.logInfo(`Metrics on http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}/metrics`)
    return address.port
  })
