/**
 * What a command may touch of its process: output streams, environment and working directory.
 * `main.ts` passes the real process; tests pass buffers, so commands run in-process.
 */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Whether stderr is a terminal (progress then redraws one line instead of printing many). */
  readonly interactive: boolean
}

export const processIo = (): CliIo => ({
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  interactive: process.stderr.isTTY === true
})
