import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Runs } from "../src/Runs.ts"
import { Uploads } from "../src/Uploads.ts"
import { DRIVERS, givenIntegration, storeOn } from "./support/StoreFixtures.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const textOf = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((chunks) => chunks.map((c) => decoder.decode(c)).join("")))

describe("Uploads", () => {
  for (const driver of DRIVERS) {
    layer(storeOn(driver), { timeout: "120 seconds", excludeTestServices: true })(driver, (it) => {
      it.effect("of two concurrent claims of one upload exactly one wins", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id)
          const [a, b] = yield* Effect.all([uploads.claim(tenantId, upload.id), uploads.claim(tenantId, upload.id)], { concurrency: 2 })
          assert.strictEqual([a, b].filter(Option.isSome).length, 1)
          assert.strictEqual((yield* uploads.get(tenantId, upload.id)).status, "received")
          // Released after a failed write, the upload can be claimed again.
          yield* uploads.release(upload.id)
          assert.isTrue(Option.isSome(yield* uploads.claim(tenantId, upload.id)))
        }))

      it.effect("two creates with the same idempotency key give one upload, per integration", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const { tenantId, integration } = yield* givenIntegration("csv")
          const [first, second] = yield* Effect.all(
            [
              uploads.create(tenantId, integration.id, { idempotencyKey: "nightly-1", details: { format: "ndjson" } }),
              uploads.create(tenantId, integration.id, { idempotencyKey: "nightly-1", details: { format: "ndjson" } })
            ],
            { concurrency: 2 }
          )
          assert.strictEqual(first.id, second.id)
          assert.deepStrictEqual([first.created, second.created].sort(), [false, true])
          assert.deepStrictEqual(second.details, { format: "ndjson" })
          const other = yield* uploads.create(tenantId, integration.id, { idempotencyKey: "nightly-2" })
          assert.notStrictEqual(other.id, first.id)
          const unkeyed = yield* uploads.create(tenantId, integration.id)
          assert.isTrue(unkeyed.created)
          // Another tenant's key space is its own.
          const elsewhere = yield* givenIntegration("csv", "Fabrikam")
          const theirs = yield* uploads.create(elsewhere.tenantId, elsewhere.integration.id, { idempotencyKey: "nightly-1" })
          assert.isTrue(theirs.created)
        }))

      it.effect("writing a file again replaces it, and the received size outlives the bytes", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id)
          yield* uploads.write(tenantId, upload.id, "entities", Stream.make(encoder.encode("half a fi")))
          const written = yield* uploads.write(tenantId, upload.id, "entities", Stream.make(encoder.encode("a,b\n"), encoder.encode("1,2\n")))
          assert.strictEqual(written, 8)
          assert.strictEqual(yield* textOf(uploads.read(upload.id, "entities")), "a,b\n1,2\n")
          yield* uploads.setStatus(upload.id, "submitted")
          yield* uploads.remove(upload.id)
          const after = yield* uploads.get(tenantId, upload.id)
          assert.strictEqual(after.receivedBytes, 8)
          assert.deepStrictEqual(after.files, [])
        }))

      it.effect("finds the ingest run of an upload", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const runs = yield* Runs
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id)
          assert.isTrue(Option.isNone(yield* runs.findByUpload(tenantId, upload.id)))
          const run = yield* runs.create({ tenantId, integrationId: integration.id, kind: "ingest", trigger: "upload", payload: { uploadId: upload.id } })
          const found = yield* runs.findByUpload(tenantId, upload.id)
          assert.strictEqual(Option.getOrUndefined(found)?.id, run.id)
          // Not visible to another tenant.
          const elsewhere = yield* givenIntegration("csv", "Fabrikam")
          assert.isTrue(Option.isNone(yield* runs.findByUpload(elsewhere.tenantId, upload.id)))
        }))
    })
  }
})
