import { type BareCopyResult, bareCopy } from "../baselines/BareCopy.ts"
import { childMain } from "../ChildMain.ts"

/** Runs the COPY baseline in its own process (same isolation as the measured side). */
export interface BareCopyInput {
  readonly databaseUrl: string
  readonly files: ReadonlyArray<string>
}

childMain<BareCopyInput, BareCopyResult>((input) => bareCopy(input.databaseUrl, input.files))
