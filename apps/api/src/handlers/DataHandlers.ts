import type { EffectiveAccess } from "@idconnect/store/EffectiveAccess"
import { Runs } from "@idconnect/store/Runs"
import { Snapshots } from "@idconnect/store/Snapshots"
import { entitiesDownloadHeader, entitiesHeader, entityDownloadRow, entityRow, relationDownloadRow, relationRow, relationsDownloadHeader, relationsHeader } from "@idconnect/ingest/CsvWriter"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { dataEndpoints } from "../contract/endpoints/DataEndpoints.ts"
import { ApiErrors } from "../http/ApiError.ts"
import type { Handlers, RawReply } from "../http/Handler.ts"
import { tenantOf } from "./CallerScope.ts"
import { accessHandlers } from "./AccessHandlers.ts"

const encoder = new TextEncoder()

/** A CSV body streamed from the snapshot: memory stays flat whatever the snapshot's size. */
const csvReply = (header: string, rows: Stream.Stream<string, unknown>, filename: string): RawReply => ({
  body: Stream.toReadableStream(Stream.concat(Stream.make(header), rows).pipe(Stream.map((s) => encoder.encode(s)))),
  headers: { "content-disposition": `attachment; filename="${filename}"` }
})

export const dataHandlers: Handlers<typeof dataEndpoints, Snapshots | Runs | EffectiveAccess> = {
  listEntities: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      return yield* (yield* Snapshots).entities(tenantId, params.id, query)
    }),

  listRelations: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      return yield* (yield* Snapshots).relations(tenantId, params.id, query)
    }),

  ...accessHandlers,

  getDiff: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      let to = query.to
      if (to === undefined) {
        const latest = yield* (yield* Runs).list(tenantId, params.id, { status: "succeeded", limit: 1 })
        const run = latest.items[0]
        if (run === undefined) return yield* ApiErrors.notFound("A published run of integration", params.id)
        to = run.id
      }
      return yield* (yield* Snapshots).diff(tenantId, params.id, query.from, to, query.limit === undefined ? {} : { limit: query.limit })
    }),

  exportEntities: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const snapshots = yield* Snapshots
      // Resolve first so a wrong id is a 404, not a CSV cut short.
      yield* snapshots.resolve(tenantId, params.id)
      const entities = snapshots.exportEntities(tenantId, params.id)
      if (query.format === "download") {
        const ctx = { tenant: tenantId, integration: params.id, timestamp: yield* publishedAt(tenantId, params.id) }
        return csvReply(entitiesDownloadHeader(), Stream.map(entities, (e) => entityDownloadRow(e, ctx)), "entities.csv")
      }
      return csvReply(entitiesHeader(), Stream.map(entities, entityRow), "entities.csv")
    }),

  exportRelations: ({ caller, params, query }) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantOf(caller)
      const snapshots = yield* Snapshots
      yield* snapshots.resolve(tenantId, params.id)
      const relations = snapshots.exportRelations(tenantId, params.id)
      if (query.format === "download") {
        const ctx = { tenant: tenantId, integration: params.id, timestamp: yield* publishedAt(tenantId, params.id) }
        return csvReply(relationsDownloadHeader(), Stream.map(relations, (r) => relationDownloadRow(r, ctx)), "entity-relations.csv")
      }
      return csvReply(relationsHeader(), Stream.map(relations, (r) => relationRow(r)), "entity-relations.csv")
    })
}

/** When the data being exported was synced: the finish time of the latest successful run. */
const publishedAt = (tenantId: string, integrationId: string) =>
  Effect.gen(function* () {
    const latest = yield* (yield* Runs).list(tenantId, integrationId, { status: "succeeded", limit: 1 })
    const at = latest.items[0]?.finishedAt
    return at === undefined || at === null ? new Date() : new Date(at)
  })
