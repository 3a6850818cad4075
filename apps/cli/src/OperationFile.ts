import { decodeWithIssues } from "@idconnect/core/ConfigDecoder"
import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import { OperationRequest } from "@idconnect/schemas/Operation"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import type { CliIo } from "./CliIo.ts"
import { UsageError } from "./CliError.ts"

const Requests = Schema.Array(OperationRequest)

/**
 * Reads `--operation <file>`: one operation request `{ operation, params, id? }`, an array of
 * them, or `{ "operations": [...] }`. Every request is validated before anything runs.
 */
export const readOperationFile = Effect.fn("Cli.readOperationFile")(function* (
  io: CliIo,
  file: string | undefined
): Effect.fn.Return<ReadonlyArray<OperationRequest>, UsageError | ConnectorError> {
  if (file === undefined) return yield* new UsageError({ message: "--operation <file> is required" })
  const text = yield* Effect.tryPromise({
    try: () => readFile(resolve(io.cwd, file), "utf8"),
    catch: (e) => new UsageError({ message: `--operation: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` })
  })
  const parsed = yield* Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) => ConnectorErrors.invalidInput({ field: "", message: `--operation ${file} is not valid JSON: ${(e as Error).message}` })
  })
  const list = Array.isArray(parsed)
    ? parsed
    : parsed !== null && typeof parsed === "object" && "operations" in parsed
      ? (parsed as { operations: unknown }).operations
      : [parsed]
  const decoded = decodeWithIssues(Requests, list)
  if (decoded.ok) return decoded.value
  const first = decoded.issues[0]
  return yield* ConnectorErrors.invalidInput({
    field: first?.path ?? "",
    message: `--operation ${file}: ${decoded.issues.map((i) => `${i.path === "" ? "(root)" : `[${i.path.replace(/^(\d+)/, "$1]")}`}: ${i.message}`).join("; ")}`
  })
})
