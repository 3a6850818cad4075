import { runExtraction } from "@idconnect/core/ExtractionRunner"
import { makeMemorySink } from "@idconnect/core/MemorySink"
import type { GraphSimHandle } from "@idconnect/graph-sim/GraphSim"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { makeEntraPlugin } from "../src/EntraPlugin.ts"
import { publish } from "./support/Apply.ts"
import { diffSnapshots, expectedSnapshot } from "./support/Expected.ts"
import { decode, rawConfig, requestsServed, runToSink, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
beforeAll(async () => {
  // The medium tenant's 300 groups make six fan-out windows, fetched four at a time.
  sim = await startSim({ preset: "small", seed: 13, license: "P2" }, { preset: "medium", seed: 14, license: "P2" })
})
afterAll(() => sim?.stop())

/** A small deterministic PRNG, so a failure names the checkpoints it used. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}

/**
 * Runs the extraction from `checkpoint` until `killAt(committed)` says the worker dies right after the
 * store saved that checkpoint, and checks that it did die there (interrupted, nothing else).
 */
const runKilled = async (
  options: Omit<Parameters<typeof runExtraction>[0], "onCheckpoint">,
  killAt: (committed: number) => boolean,
  what: string
) => {
  const exit = await Effect.runPromise(
    Effect.exit(runExtraction({ ...options, onCheckpoint: (_, committed) => (killAt(committed) ? Effect.interrupt : Effect.void) }))
  )
  assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), `should have been killed at ${what}`)
}

describe("a killed run", () => {
  it("killed three times at random checkpoints and resumed each time, ends with exactly the tenant's data", async () => {
    const raw = rawConfig(sim, "main", { auditLogDays: 0 })
    const before = requestsServed(sim)
    const uninterrupted = await runToSink(raw)
    const oneRun = requestsServed(sim) - before
    const checkpoints = uninterrupted.state!.checkpoints
    assert.isAbove(checkpoints, 10)

    const read = makeEntraPlugin().modes.direct!.read!
    const config = await decode(raw)
    const { sink, state } = makeMemorySink()
    const next = random(20_251_126)
    let resumeFrom: Checkpoint | undefined
    const killedAt: Array<number> = []
    const started = requestsServed(sim)
    for (let kill = 0; kill < 3; kill++) {
      const at = 1 + Math.floor(next() * Math.floor(checkpoints / 3))
      // The worker dies right after the store saved checkpoint `at`.
      await runKilled({ read, config, sink, checkpoint: resumeFrom }, (committed) => committed === at, `checkpoint ${at} (run ${kill})`)
      killedAt.push(at)
      resumeFrom = JSON.parse(JSON.stringify(state.checkpoint)) as Checkpoint
    }
    await Effect.runPromise(runExtraction({ read, config, sink, checkpoint: resumeFrom }))
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    const expected = expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
    assert.deepStrictEqual(diffSnapshots(publish(undefined, state), expected), [], `killed at checkpoints ${killedAt.join(", ")}`)
    // Each kill loses at most the work since its checkpoint: a page or a fan-out window.
    assert.isBelow(requestsServed(sim) - started, oneRun * 1.5)
  })

  it("killed inside the group fan-out, with later windows already fetched, resumes after the last emitted window", async () => {
    const raw = rawConfig(sim, "main", { auditLogDays: 0 }, 1)
    const read = makeEntraPlugin().modes.direct!.read!
    const config = await decode(raw)
    // Where the uninterrupted run checkpointed inside the groups listing (after a window, mid-page).
    const insideGroups: Array<number> = []
    await runToSink(raw, {
      onCheckpoint: (checkpoint, committed) =>
        Effect.sync(() => {
          const state = checkpoint.state as { step: string; cursor?: { skip: number } }
          if (state.step === "groups" && (state.cursor?.skip ?? 0) > 0) insideGroups.push(committed)
        })
    })
    assert.isAtLeast(insideGroups.length, 4, "several windows of one groups page")

    const { sink, state } = makeMemorySink()
    let resumeFrom: Checkpoint | undefined
    // The first window's checkpoint (three more windows in flight) and a later one.
    for (const at of [insideGroups[0]!, insideGroups[3]!]) {
      // A resumed run counts its checkpoints from where it resumed.
      const killAt = at - (resumeFrom === undefined ? 0 : insideGroups[0]!)
      await runKilled({ read, config, sink, checkpoint: resumeFrom }, (committed) => committed === killAt, `checkpoint ${at}`)
      resumeFrom = JSON.parse(JSON.stringify(state.checkpoint)) as Checkpoint
      assert.strictEqual((resumeFrom.state as { step: string }).step, "groups")
    }
    await Effect.runPromise(runExtraction({ read, config, sink, checkpoint: resumeFrom }))
    const tenant = sim.tenant(sim.tenants[1]!.tenantId)
    const expected = expectedSnapshot(tenant.truth, { tenantId: tenant.tenantId, license: "P2", now: Date.now() })
    assert.deepStrictEqual(diffSnapshots(publish(undefined, state), expected), [])
  })
})
