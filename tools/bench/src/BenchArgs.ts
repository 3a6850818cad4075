/** The scenarios `npm run bench` knows, by number (see README "Performance"). */
export const SCENARIO_IDS = [1, 2, 3, 4, 5] as const
export type ScenarioId = (typeof SCENARIO_IDS)[number]

export interface BenchArgs {
  /** Which scenarios to run, in order. Scenario 2 needs 1's full syncs and runs them itself when 1 is not selected. */
  readonly only: ReadonlyArray<ScenarioId>
  /** Repetitions per figure; undefined = each scenario's default (chosen to fit the 30 minute budget). */
  readonly runs: number | undefined
  /** Where results/<date>.json and .md go. */
  readonly outDir: string | undefined
  /** Keep the temp dir (generated CSVs, the simulator CA) and the bench databases for inspection. */
  readonly keepTemp: boolean
  /**
   * A smoke run of the whole pipeline in a few minutes: the medium tenant instead of the large one,
   * a tenth of the CSV upload, one repetition unless --runs says otherwise. Not a benchmark result.
   */
  readonly quick: boolean
  readonly help: boolean
}

export const USAGE = `npm run bench [-- options]

  --only 1,3     run only these scenarios (1 Entra full, 2 Entra incremental, 3 CSV ingest,
                 4 bulk API ingest, 5 API reads); default: all
  --runs N       repetitions per figure (median reported); default per scenario
  --out DIR      where to write <date>.json and <date>.md (default tools/bench/results)
  --keep-temp    keep generated inputs in the temp dir and the bench databases (their URLs
                 are printed at the end; drop them yourself). Databases in a testcontainers
                 container go with it when the bench exits: use DATABASE_URL or the local server
  --quick        smoke run (medium tenant, a tenth of the CSV, 1 repetition); results go to
                 <date>-quick.{json,md}
  --help         this text`

/** Parses `npm run bench -- ...` arguments; a wrong one throws an Error naming it. */
export const parseBenchArgs = (argv: ReadonlyArray<string>): BenchArgs => {
  let only: ReadonlyArray<ScenarioId> = SCENARIO_IDS
  let runs: number | undefined
  let outDir: string | undefined
  let keepTemp = false
  let quick = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`)
      return v
    }
    switch (name) {
      case "--only": {
        const text = value()
        const ids = text.split(",").map((s) => s.trim()).filter((s) => s !== "")
        const parsed = ids.map((s) => {
          const n = Number(s)
          if (!SCENARIO_IDS.includes(n as ScenarioId)) throw new Error(`--only: '${s}' is not a scenario (expected ${SCENARIO_IDS.join(", ")})`)
          return n as ScenarioId
        })
        if (parsed.length === 0) throw new Error("--only needs at least one scenario, e.g. --only 1,3")
        only = SCENARIO_IDS.filter((id) => parsed.includes(id))
        break
      }
      case "--runs": {
        const text = value()
        const n = Number(text)
        if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`--runs: '${text}' is not a whole number from 1 to 50`)
        runs = n
        break
      }
      case "--out":
        outDir = value()
        break
      case "--keep-temp":
        keepTemp = true
        break
      case "--quick":
        quick = true
        break
      case "--help":
      case "-h":
        help = true
        break
      default:
        throw new Error(`unknown option '${arg}'\n\n${USAGE}`)
    }
  }
  return { only, runs, outDir, keepTemp, quick, help }
}

/**
 * The results file name: `<date>` for a full run, `<date>-only-1-3` for a subset and
 * `<date>-quick` for a smoke run, so neither ever replaces a full result.
 */
/** `stem`, or `stem-2`, `stem-3`... the first whose `.json` is not taken: a later run the same day keeps the earlier ones. */
export const unusedBaseName = async (stem: string, taken: (file: string) => Promise<boolean>): Promise<string> => {
  let base = stem
  for (let n = 2; await taken(`${base}.json`); n++) base = `${stem}-${n}`
  return base
}

export const resultsBaseName = (date: Date, only: ReadonlyArray<ScenarioId>, quick = false): string => {
  const day = date.toISOString().slice(0, 10)
  const base = only.length === SCENARIO_IDS.length ? day : `${day}-only-${only.join("-")}`
  return quick ? `${base}-quick` : base
}
