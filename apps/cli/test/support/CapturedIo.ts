import type { CliIo } from "../../src/CliIo.ts"

/** A `CliIo` that records what the CLI prints, for running it in-process. */
export const capturedIo = (options: { readonly env?: Record<string, string>; readonly cwd?: string } = {}) => {
  const out: Array<string> = []
  const err: Array<string> = []
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interactive: false
  }
  return { io, stdout: () => out.join(""), stderr: () => err.join("") }
}
