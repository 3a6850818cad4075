import { spawn, type ChildProcess } from "node:child_process"
import { resolve } from "node:path"

/** The repository root, for spawning the apps' entry files. */
export const repoRoot = resolve(import.meta.dirname, "../../..")

export interface RunningProcess {
  readonly child: ChildProcess
  /** Everything the process wrote so far (stdout and stderr interleaved), for assertions and failure messages. */
  readonly output: () => string
  /** Resolves with the first match of `pattern` in the output, as soon as it appears. */
  readonly waitFor: (pattern: RegExp, what: string) => Promise<RegExpMatchArray>
  /** Sends a signal and resolves with the exit code (or the signal that ended it) once all output is read. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Starts a TypeScript entry of the repo as its own Node process (the Node running the tests, with
 * the source condition), like `npm run api` does. Waits on output, never on time.
 */
export const startProcess = (
  entry: string,
  env: Record<string, string | undefined>,
  name = entry,
  args: ReadonlyArray<string> = []
): RunningProcess => {
  const child = spawn(process.execPath, ["--conditions=@idconnect/source", resolve(repoRoot, entry), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const listeners = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8")
    for (const l of listeners) l()
  }
  child.stdout!.on("data", onData)
  child.stderr!.on("data", onData)
  // "close", not "exit": Node may emit "exit" while the pipes still hold the last output (the demo
  // prints "Stopped." right before it exits); "close" comes once stdout and stderr have ended.
  let closed = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("close", (code, signal) => {
      closed = true
      for (const l of listeners) l()
      done({ code, signal })
    })
  )
  const waitFor = (pattern: RegExp, what: string) =>
    new Promise<RegExpMatchArray>((resolvePromise, reject) => {
      const check = () => {
        const match = output.match(pattern)
        if (match !== null) {
          listeners.delete(check)
          resolvePromise(match)
        } else if (closed) {
          listeners.delete(check)
          reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${what}. Output:\n${output}`))
        }
      }
      listeners.add(check)
      check()
    })
  return {
    child,
    output: () => output,
    waitFor,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    }
  }
}
