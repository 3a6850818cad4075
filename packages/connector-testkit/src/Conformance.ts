import { decodeConfig } from "@idconnect/core/ConfigDecoder"
import type { ConnectorError } from "@idconnect/core/ConnectorError"
import { pluginModes, type ConnectorPlugin, type ModeDefinition } from "@idconnect/core/ConnectorPlugin"
import { runExtraction } from "@idconnect/core/ExtractionRunner"
import { makeMemorySink } from "@idconnect/core/MemorySink"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { checkBadCredentials, checkConnects } from "./CheckChecks.ts"
import { checkConfigCases } from "./ConfigChecks.ts"
import { checkCatalog, checkExtraction, collectRecords, type ExpectedCounts } from "./ExtractionChecks.ts"
import { checkLifecycleIdempotence, checkOperationValidation, type LifecycleFixture } from "./LifecycleChecks.ts"
import { checkManifestFresh } from "./ManifestCheck.ts"
import { checkResumeEquivalence } from "./ResumeEquivalence.ts"

/**
 * What a plugin's own test hands the conformance suite: the plugin, a live test target (its raw
 * JSON config, as a user would write it), and what the target holds. Functions are called inside
 * each test, so a target started in `beforeAll` is ready by then.
 */
export interface ConformanceOptions {
  readonly plugin: ConnectorPlugin
  /** The pull mode under test (default: the plugin's first mode with a read capability). */
  readonly mode?: ExtractionMode
  /** A working raw config for the live target. */
  readonly config: () => Record<string, unknown>
  /** The same target with credentials it rejects. */
  readonly badCredentialsConfig?: () => Record<string, unknown>
  /** What a full extraction must contain (counts of distinct entities and relations). */
  readonly expected?: () => ExpectedCounts
  /** Cap on interruption points for the resume test (default: every checkpoint). */
  readonly maxInterruptions?: number
  /** Set when relations may point at objects the plugin does not emit (default: they may not). */
  readonly allowDanglingRelations?: boolean
  /** Lifecycle operations to check for idempotence (needed when the mode has lifecycle). */
  readonly lifecycle?: LifecycleFixture
  /** The committed manifest, e.g. `new URL("../capabilities.json", import.meta.url)`. */
  readonly manifestPath?: string | URL
}

const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/**
 * Registers the conformance suite (vitest `describe`/`it`) for a plugin. Call it at the top level
 * of a test file in the plugin package:
 *
 * @example
 * runConformance({
 *   plugin: acmePlugin,
 *   config: () => ({ baseUrl: target.url, token: target.token }),
 *   badCredentialsConfig: () => ({ baseUrl: target.url, token: "wrong" }),
 *   expected: () => target.expected(),
 *   lifecycle: { operations: () => [...], undo: () => [...], snapshot: () => target.state() },
 *   manifestPath: new URL("../capabilities.json", import.meta.url)
 * })
 *
 * @category conformance
 */
export const runConformance = (options: ConformanceOptions): void => {
  const { plugin } = options
  const mode = options.mode ?? pluginModes(plugin).find((m) => plugin.modes[m]?.read !== undefined)
  const definition: ModeDefinition<unknown> | undefined = mode === undefined ? undefined : plugin.modes[mode]

  describe(`${plugin.metadata.id} conformance${mode === undefined ? "" : ` (${mode} mode)`}`, () => {
    for (const m of pluginModes(plugin)) {
      it(`spec: the ${m} config Schema derives a JSON Schema, and bad configs are config errors naming the field`, () => {
        expect(checkConfigCases(plugin, m, m === mode ? options.config() : undefined)).toEqual([])
      })
    }

    if (options.manifestPath !== undefined) {
      const manifestPath = options.manifestPath
      it("capabilities.json matches the capabilities derived from the code", () => {
        expect(checkManifestFresh(plugin, manifestPath)).toEqual([])
      })
    }

    if (mode === undefined || definition?.read === undefined) return
    const read = definition.read
    const decoded = () => run(decodeConfig(definition.config, options.config()))
    let uninterrupted: Promise<ReadonlyArray<ExtractRecord>> | undefined
    const records = () => (uninterrupted ??= decoded().then((config) => run(collectRecords(read, config))))

    it("check: connects to the live target", async () => {
      expect(await run(checkConnects(read, await decoded()))).toEqual([])
    })

    if (options.badCredentialsConfig !== undefined) {
      const badConfig = options.badCredentialsConfig
      it("check: bad credentials are a config error", async () => {
        const config = await run(decodeConfig(definition.config, badConfig()))
        expect(await run(checkBadCredentials(read, config))).toEqual([])
      })

      it("extract: bad credentials fail the run at once with a config error (no retries)", async () => {
        const config = await run(decodeConfig(definition.config, badConfig()))
        const { sink } = makeMemorySink()
        const exit = await run(Effect.exit(runExtraction({ read, config, sink, retryBaseDelay: "10 millis" })))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
          const error = reason !== undefined && "error" in reason ? (reason.error as ConnectorError) : undefined
          expect(error?.failureClass, `failed with ${error?.code}`).toBe("config")
        }
      })
    }

    it("extract: exhausts pagination, every record decodes, no duplicates, relations resolve", async () => {
      const all = await records()
      expect(checkExtraction(all, { expected: options.expected?.(), allowDanglingRelations: options.allowDanglingRelations })).toEqual([])
    })

    it("discover: the catalog lists every entity and relation type extract emits", async () => {
      const catalog = await run(read.discover(await decoded()))
      expect(checkCatalog(catalog, await records())).toEqual([])
    })

    it("extract: interrupted at every checkpoint and resumed, yields exactly the uninterrupted run's records", async () => {
      const report = await run(checkResumeEquivalence({ read, config: await decoded(), maxInterruptions: options.maxInterruptions }))
      expect(report.checkpoints, "the run committed no checkpoint").toBeGreaterThan(0)
      expect(report.defects).toEqual([])
    })

    it("extract: a checkpoint the plugin did not write fails with CheckpointInvalid (the runner then starts over)", async () => {
      const config = await decoded()
      const foreign = { version: "not-this-plugin/0", state: { cursor: 42 } }
      const exit = await run(Effect.exit(Stream.runDrain(read.extract(config, foreign))))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
      const error = reason !== undefined && "error" in reason ? (reason.error as ConnectorError) : undefined
      expect(error?.code, "extract accepted a foreign checkpoint").toBe("CheckpointInvalid")
    })

    if (definition.lifecycle !== undefined) {
      const lifecycle = definition.lifecycle
      const fixture = options.lifecycle
      it("lifecycle: a fixture is given for the lifecycle operations", () => {
        expect(fixture, "pass `lifecycle: { operations, undo, snapshot }` to runConformance").toBeDefined()
      })
      if (fixture !== undefined) {
        it("lifecycle: unknown operations and malformed params are config errors naming the field, and change nothing", async () => {
          expect(await run(checkOperationValidation({ lifecycle, config: await decoded(), fixture }))).toEqual([])
        })
        it("lifecycle: apply twice = one change; plan after apply = no-op; undo restores the target", async () => {
          expect(await run(checkLifecycleIdempotence({ lifecycle, config: await decoded(), fixture }))).toEqual([])
        })
      }
    }
  })
}
