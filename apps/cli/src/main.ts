// The `connector` CLI: `npm run connector -- <verb> [options]`. See Cli.ts for the verbs and
// ExitCode.ts for the exit codes. Ctrl-C interrupts the run (extract keeps its checkpoint) and
// exits 130.
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { cliProgram } from "./Cli.ts"
import { processIo } from "./CliIo.ts"
import { ExitCode } from "./ExitCode.ts"

const fiber = Effect.runFork(cliProgram(process.argv.slice(2), processIo()))
const stop = () => void Effect.runFork(Fiber.interrupt(fiber))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
const exit = await Effect.runPromise(Fiber.await(fiber))
process.exitCode = Exit.isSuccess(exit) ? exit.value : ExitCode.interrupted
process.removeListener("SIGINT", stop)
process.removeListener("SIGTERM", stop)
