import type { IntegrationInput, IntegrationStatus, IntegrationView } from "@idconnect/schemas/Integration"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { Owner } from "@idconnect/schemas/Owners"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { newId } from "./internal/Ids.ts"
import { getPath, withoutPath, withPath } from "./internal/Paths.ts"
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from "./Page.ts"
import { SecretBox } from "./SecretBox.ts"
import { SqlDriver } from "./SqlDriver.ts"
import { StoreErrors, type StoreError } from "./StoreError.ts"

/** Fields of an integration that `update` may change; a given `config` replaces the non-secret config. */
export interface IntegrationPatch {
  readonly name?: string
  readonly description?: string | null
  readonly primaryOwner?: Owner
  readonly secondaryOwners?: ReadonlyArray<Owner>
  readonly mode?: ExtractionMode
  readonly config?: Record<string, unknown>
  readonly lifecycleEnabled?: boolean
  readonly schedule?: string | null
}

/** An integration with its tenant and the secrets decrypted, for the worker that runs it. Never log it. */
export interface IntegrationForRun {
  readonly integration: IntegrationView
  readonly tenantId: string
  /** The full config in its JSON form (secrets as plain strings), to decode with the plugin's Schema at once. */
  readonly config: Record<string, unknown>
}

export interface ScheduledIntegration {
  readonly id: string
  readonly tenantId: string
  readonly schedule: string
}

type IntegrationRow = {
  id: string
  tenant_id: string
  name: string
  description: string | null
  app: string
  mode: ExtractionMode
  primary_owner: Owner
  secondary_owners: ReadonlyArray<Owner>
  config: Record<string, unknown>
  secret_fields: ReadonlyArray<string>
  secrets: Record<string, string>
  lifecycle_enabled: boolean
  schedule: string | null
  status: IntegrationStatus
  message: string
  last_run_id: string | null
  created_at: string
  updated_at: string
}

const view = (r: IntegrationRow): IntegrationView => ({
  id: r.id,
  name: r.name,
  ...(r.description === null ? {} : { description: r.description }),
  app: r.app,
  primaryOwner: r.primary_owner,
  secondaryOwners: r.secondary_owners,
  mode: r.mode,
  config: r.config,
  secrets: Object.fromEntries(r.secret_fields.map((f) => [f, r.secrets[f] === undefined ? "not set" : "set"] as const)),
  lifecycleEnabled: r.lifecycle_enabled,
  schedule: r.schedule,
  status: r.status,
  message: r.message,
  lastRunId: r.last_run_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at
})

const aad = (integrationId: string, path: string) => `integration:${integrationId}:${path}`

const secretValue = (path: string, value: unknown): Effect.Effect<Redacted.Redacted<string> | undefined, StoreError> => {
  if (value === undefined || value === null) return Effect.succeed(undefined)
  if (Redacted.isRedacted(value)) {
    const inner = Redacted.value(value)
    return typeof inner === "string" && inner.trim() !== ""
      ? Effect.succeed(value as Redacted.Redacted<string>)
      : Effect.fail(StoreErrors.invalidInput(`config.${path}`, `config.${path} must be a non-empty string`))
  }
  return typeof value === "string" && value.trim() !== ""
    ? Effect.succeed(Redacted.make(value))
    : Effect.fail(StoreErrors.invalidInput(`config.${path}`, `config.${path} must be a non-empty string`))
}

const checkSecretFields = (fields: ReadonlyArray<string>) =>
  fields.every((f) => /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(f))
    ? Effect.void
    : Effect.fail(StoreErrors.invalidInput("secretFields", "secret field paths are dotted identifiers such as `auth.token`"))

/**
 * Integrations of a tenant. Secret fields (the mode's `secretFields` paths) are cut out of the
 * config and stored AES-256-GCM encrypted; views only say whether each is set. Every method that a
 * client reaches takes the tenant id, and another tenant's integration is "not found".
 *
 * @category services
 */
export class Integrations extends Context.Service<
  Integrations,
  {
    /** Creates an integration. `config` is the JSON form; values at `secretFields` may be strings or `Redacted`. */
    readonly create: (
      tenantId: string,
      input: IntegrationInput,
      secretFields: ReadonlyArray<string>
    ) => Effect.Effect<IntegrationView, StoreError>
    readonly get: (tenantId: string, id: string) => Effect.Effect<IntegrationView, StoreError>
    readonly list: (tenantId: string, page?: PageRequest) => Effect.Effect<Page<IntegrationView>, StoreError>
    /**
     * Changes fields. With `config`, the non-secret config is replaced; secrets present in it are
     * replaced, absent ones kept. Changing `mode` requires `secretFields` of the new mode.
     */
    readonly update: (
      tenantId: string,
      id: string,
      patch: IntegrationPatch,
      secretFields?: ReadonlyArray<string>
    ) => Effect.Effect<IntegrationView, StoreError>
    /** Replaces one secret, leaving the rest of the config as it is. */
    readonly rotateSecret: (
      tenantId: string,
      id: string,
      path: string,
      value: Redacted.Redacted<string> | string
    ) => Effect.Effect<IntegrationView, StoreError>
    readonly remove: (tenantId: string, id: string) => Effect.Effect<void, StoreError>
    /** Status as the product shows it (Pending, Syncing, Connected "Data available", Error + message). */
    readonly setStatus: (id: string, status: IntegrationStatus, message: string) => Effect.Effect<void, StoreError>
    /** What a run reports (Syncing, Error, ...): like `setStatus`, but a Disabled integration stays Disabled. */
    readonly setRunStatus: (id: string, status: IntegrationStatus, message: string) => Effect.Effect<void, StoreError>
    /** For the worker: the integration with its secrets decrypted. */
    readonly loadForRun: (id: string) => Effect.Effect<IntegrationForRun, StoreError>
    /** Every integration with a schedule, for reconciling the queue's cron entries. */
    readonly listScheduled: () => Effect.Effect<ReadonlyArray<ScheduledIntegration>, StoreError>
  }
>()("idconnect/store/Integrations") {
  static readonly layer = Layer.effect(
    Integrations,
    Effect.gen(function* () {
      const db = yield* SqlDriver
      const box = yield* SecretBox

      const row = (tenantId: string, id: string) =>
        db
          .query<IntegrationRow>("select * from integrations where id = $1 and tenant_id = $2", [id, tenantId])
          .pipe(Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(StoreErrors.notFound("integration", id)) : Effect.succeed(rows[0]!))))

      /** Cuts the secrets out of a config, encrypting those present. */
      const split = (id: string, config: Record<string, unknown>, fields: ReadonlyArray<string>) =>
        Effect.gen(function* () {
          let plain = config
          const secrets: Record<string, string> = {}
          for (const path of fields) {
            const value = yield* secretValue(path, getPath(config, path))
            plain = withoutPath(plain, path)
            if (value !== undefined) secrets[path] = box.encrypt(value, aad(id, path))
          }
          return { plain, secrets }
        })

      const get = Effect.fn("Integrations.get")(function* (tenantId: string, id: string) {
        return view(yield* row(tenantId, id))
      })

      return Integrations.of({
        create: Effect.fn("Integrations.create")(function* (tenantId, input, secretFields) {
          yield* checkSecretFields(secretFields)
          const id = newId("int")
          const { plain, secrets } = yield* split(id, input.config, secretFields)
          const rows = yield* db
            .query<IntegrationRow>(
              `insert into integrations (id, tenant_id, name, description, app, mode, primary_owner, secondary_owners, config,
                 secret_fields, secrets, lifecycle_enabled, schedule, status, message)
               values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11::jsonb, $12, $13, 'Pending', 'Waiting for the first sync')
               returning *`,
              [
                id,
                tenantId,
                input.name.trim(),
                input.description ?? null,
                input.app,
                input.mode,
                JSON.stringify(input.primaryOwner),
                JSON.stringify(input.secondaryOwners ?? []),
                JSON.stringify(plain),
                [...secretFields],
                JSON.stringify(secrets),
                input.lifecycleEnabled ?? false,
                input.schedule ?? null
              ]
            )
            .pipe(
              Effect.catchTag("StoreError", (e) =>
                e.reason._tag === "Conflict" ? Effect.fail(StoreErrors.notFound("tenant", tenantId)) : Effect.fail(e)
              )
            )
          return view(rows[0]!)
        }),
        get,
        list: Effect.fn("Integrations.list")(function* (tenantId, page) {
          const limit = yield* pageLimit(page?.limit)
          const after = yield* decodeCursor(page?.cursor, (v): v is string => typeof v === "string")
          const rows = yield* db.query<IntegrationRow>(
            "select * from integrations where tenant_id = $1 and ($2::text is null or id > $2) order by id limit $3",
            [tenantId, after ?? null, limit + 1]
          )
          return toPage(rows, limit, view, (r) => r.id)
        }),
        update: Effect.fn("Integrations.update")(function* (tenantId, id, patch, secretFields) {
          if (patch.name !== undefined && patch.name.trim() === "") return yield* StoreErrors.invalidInput("name", "name must not be blank")
          const current = yield* row(tenantId, id)
          const modeChanges = patch.mode !== undefined && patch.mode !== current.mode
          if (modeChanges && (secretFields === undefined || patch.config === undefined)) {
            return yield* StoreErrors.invalidInput("mode", "Changing the mode needs the new mode's full config and secret fields")
          }
          const fields = secretFields ?? current.secret_fields
          yield* checkSecretFields(fields)
          let config = current.config
          let secrets: Record<string, string> = Object.fromEntries(Object.entries(current.secrets).filter(([path]) => fields.includes(path)))
          if (modeChanges) secrets = {}
          if (patch.config !== undefined) {
            const next = yield* split(id, patch.config, fields)
            config = next.plain
            secrets = { ...secrets, ...next.secrets }
          }
          const rows = yield* db.query<IntegrationRow>(
            `update integrations set name = $3, description = $4, primary_owner = $5::jsonb, secondary_owners = $6::jsonb,
               mode = $7, config = $8::jsonb, secret_fields = $9, secrets = $10::jsonb, lifecycle_enabled = $11, schedule = $12,
               updated_at = now()
             where id = $1 and tenant_id = $2 returning *`,
            [
              id,
              tenantId,
              patch.name?.trim() ?? current.name,
              patch.description === undefined ? current.description : patch.description,
              JSON.stringify(patch.primaryOwner ?? current.primary_owner),
              JSON.stringify(patch.secondaryOwners ?? current.secondary_owners),
              patch.mode ?? current.mode,
              JSON.stringify(config),
              [...fields],
              JSON.stringify(secrets),
              patch.lifecycleEnabled ?? current.lifecycle_enabled,
              patch.schedule === undefined ? current.schedule : patch.schedule
            ]
          )
          return view(rows[0]!)
        }),
        rotateSecret: Effect.fn("Integrations.rotateSecret")(function* (tenantId, id, path, value) {
          const current = yield* row(tenantId, id)
          if (!current.secret_fields.includes(path)) {
            return yield* StoreErrors.invalidInput(
              "path",
              `'${path}' is not a secret field of this integration (secret fields: ${current.secret_fields.join(", ") || "none"})`
            )
          }
          const secret = yield* secretValue(path, value)
          if (secret === undefined) return yield* StoreErrors.invalidInput(`config.${path}`, `config.${path} must be a non-empty string`)
          const rows = yield* db.query<IntegrationRow>(
            `update integrations set secrets = secrets || jsonb_build_object($3::text, $4::text), updated_at = now()
             where id = $1 and tenant_id = $2 returning *`,
            [id, tenantId, path, box.encrypt(secret, aad(id, path))]
          )
          return view(rows[0]!)
        }),
        remove: Effect.fn("Integrations.remove")(function* (tenantId, id) {
          yield* db.transaction((tx) =>
            Effect.gen(function* () {
              const owned = yield* tx.query("select 1 from integrations where id = $1 and tenant_id = $2 for update", [id, tenantId])
              if (owned.length === 0) return yield* StoreErrors.notFound("integration", id)
              for (const table of ["staged_entities", "staged_relations"]) {
                yield* tx.query(`delete from ${table} where run_id in (select id from runs where integration_id = $1)`, [id])
              }
              yield* tx.query("delete from integrations where id = $1", [id])
              // Snapshot tables have no foreign key (see Migrations.ts), so their rows go explicitly.
              for (const table of ["entities", "relations", "effective_access"]) {
                yield* tx.query(`delete from ${table} where integration_id = $1`, [id])
              }
            })
          )
        }),
        setStatus: Effect.fn("Integrations.setStatus")(function* (id, status, message) {
          yield* db.query("update integrations set status = $2, message = $3, updated_at = now() where id = $1", [id, status, message])
        }),
        setRunStatus: Effect.fn("Integrations.setRunStatus")(function* (id, status, message) {
          yield* db.query(
            "update integrations set status = $2, message = $3, updated_at = now() where id = $1 and status <> 'Disabled'",
            [id, status, message]
          )
        }),
        loadForRun: Effect.fn("Integrations.loadForRun")(function* (id) {
          const rows = yield* db.query<IntegrationRow>("select * from integrations where id = $1", [id])
          const r = rows[0]
          if (r === undefined) return yield* StoreErrors.notFound("integration", id)
          let config = r.config
          for (const [path, envelope] of Object.entries(r.secrets)) {
            const secret = yield* box.decrypt(envelope, aad(id, path))
            config = withPath(config, path, Redacted.value(secret))
          }
          return { integration: view(r), tenantId: r.tenant_id, config }
        }),
        listScheduled: Effect.fn("Integrations.listScheduled")(function* () {
          const rows = yield* db.query<{ id: string; tenant_id: string; schedule: string }>(
            "select id, tenant_id, schedule from integrations where schedule is not null order by id"
          )
          return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, schedule: r.schedule }))
        })
      })
    })
  )
}
