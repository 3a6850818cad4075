import type { RunProgress } from "@idconnect/schemas/Run"
import type { CliIo } from "./CliIo.ts"

const number = (n: number) => n.toLocaleString("en-US")

/** "users: 1,234 entities, 5,678 relations (456.7/s)" */
export const progressLine = (p: RunProgress): string =>
  `${p.phase}: ${number(p.entities)} entities, ${number(p.relations)} relations${p.deletions > 0 ? `, ${number(p.deletions)} deletions` : ""} (${p.ratePerSecond}/s)`

/**
 * Shows extraction progress on stderr: one redrawn line on a terminal, otherwise a line at most
 * every few seconds (logs stay short), and always the last state when the run ends.
 */
export const makeProgressReporter = (io: CliIo) => {
  let lastShown = 0
  let last: RunProgress | undefined
  const show = (p: RunProgress) => {
    if (io.interactive) io.stderr(`\r\x1b[K${progressLine(p)}`)
    else io.stderr(`${progressLine(p)}\n`)
    lastShown = Date.now()
  }
  return {
    update: (p: RunProgress) => {
      last = p
      if (Date.now() - lastShown >= (io.interactive ? 200 : 5_000)) show(p)
    },
    finish: () => {
      if (last !== undefined) show(last)
      if (io.interactive) io.stderr("\n")
    }
  }
}
