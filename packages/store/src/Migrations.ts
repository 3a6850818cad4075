import * as Effect from "effect/Effect"
import type { SqlConnection, SqlDriverShape } from "./SqlDriver.ts"
import type { StoreError } from "./StoreError.ts"

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * The store's schema, versioned. Append new migrations; never edit one that shipped.
 *
 * Snapshot tables (`entities`, `relations`, `effective_access`) keep every version of a row with a
 * validity range over the integration's publish sequence: `valid_from <= seq < valid_to` (open rows
 * have `valid_to` null and form the current snapshot). A run stages its rows in `staged_*` and
 * publishing closes and opens rows in one transaction. They carry no foreign key and no surrogate
 * key on purpose: publishes write hundreds of thousands of rows, and every index or per-row trigger
 * is paid on each (removing an integration deletes its rows explicitly).
 */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "platform",
    sql: `
create table store_meta (key text primary key, value text not null);

create table tenants (
  id text primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table api_keys (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  name text not null,
  salt text not null,
  secret_hash text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_tenant on api_keys (tenant_id);

create table integrations (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  name text not null,
  description text,
  app text not null,
  mode text not null,
  primary_owner jsonb not null,
  secondary_owners jsonb not null default '[]',
  config jsonb not null default '{}',
  secret_fields text[] not null default '{}',
  secrets jsonb not null default '{}',
  lifecycle_enabled boolean not null default false,
  schedule text,
  status text not null default 'Pending',
  message text not null default '',
  last_run_id text,
  published_run_id text,
  published_seq bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index integrations_tenant on integrations (tenant_id, id);

create table runs (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  integration_id text not null references integrations(id) on delete cascade,
  kind text not null,
  trigger text not null,
  status text not null default 'queued',
  payload jsonb not null default '{}',
  sync_mode text,
  seq bigint,
  progress jsonb not null default '{"phase":"queued","entities":0,"relations":0,"deletions":0,"requests":0,"ratePerSecond":0}',
  warnings jsonb not null default '[]',
  error jsonb,
  attempts int not null default 0,
  job_id text,
  lease_owner text,
  lease_expires_at timestamptz,
  heartbeat_at timestamptz,
  cancel_requested boolean not null default false,
  workers text[] not null default '{}',
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  published_at timestamptz
);
-- "One integration never syncs twice at once", enforced by the database.
create unique index runs_one_active_sync on runs (integration_id) where status = 'running' and kind <> 'lifecycle';
create index runs_integration on runs (integration_id, id desc);
create index runs_published on runs (integration_id, seq) where seq is not null;

create table checkpoints (
  run_id text primary key references runs(id) on delete cascade,
  checkpoint jsonb not null,
  sequence int not null,
  entities_ord bigint not null default 0,
  relations_ord bigint not null default 0,
  saved_at timestamptz not null default now()
);

create table staged_entities (
  run_id text not null,
  ord bigserial,
  entity_type text not null,
  source_type text not null,
  source_id text not null,
  name text,
  app text,
  source_system text,
  metadata_version text,
  metadata jsonb,
  deleted boolean not null default false
);
create index staged_entities_run on staged_entities (run_id, ord);

create table staged_relations (
  run_id text not null,
  ord bigserial,
  parent_entity_type text not null,
  parent_source_type text not null,
  parent_source_id text not null,
  entity_type text not null,
  entity_source_type text not null,
  entity_source_id text not null,
  privilege_name text not null,
  scope text not null,
  app text,
  source_system text,
  metadata_version text,
  metadata jsonb,
  deleted boolean not null default false
);
create index staged_relations_run on staged_relations (run_id, ord);

create table entities (
  integration_id text not null,
  entity_type text not null,
  source_type text not null,
  source_id text not null,
  name text not null,
  app text,
  source_system text not null,
  metadata_version text,
  metadata jsonb,
  hash text not null,
  valid_from bigint not null,
  valid_to bigint
);
create unique index entities_current on entities (integration_id, entity_type, source_type, source_id) where valid_to is null;
create index entities_from on entities (integration_id, valid_from);
create index entities_to on entities (integration_id, valid_to) where valid_to is not null;

create table relations (
  integration_id text not null,
  rkey text not null,
  parent_entity_type text not null,
  parent_source_type text not null,
  parent_source_id text not null,
  entity_type text not null,
  entity_source_type text not null,
  entity_source_id text not null,
  privilege_name text not null,
  scope text not null,
  app text,
  source_system text,
  metadata_version text,
  metadata jsonb,
  hash text not null,
  valid_from bigint not null,
  valid_to bigint
);
create unique index relations_current on relations (integration_id, rkey) where valid_to is null;
create index relations_parent on relations (integration_id, parent_source_id) where valid_to is null;
create index relations_child on relations (integration_id, entity_source_id) where valid_to is null;
create index relations_from on relations (integration_id, valid_from);
create index relations_to on relations (integration_id, valid_to) where valid_to is not null;

create table effective_access (
  integration_id text not null,
  identity_source_type text not null,
  identity_source_id text not null,
  target_entity_type text not null,
  target_source_type text not null,
  target_source_id text not null,
  privilege_name text not null,
  kind text not null,
  path text[] not null,
  hash text not null,
  valid_from bigint not null,
  valid_to bigint
);
create unique index effective_access_current on effective_access
  (integration_id, identity_source_id, identity_source_type, target_entity_type, target_source_type, target_source_id, privilege_name)
  where valid_to is null;
create index effective_access_target on effective_access (integration_id, target_source_id) where valid_to is null;
create index effective_access_from on effective_access (integration_id, valid_from);
create index effective_access_to on effective_access (integration_id, valid_to) where valid_to is not null;

create table operations (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  integration_id text not null references integrations(id) on delete cascade,
  plan_id text not null,
  run_id text,
  position int not null,
  client_ref text,
  operation text not null,
  params jsonb not null,
  plan jsonb,
  status text not null default 'planned',
  result jsonb,
  requested_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index operations_plan on operations (plan_id, position);
create index operations_integration on operations (integration_id, id desc);

create table audit_log (
  id bigserial primary key,
  tenant_id text not null,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  target_type text not null,
  target_id text not null,
  integration_id text,
  run_id text,
  details jsonb not null default '{}'
);
create index audit_log_tenant on audit_log (tenant_id, id desc);

create table uploads (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  integration_id text not null references integrations(id) on delete cascade,
  status text not null default 'open',
  created_at timestamptz not null default now()
);
create table upload_parts (
  upload_id text not null references uploads(id) on delete cascade,
  file text not null,
  seq int not null,
  data bytea not null,
  primary key (upload_id, file, seq)
);
`
  },
  {
    version: 2,
    name: "who-has in identity order",
    // Who-has pages are ordered by identity: with the identity in the index, a page of a group with
    // 50k members reads its rows in order instead of sorting all of them.
    sql: `
drop index effective_access_target;
create index effective_access_target on effective_access (integration_id, target_source_id, identity_source_id) where valid_to is null;
`
  },
  {
    version: 3,
    name: "upload idempotency keys, received size, run by upload",
    // A retried upload request finds its upload by key (unique per integration) instead of scanning
    // the audit trail; the received size outlives the parts the worker drops; an upload's ingest run
    // is found by the upload id in its payload.
    sql: `
alter table uploads add column idempotency_key text, add column details jsonb not null default '{}', add column received_bytes int8;
create unique index uploads_idempotency_key on uploads (tenant_id, integration_id, idempotency_key) where idempotency_key is not null;
create index runs_upload on runs ((payload->>'uploadId')) where kind = 'ingest';
`
  },
  {
    version: 4,
    name: "current entities by source id",
    // Effective-access pages name both ends of each grant; a grant may not know an end's source type,
    // and without the source type next to the id in an index each name lookup read every entity of
    // that type in the integration.
    sql: `
create index entities_current_by_id on entities (integration_id, entity_type, source_id) where valid_to is null;
`
  },
  {
    version: 5,
    name: "sync scope of runs",
    // What a full run replaces: everything, or (bulk uploads) only the entities or only the relations.
    sql: `
alter table runs add column sync_scope text not null default 'all';
`
  },
  {
    version: 6,
    name: "upload claim leases",
    // A request writing an upload holds it by a claim that each written part renews; a claim whose
    // writer died (SIGKILL mid-write) lapses and a retry takes the upload over. Uploads left
    // 'received' by an earlier version have no lease: they can be taken over at once.
    sql: `
alter table uploads add column claim_id text, add column claimed_until timestamptz;
update uploads set claimed_until = now() where status = 'received';
`
  },
  {
    version: 7,
    name: "identifiers in byte order",
    // Keys, ids and hashes are compared, sorted and indexed millions of times per publish. Under a
    // linguistic collation (the database default, e.g. en_US.UTF-8 or C.UTF-8) every comparison goes
    // through strcoll and sorts cannot use abbreviated keys; in byte order ("C") a large publish sorts
    // and builds its indexes several times faster. Ids are opaque, so byte order is their natural
    // order; display names keep the database's collation. Indexes on these columns are rebuilt
    // (the tables are locked meanwhile) and the columns lose their statistics: analyze them again.
    sql: `
${byteOrder("staged_entities", ["entity_type", "source_type", "source_id"])}
${byteOrder("staged_relations", ["parent_entity_type", "parent_source_type", "parent_source_id", "entity_type", "entity_source_type", "entity_source_id", "privilege_name", "scope"])}
${byteOrder("entities", ["integration_id", "entity_type", "source_type", "source_id", "hash"])}
${byteOrder("relations", ["integration_id", "rkey", "parent_entity_type", "parent_source_type", "parent_source_id", "entity_type", "entity_source_type", "entity_source_id", "privilege_name", "scope", "hash"])}
${byteOrder("effective_access", ["integration_id", "identity_source_type", "identity_source_id", "target_entity_type", "target_source_type", "target_source_id", "privilege_name", "kind", "hash"])}
analyze staged_entities, staged_relations, entities, relations, effective_access;
`
  }
]

/** Migration 7's statement for one table (spelled out here: a shipped migration must not follow later edits of ID_TEXT). */
function byteOrder(table: string, columns: ReadonlyArray<string>): string {
  return `alter table ${table} ${columns.map((c) => `alter column ${c} type text collate "C"`).join(", ")};`
}

// Any fixed number works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK = 4_721_001

const locked = (tx: SqlConnection) => tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK])

const appliedVersions = (tx: SqlConnection) =>
  Effect.gen(function* () {
    yield* locked(tx)
    yield* tx.exec(
      "create table if not exists schema_migrations (version int primary key, name text not null, applied_at timestamptz not null default now())"
    )
    const rows = yield* tx.query<{ version: number }>("select version from schema_migrations")
    return new Set(rows.map((r) => r.version))
  })

/**
 * Applies pending migrations, each in its own transaction under an advisory lock: a second process
 * starting at the same time waits, then finds the work done.
 */
export const runMigrations = (driver: SqlDriverShape, list: ReadonlyArray<Migration> = migrations): Effect.Effect<ReadonlyArray<number>, StoreError> =>
  Effect.gen(function* () {
    const applied = yield* driver.transaction(appliedVersions)
    const done: Array<number> = []
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue
      const ran = yield* driver.transaction((tx) =>
        Effect.gen(function* () {
          yield* locked(tx)
          const again = yield* tx.query("select 1 from schema_migrations where version = $1", [migration.version])
          if (again.length > 0) return false
          yield* tx.exec(migration.sql)
          yield* tx.query("insert into schema_migrations (version, name) values ($1, $2)", [migration.version, migration.name])
          return true
        })
      )
      if (ran) done.push(migration.version)
    }
    return done
  }).pipe(Effect.withSpan("Store.migrate"))
