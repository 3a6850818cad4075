import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { count, runsTotal } from "../src/Metrics.ts"
import { metricsServer, OtlpTracing } from "../src/Observability.ts"

/** A stand-in OTLP/HTTP collector on 127.0.0.1 that records what it receives. */
const collector = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ url: string; bodies: Array<string>; server: http.Server; received: Promise<void> }>((resolve) => {
        const bodies: Array<string> = []
        let signal!: () => void
        const received = new Promise<void>((r) => (signal = r))
        const server = http.createServer((req, res) => {
          let body = ""
          req.on("data", (c) => (body += c))
          req.on("end", () => {
            bodies.push(`${req.url} ${body}`)
            res.writeHead(200, { "content-type": "application/json" }).end("{}")
            signal()
          })
        })
        server.listen(0, "127.0.0.1", () =>
          resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server, received })
        )
      })
  ),
  (c) => Effect.promise(() => new Promise<void>((r) => c.server.close(() => r())))
)

describe("observability", () => {
  it.live("exports spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set", () =>
    Effect.gen(function* () {
      const otlp = yield* collector
      const config = ConfigProvider.layer(ConfigProvider.fromUnknown({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }))
      // Building and closing the layer flushes the exporter.
      yield* Effect.scoped(
        Effect.provide(
          Effect.void.pipe(Effect.withSpan("Worker.run", { attributes: { runId: "run_test" } })),
          OtlpTracing("idconnect-worker-test").pipe(Layer.provide(config))
        )
      )
      yield* Effect.promise(() => otlp.received)
      assert.match(otlp.bodies[0]!, /^\/v1\/traces /)
      assert.include(otlp.bodies.join("\n"), "Worker.run")
      assert.include(otlp.bodies.join("\n"), "run_test")
    }))

  it.live("serves Prometheus text on /metrics and a health check", () =>
    Effect.gen(function* () {
      const port = yield* metricsServer(0, "127.0.0.1")
      yield* count(runsTotal, { kind: "extract", outcome: "succeeded" })
      const metrics = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      assert.match(metrics, /# TYPE idconnect_runs_total counter/)
      assert.match(metrics, /idconnect_runs_total\{kind="extract",outcome="succeeded"\} \d+/)
      assert.match(metrics, /idconnect_source_throttled_total 0/)
      const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status))
      assert.strictEqual(health, 200)
    }))
})
