import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * Starts one of the product's apps (`apps/api`, `apps/worker`) as its own process, from source, the
 * way `npm run api` / `npm run worker` do, with the bench's database and key in its environment.
 * Its output goes to stderr prefixed with the label (the worker's JSON logs included).
 */
export interface AppProcess {
  readonly pid: number
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  readonly stop: () => Promise<void>
}

const REPO = new URL("../../../", import.meta.url)

export const startApp = (
  app: "api" | "worker",
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  label: string,
  onLine: (line: string) => void = () => undefined
): AppProcess => {
  const main = fileURLToPath(new URL(`apps/${app}/src/main.ts`, REPO))
  const child: ChildProcess = spawn(process.execPath, ["--conditions=@idconnect/source", main, ...args], {
    cwd: fileURLToPath(REPO),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = ""
    stream.setEncoding("utf8")
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n")
      partial = lines.pop() ?? ""
      for (const line of lines) {
        onLine(line)
        if (process.env.BENCH_VERBOSE === "1" || /error|fatal/i.test(line)) process.stderr.write(`  [${label}] ${line.slice(0, 400)}\n`)
      }
    })
  }
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/** Starts the API on a free loopback port and resolves with its base URL once it listens. */
export const startApi = (env: Readonly<Record<string, string>>, label = "api"): Promise<AppProcess & { readonly url: string }> =>
  new Promise((resolve, reject) => {
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      void proc.stop()
      reject(new Error("the API did not start within 60 s"))
    }, 60_000)
    const proc = startApp("api", [], { IDCONNECT_API_HOST: "127.0.0.1", IDCONNECT_API_PORT: "0", ...env }, label, (line) => {
      const m = /listening on (http:\/\/\S+)/u.exec(line)
      if (m !== null && !settled) {
        settled = true
        clearTimeout(timer)
        resolve({ ...proc, url: m[1]! })
      }
    })
  })
