import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Runs } from "../src/Runs.ts"
import { SqlDriver } from "../src/SqlDriver.ts"
import { type UploadClaim, Uploads } from "../src/Uploads.ts"
import { DRIVERS, givenIntegration, storeOn } from "./support/StoreFixtures.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Time passes for an upload's claim: its lease lapses, as if its holder had stopped renewing it (a killed process). */
const lapseClaim = (uploadId: string) =>
  Effect.flatMap(SqlDriver, (db) => db.query("update uploads set claimed_until = now() - interval '1 second' where id = $1", [uploadId]))

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
          const won = [a, b].filter(Option.isSome)
          assert.strictEqual(won.length, 1)
          const held = yield* uploads.get(tenantId, upload.id)
          assert.strictEqual(held.status, "received")
          assert.isAbove(Date.parse(held.claimedUntil!), Date.now())
          // Released after a failed write, the upload can be claimed again, without what that write left.
          yield* uploads.write(won[0]!.value.claim, "entities", Stream.make(encoder.encode("half a fi")))
          yield* uploads.release(won[0]!.value.claim)
          const again = yield* uploads.claim(tenantId, upload.id)
          assert.isTrue(Option.isSome(again))
          assert.deepStrictEqual(Option.getOrThrow(again).files, [])
        }))

      it.effect("a claim whose writer died is taken over once its lease lapses, and the old writer can change nothing", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id, { idempotencyKey: "nightly-7" })
          const first = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
          yield* uploads.write(first, "entities", Stream.make(encoder.encode("id,name\n1,Ada\n")))

          // While the lease holds, a retry is turned away.
          assert.isTrue(Option.isNone(yield* uploads.claim(tenantId, upload.id)))
          // The first writer stops making progress for longer than the lease (a SIGKILLed API process).
          yield* lapseClaim(upload.id)
          const second = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id))
          assert.deepStrictEqual(second.files, [], "the takeover starts clean")
          assert.isNull(second.receivedBytes)

          // The old writer, if it is alive after all, is refused everywhere and breaks nothing.
          const refused = [
            yield* Effect.flip(uploads.write(first, "entities", Stream.make(encoder.encode("id,name\n9,Stale\n")))),
            yield* Effect.flip(uploads.submit(first))
          ]
          for (const error of refused) {
            assert.strictEqual(error.reason._tag, "Conflict")
            assert.match(error.message, /taken over by a later request/)
          }
          yield* uploads.release(first)
          assert.strictEqual((yield* uploads.get(tenantId, upload.id)).status, "received")

          yield* uploads.write(second.claim, "entities", Stream.make(encoder.encode("id,name\n2,Grace\n")))
          yield* uploads.submit(second.claim)
          assert.strictEqual(yield* textOf(uploads.read(upload.id, "entities")), "id,name\n2,Grace\n")
          assert.strictEqual((yield* uploads.get(tenantId, upload.id)).status, "submitted")
        }))

      it.effect("a claim lives while its holder renews it or writes; a writer overtaken mid-file keeps nothing", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id)
          // Run inside the written stream, which needs no services.
          const lapse = lapseClaim(upload.id).pipe(Effect.provideService(SqlDriver, yield* SqlDriver))
          const first = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
          const heldUntil = Effect.map(uploads.get(tenantId, upload.id), (u) => Date.parse(u.claimedUntil!))

          yield* lapse
          assert.isTrue(yield* uploads.renew(first))
          assert.isAbove(yield* heldUntil, Date.now(), "renewed")
          yield* lapse
          yield* uploads.write(first, "entities", Stream.make(encoder.encode("id,name\n")))
          assert.isAbove(yield* heldUntil, Date.now(), "a write renews it too")

          // The first writer stalls after one 1 MiB part; meanwhile its claim lapses and a retry takes over.
          let second: UploadClaim | undefined
          const overtaken = Stream.make(new Uint8Array(1 << 20).fill(65)).pipe(
            Stream.concat(
              Stream.fromEffect(
                Effect.gen(function* () {
                  yield* lapse
                  second = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
                  return new Uint8Array(1 << 20).fill(66)
                })
              )
            )
          )
          const refused = yield* Effect.flip(uploads.write(first, "entities", overtaken))
          assert.strictEqual(refused.reason._tag, "Conflict")
          assert.deepStrictEqual((yield* uploads.get(tenantId, upload.id)).files, [], "nothing of the overtaken writer is kept")
          assert.isFalse(yield* uploads.renew(first))
          yield* uploads.write(second!, "entities", Stream.make(encoder.encode("id,name\n3,Edsger\n")))
          assert.strictEqual(yield* textOf(uploads.read(upload.id, "entities")), "id,name\n3,Edsger\n")
        }))

      it.effect("a submitted upload is the ingest run's once that run exists; until then a lapsed one can be taken over", () =>
        Effect.gen(function* () {
          const uploads = yield* Uploads
          const runs = yield* Runs
          const { tenantId, integration } = yield* givenIntegration("csv")
          const upload = yield* uploads.create(tenantId, integration.id)
          const lapse = lapseClaim(upload.id)
          const first = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
          yield* uploads.write(first, "entities", Stream.make(encoder.encode("id,name\n1,Ada\n")))
          yield* uploads.submit(first)
          // Starting its ingest run failed: the request gives the upload back, bytes and all.
          yield* uploads.release(first)
          assert.deepStrictEqual(yield* uploads.get(tenantId, upload.id).pipe(Effect.map((u) => [u.status, u.files])), ["open", []])

          const second = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
          yield* uploads.write(second, "entities", Stream.make(encoder.encode("id,name\n1,Ada\n")))
          yield* uploads.submit(second)
          // The process died before creating the run: after the lease, a retry takes the upload over.
          assert.isTrue(Option.isNone(yield* uploads.claim(tenantId, upload.id)), "not while the lease holds")
          yield* lapse
          const third = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id)).claim
          yield* uploads.write(third, "entities", Stream.make(encoder.encode("id,name\n1,Ada\n")))
          yield* uploads.submit(third)
          yield* runs.create({ tenantId, integrationId: integration.id, kind: "ingest", trigger: "upload", payload: { uploadId: upload.id } })
          // With its run, neither a lapse nor a late release takes it back.
          yield* lapse
          assert.isTrue(Option.isNone(yield* uploads.claim(tenantId, upload.id)))
          yield* uploads.release(third)
          const kept = yield* uploads.get(tenantId, upload.id)
          assert.strictEqual(kept.status, "submitted")
          assert.strictEqual(yield* textOf(uploads.read(upload.id, "entities")), "id,name\n1,Ada\n")
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
          const { claim } = Option.getOrThrow(yield* uploads.claim(tenantId, upload.id))
          yield* uploads.write(claim, "entities", Stream.make(encoder.encode("half a fi")))
          const written = yield* uploads.write(claim, "entities", Stream.make(encoder.encode("a,b\n"), encoder.encode("1,2\n")))
          assert.strictEqual(written, 8)
          assert.strictEqual(yield* textOf(uploads.read(upload.id, "entities")), "a,b\n1,2\n")
          yield* uploads.submit(claim)
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
