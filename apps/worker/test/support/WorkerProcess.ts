import { spawn, type ChildProcess } from "node:child_process"
import * as readline from "node:readline"

const MAIN = new URL("../../src/main.ts", import.meta.url).pathname

export interface LogLine {
  readonly message: unknown
  readonly level: string
  readonly annotations: Record<string, unknown>
}

/**
 * A real worker process (`apps/worker/src/main.ts` on this Node, with the source condition), whose
 * JSON log lines are the events a test waits on. Everything it printed is kept for the secret scan.
 */
export interface WorkerProcess {
  readonly pid: number
  readonly output: () => string
  readonly waitFor: (predicate: (line: LogLine) => boolean, label: string) => Promise<LogLine>
  readonly kill: (signal: NodeJS.Signals) => void
  /** Resolves with the exit code (or the signal that ended it) once all its output has been read. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

export const spawnWorker = (env: Record<string, string>, args: ReadonlyArray<string>): WorkerProcess => {
  const child: ChildProcess = spawn(process.execPath, ["--conditions=@idconnect/source", MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const lines: Array<LogLine> = []
  let waiters: Array<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = []
  // "close", not "exit": Node may emit "exit" while the pipes still hold the last lines the worker
  // printed; "close" comes once stdout and stderr have ended, so every line has been read by then.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal }))
  )
  const onLine = (text: string) => {
    output += `${text}\n`
    let line: LogLine
    try {
      line = JSON.parse(text) as LogLine
    } catch {
      return
    }
    lines.push(line)
    const ready = waiters.filter((w) => w.predicate(line))
    waiters = waiters.filter((w) => !ready.includes(w))
    for (const w of ready) w.resolve(line)
  }
  readline.createInterface({ input: child.stdout! }).on("line", onLine)
  readline.createInterface({ input: child.stderr! }).on("line", (text) => (output += `${text}\n`))
  return {
    pid: child.pid!,
    output: () => output,
    waitFor: (predicate, label) => {
      const seen = lines.find(predicate)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve })
        void exited.then(({ code, signal }) =>
          reject(new Error(`Worker exited (${code ?? signal}) before logging: ${label}\n${output.slice(-4000)}`))
        )
      })
    },
    kill: (signal) => void child.kill(signal),
    exited
  }
}

/** A log line about one run with this message (or message prefix). */
export const runLog = (runId: string, message: string) => (line: LogLine) =>
  line.annotations?.runId === runId && typeof line.message === "string" && line.message.startsWith(message)
