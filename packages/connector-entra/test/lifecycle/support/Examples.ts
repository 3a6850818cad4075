import { OperationRequest } from "@idconnect/schemas/Operation"
import * as Schema from "effect/Schema"
import { readdirSync, readFileSync } from "node:fs"

const DIR = new URL("../../../examples/", import.meta.url)
const Requests = Schema.Array(OperationRequest)

/** The example operation files (`examples/<name>.json`): one request or an array of them, by file name. */
export const readExamples = (): ReadonlyMap<string, ReadonlyArray<OperationRequest>> => {
  const out = new Map<string, ReadonlyArray<OperationRequest>>()
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".json")).sort()) {
    const parsed: unknown = JSON.parse(readFileSync(new URL(file, DIR), "utf8"))
    out.set(file.replace(/\.json$/u, ""), Schema.decodeUnknownSync(Requests)(Array.isArray(parsed) ? parsed : [parsed]))
  }
  return out
}

export const example = (name: string): ReadonlyArray<OperationRequest> => {
  const found = readExamples().get(name)
  if (found === undefined) throw new Error(`no examples/${name}.json`)
  return found
}
