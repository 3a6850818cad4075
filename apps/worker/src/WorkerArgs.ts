import { parseArgs } from "node:util"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { WorkerOptions } from "./Worker.ts"

export interface WorkerCommand {
  readonly worker: WorkerOptions
  /** Port of the `/metrics` + `/healthz` server; null turns it off. */
  readonly metricsPort: number | null
}

const MODES: ReadonlyArray<ExtractionMode> = ["direct", "scim", "csv", "bulk"]

export const USAGE = `Usage: npm run worker -- [options]

  --modes <list>            modes to take jobs for: direct,scim,csv,bulk (default: all)
  --concurrency <n>         runs executed at once (default 2)
  --metrics-port <port>     Prometheus /metrics and /healthz on this port (default 9464; 0 = any free port; "off" = none)
  --worker-id <id>          name in logs and run history (default host:pid:random)
  --polling-seconds <s>     queue polling interval when idle (default 2)
  --busy-retry-seconds <s>  wait before retrying a job whose integration is already syncing (default 15)
  --no-schedules            do not turn integration schedules into runs

Environment: DATABASE_URL (unset: embedded PGlite in IDCONNECT_DATA_DIR), IDCONNECT_ENCRYPTION_KEY[_FILE],
IDCONNECT_JOB_* (retry/heartbeat policy), OTEL_EXPORTER_OTLP_ENDPOINT (traces), see apps/worker/README.md.`

/** A command-line mistake, named precisely. */
export class ArgsError extends Error {
  override readonly name = "ArgsError"
}

const positiveInt = (flag: string, text: string | undefined, fallback: number, min = 1): number => {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new ArgsError(`--${flag} must be an integer >= ${min}, got '${text}'`)
  return n
}

/** Parses `worker` flags (argv without node and script). Throws `ArgsError` on a bad flag. */
export const parseWorkerArgs = (argv: ReadonlyArray<string>): WorkerCommand | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      modes: { type: "string" },
      concurrency: { type: "string" },
      "metrics-port": { type: "string" },
      "worker-id": { type: "string" },
      "polling-seconds": { type: "string" },
      "busy-retry-seconds": { type: "string" },
      "no-schedules": { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help) return "help"
  const modes = (values.modes ?? MODES.join(",")).split(",").map((m) => m.trim()).filter((m) => m !== "")
  const unknown = modes.filter((m) => !MODES.includes(m as ExtractionMode))
  if (modes.length === 0 || unknown.length > 0) {
    throw new ArgsError(`--modes takes a comma-separated list of ${MODES.join(", ")}; unknown: ${unknown.join(", ") || "(empty)"}`)
  }
  const metrics = values["metrics-port"] ?? process.env.IDCONNECT_WORKER_METRICS_PORT
  return {
    worker: {
      modes: modes as Array<ExtractionMode>,
      concurrency: positiveInt("concurrency", values.concurrency, 2),
      ...(values["worker-id"] === undefined ? {} : { workerId: values["worker-id"] }),
      pollingIntervalSeconds: positiveInt("polling-seconds", values["polling-seconds"], 2),
      busyRetrySeconds: positiveInt("busy-retry-seconds", values["busy-retry-seconds"], 15),
      schedules: values["no-schedules"] !== true
    },
    metricsPort: metrics === "off" ? null : positiveInt("metrics-port", metrics, 9464, 0)
  }
}
