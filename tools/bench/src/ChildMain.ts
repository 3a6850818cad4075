import { formatResultLine } from "./ChildProcess.ts"

/**
 * The child side of `runChild`: reads the JSON input from stdin, runs `work`, prints the result
 * line with the process's peak RSS and CPU time and exits. A failure prints the error and exits 1, so the
 * parent reports the scenario as failed instead of hanging.
 */
export const childMain = <I, R>(work: (input: I) => Promise<R>): void => {
  const run = async () => {
    let text = ""
    process.stdin.setEncoding("utf8")
    for await (const chunk of process.stdin) text += chunk
    const result = await work(JSON.parse(text) as I)
    const usage = process.resourceUsage()
    process.stdout.write(formatResultLine(result, usage.maxRSS, (usage.userCPUTime + usage.systemCPUTime) / 1000), () => process.exit(0))
  }
  run().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  })
}
