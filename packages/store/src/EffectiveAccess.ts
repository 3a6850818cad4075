import type { EntityType } from "@idconnect/schemas/Entity"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from "./Page.ts"
import { accessOf, type EffectiveAccessItem } from "./Snapshots.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/** An effective grant with the display names of both ends (from the same snapshot), when known. */
export interface EffectiveGrant extends EffectiveAccessItem {
  readonly identityName: string | null
  readonly targetName: string | null
}

export interface AccessFilter extends PageRequest {
  readonly kind?: "direct" | "inherited"
  readonly privilegeName?: string
}

type GrantRow = {
  identity_source_type: string
  identity_source_id: string
  target_entity_type: EntityType
  target_source_type: string
  target_source_id: string
  privilege_name: string
  kind: "direct" | "inherited"
  path: ReadonlyArray<string>
  identity_name: string | null
  target_name: string | null
}

const grantOf = (r: GrantRow): EffectiveGrant => ({ ...accessOf(r), identityName: r.identity_name, targetName: r.target_name })

const isStrings = (v: unknown): v is ReadonlyArray<string> => Array.isArray(v) && v.every((x) => typeof x === "string")

const COLUMNS = `a.identity_source_type, a.identity_source_id, a.target_entity_type, a.target_source_type, a.target_source_id,
    a.privilege_name, a.kind, a.path`

/**
 * One page of grants (`where`, `order` and `limit` pick it from `effective_access a`), then the names
 * of both ends joined from the current entities: only the page's rows are looked up, each by index
 * (`entities_current_by_id`, whether or not the grant knows the end's source type).
 */
const pageWithNames = (where: string, order: string, limit: string) => `
  select p.*, i.name as identity_name, t.name as target_name
  from (select a.integration_id, ${COLUMNS} from effective_access a where ${where} order by ${order} limit ${limit}) p
  left join lateral (
    select e.name from entities e where e.integration_id = p.integration_id and e.valid_to is null and e.entity_type = 'identity'
      and e.source_id = p.identity_source_id and (p.identity_source_type = '' or e.source_type = p.identity_source_type) limit 1
  ) i on true
  left join lateral (
    select e.name from entities e where e.integration_id = p.integration_id and e.valid_to is null and e.entity_type = p.target_entity_type
      and e.source_id = p.target_source_id and (p.target_source_type = '' or e.source_type = p.target_source_type) limit 1
  ) t on true
  order by ${order.replaceAll("a.", "p.")}`

/**
 * Queries over the effective-access table of the latest snapshot: what an identity can reach
 * (directly, or inherited through nested groups, with the path), and who can reach a given entity.
 * The table itself is rebuilt by every publish that changes relations.
 *
 * @category services
 */
export class EffectiveAccess extends Context.Service<
  EffectiveAccess,
  {
    readonly forIdentity: (
      tenantId: string,
      integrationId: string,
      identity: { readonly sourceId: string; readonly sourceType?: string },
      filter?: AccessFilter
    ) => Effect.Effect<Page<EffectiveGrant>, StoreError>
    readonly whoHas: (
      tenantId: string,
      integrationId: string,
      target: { readonly entityType: EntityType; readonly sourceId: string; readonly sourceType?: string },
      filter?: AccessFilter
    ) => Effect.Effect<Page<EffectiveGrant>, StoreError>
  }
>()("idconnect/store/EffectiveAccess") {
  static readonly layer = Layer.effect(
    EffectiveAccess,
    Effect.gen(function* () {
      const db = yield* SqlDriver

      const owned = (tenantId: string, integrationId: string) =>
        db
          .query("select 1 from integrations where id = $1 and tenant_id = $2", [integrationId, tenantId])
          .pipe(Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(StoreErrors.notFound("integration", integrationId)) : Effect.void)))

      return EffectiveAccess.of({
        forIdentity: Effect.fn("EffectiveAccess.forIdentity")(function* (tenantId, integrationId, identity, filter = {}) {
          yield* owned(tenantId, integrationId)
          const limit = yield* pageLimit(filter.limit)
          const after = yield* decodeCursor(filter.cursor, isStrings)
          const rows = yield* db.query<GrantRow>(
            pageWithNames(
              `a.integration_id = $1 and a.valid_to is null and a.identity_source_id = $2
               and ($3::text is null or a.identity_source_type = $3)
               and ($4::text is null or a.kind = $4) and ($5::text is null or a.privilege_name = $5)
               and ($6::text is null or (a.target_entity_type, a.target_source_type, a.target_source_id, a.privilege_name,
                 a.identity_source_type) > ($6, $7, $8, $9, $10))`,
              "a.target_entity_type, a.target_source_type, a.target_source_id, a.privilege_name, a.identity_source_type",
              "$11"
            ),
            [
              integrationId,
              identity.sourceId,
              identity.sourceType ?? null,
              filter.kind ?? null,
              filter.privilegeName ?? null,
              after?.[0] ?? null,
              after?.[1] ?? null,
              after?.[2] ?? null,
              after?.[3] ?? null,
              after?.[4] ?? null,
              limit + 1
            ]
          )
          return toPage(rows, limit, grantOf, (r) => [
            r.target_entity_type,
            r.target_source_type,
            r.target_source_id,
            r.privilege_name,
            r.identity_source_type
          ])
        }),
        whoHas: Effect.fn("EffectiveAccess.whoHas")(function* (tenantId, integrationId, target, filter = {}) {
          yield* owned(tenantId, integrationId)
          const limit = yield* pageLimit(filter.limit)
          const after = yield* decodeCursor(filter.cursor, isStrings)
          const rows = yield* db.query<GrantRow>(
            pageWithNames(
              `a.integration_id = $1 and a.valid_to is null and a.target_source_id = $2 and a.target_entity_type = $3
               and ($4::text is null or a.target_source_type = $4)
               and ($5::text is null or a.kind = $5) and ($6::text is null or a.privilege_name = $6)
               and ($7::text is null or (a.identity_source_id, a.identity_source_type, a.privilege_name, a.target_source_type)
                 > ($7, $8, $9, $10))`,
              "a.identity_source_id, a.identity_source_type, a.privilege_name, a.target_source_type",
              "$11"
            ),
            [
              integrationId,
              target.sourceId,
              target.entityType,
              target.sourceType ?? null,
              filter.kind ?? null,
              filter.privilegeName ?? null,
              after?.[0] ?? null,
              after?.[1] ?? null,
              after?.[2] ?? null,
              after?.[3] ?? null,
              limit + 1
            ]
          )
          return toPage(rows, limit, grantOf, (r) => [r.identity_source_id, r.identity_source_type, r.privilege_name, r.target_source_type])
        })
      })
    })
  )
}
