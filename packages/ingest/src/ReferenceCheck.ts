import type { EntityType } from "@idconnect/schemas/Entity"
import type { SinkError } from "@idconnect/core/ExtractionSink"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { DigestTable } from "./DuplicateKeys.ts"
import { digestKey } from "./KeyDigest.ts"

/** One end of a relation: the entity it names, by type and source id (as the CSV names it). */
export interface EntityRef {
  readonly entityType: EntityType
  readonly sourceId: string
}

/** The string form of a ref, as `KnownEntities.exists` returns them. */
export const refKey = (ref: EntityRef): string => `${ref.entityType}\u0000${ref.sourceId}`

/**
 * The entities of the integration's last synced (published) data, for relations that point
 * outside the upload. The store implements it with one query per batch; the CLI, which has no
 * store, uses `KnownEntities.none` (relations may only point into the same upload).
 *
 * @category services
 */
export class KnownEntities extends Context.Service<
  KnownEntities,
  {
    /** Which of `refs` exist, as `refKey`s. Called with batches of at most a few thousand refs. */
    readonly exists: (refs: ReadonlyArray<EntityRef>) => Effect.Effect<ReadonlySet<string>, SinkError>
  }
>()("idconnect/ingest/KnownEntities") {
  /** Nothing is known beyond the upload itself. */
  static readonly none: KnownEntities["Service"] = KnownEntities.of({ exists: () => Effect.succeed(new Set()) })

  /** A fixed in-memory set of entities: for tests and for tools that hold a small snapshot. */
  static readonly fromEntities = (entities: Iterable<EntityRef>): KnownEntities["Service"] => {
    const keys = new Set<string>()
    for (const e of entities) keys.add(refKey(e))
    return KnownEntities.of({ exists: (refs) => Effect.succeed(new Set(refs.map(refKey).filter((k) => keys.has(k)))) })
  }

  static readonly layerNone = Layer.succeed(KnownEntities, KnownEntities.none)
  static readonly layerFromEntities = (entities: Iterable<EntityRef>) => Layer.succeed(KnownEntities, KnownEntities.fromEntities(entities))
}

/**
 * Checks that relations reference existing entities: first against the entities of the same
 * upload (held as digests, so a million entities cost tens of MB, not the entities themselves),
 * then, for the misses of a batch, against `KnownEntities` in one call per `lookupBatchSize` refs.
 */
export class ReferenceCheck {
  private readonly uploaded = new DigestTable()
  private readonly scratch = new Uint32Array(4)
  private readonly known: KnownEntities["Service"]
  private readonly lookupBatchSize: number

  constructor(known: KnownEntities["Service"], lookupBatchSize = 2000) {
    this.known = known
    this.lookupBatchSize = lookupBatchSize
  }

  /** Records an entity of the upload. */
  addUploaded(ref: EntityRef): void {
    this.uploaded.putIfAbsent(digestKey(refKey(ref), this.scratch), 1)
  }

  get uploadedCount(): number {
    return this.uploaded.size
  }

  inUpload(ref: EntityRef): boolean {
    return this.isUploaded(ref.entityType, ref.sourceId)
  }

  /** `inUpload` without building a ref object, for the per-row path. */
  isUploaded(entityType: EntityType, sourceId: string): boolean {
    return this.uploaded.get(digestKey(`${entityType}\u0000${sourceId}`, this.scratch)) !== 0
  }

  /**
   * Of `refs`, returns the `refKey`s that exist neither in the upload nor in the known entities.
   * Each distinct ref outside the upload is looked up once per call.
   */
  missing(refs: ReadonlyArray<EntityRef>): Effect.Effect<ReadonlySet<string>, SinkError> {
    const outside = new Map<string, EntityRef>()
    for (const ref of refs) {
      if (!this.inUpload(ref)) outside.set(refKey(ref), ref)
    }
    if (outside.size === 0) return Effect.succeed(new Set())
    const known = this.known
    const size = this.lookupBatchSize
    return Effect.gen(function* () {
      const pending = [...outside.values()]
      const missing = new Set(outside.keys())
      for (let i = 0; i < pending.length; i += size) {
        const found = yield* known.exists(pending.slice(i, i + size))
        for (const key of found) missing.delete(key)
      }
      return missing
    })
  }
}
