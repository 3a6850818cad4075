import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * Runs a measured piece of work in its own Node process, so its peak memory is its own (the
 * simulator and the harness live in the parent). Protocol: the parent writes the input as JSON to
 * the child's stdin; the child ends by printing one line `BENCH_RESULT {"result":...,"maxRssKb":...,"cpuMs":...}`
 * on stdout (see `ChildMain.ts`). Everything else the child prints is passed through to stderr,
 * prefixed with its label.
 */

const MARKER = "BENCH_RESULT "

export interface ChildOutcome<R> {
  readonly result: R
  /** Peak resident set size of the child (`process.resourceUsage().maxRSS`), in KiB. */
  readonly maxRssKb: number
  /** CPU time (user + system) the child used, in ms: with the wall time, says whether it was CPU-bound. */
  readonly cpuMs: number
}

export interface ChildOptions {
  /** Shown in front of the child's output lines and in errors. */
  readonly label: string
  /** Extra environment for the child. */
  readonly env?: Readonly<Record<string, string>>
  /** The child is killed (and the promise rejects) after this long. */
  readonly timeoutMs: number
}

/** Splits the child's stdout into the result line and pass-through lines. Exported for the smoke test. */
export const parseChildOutput = <R>(stdout: string): ChildOutcome<R> | undefined => {
  const line = stdout.split("\n").reverse().find((l) => l.startsWith(MARKER))
  if (line === undefined) return undefined
  const parsed = JSON.parse(line.slice(MARKER.length)) as { result: R; maxRssKb: number; cpuMs?: number }
  return { result: parsed.result, maxRssKb: parsed.maxRssKb, cpuMs: parsed.cpuMs ?? Number.NaN }
}

export const formatResultLine = (result: unknown, maxRssKb: number, cpuMs: number): string => `${MARKER}${JSON.stringify({ result, maxRssKb, cpuMs })}\n`

/** Starts `script` (a .ts file, run from source) with `input` on stdin and waits for its result. */
export const runChild = <R>(script: URL, input: unknown, options: ChildOptions): Promise<ChildOutcome<R>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@idconnect/source", fileURLToPath(script)], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env }
    })
    let stdout = ""
    let partial = ""
    const relay = (chunk: string, sink: "out" | "err") => {
      const text = (sink === "out" ? partial : "") + chunk
      const lines = text.split("\n")
      if (sink === "out") partial = lines.pop() ?? ""
      for (const line of lines) {
        if (line === "" || line.startsWith(MARKER)) continue
        process.stderr.write(`  [${options.label}] ${line}\n`)
      }
    }
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      relay(chunk, "out")
    })
    child.stderr.on("data", (chunk: string) => relay(chunk, "err"))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${options.label}: no result within ${Math.round(options.timeoutMs / 1000)} s; stopped it`))
    }, options.timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const outcome = parseChildOutput<R>(stdout)
      if (code === 0 && outcome !== undefined) resolve(outcome)
      else reject(new Error(`${options.label}: exited with ${signal ?? `code ${code}`} without a result`))
    })
    child.stdin.end(JSON.stringify(input))
  })
