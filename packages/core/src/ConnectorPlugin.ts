import type { Catalog } from "@idconnect/schemas/Catalog"
import type { CheckReport } from "@idconnect/schemas/CheckReport"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { ExtractionMode } from "@idconnect/schemas/ModeConfig"
import type { OperationRequest, OperationResult, Plan } from "@idconnect/schemas/Operation"
import type { Checkpoint } from "@idconnect/schemas/Run"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { ConnectorError } from "./ConnectorError.ts"

/**
 * Who a plugin is. `allowedHosts` are the only hosts it may call by default (configured overrides,
 * such as a simulator or a private endpoint, are added per integration).
 */
export interface PluginMetadata {
  readonly id: string
  readonly displayName: string
  readonly version: string
  readonly sourceSystem: string
  readonly description: string
  readonly allowedHosts: ReadonlyArray<string>
  /** Behaviour flags orchestration may branch on, e.g. `{ deltaSync: "supported" }`. */
  readonly features?: Readonly<Record<string, "supported" | "unsupported">>
}

/** What every capability call gets besides its config. */
export interface CallContext {
  /** Which extraction run this is for, when any (for logs and spans). */
  readonly runId?: string
}

/**
 * The read capability set: test the connection, describe what can be extracted, extract it.
 * `extract` streams records; every `checkpoint` record promises that all records before it were
 * emitted, so resuming from it (passed back as `checkpoint`) yields the rest, no loss and no
 * duplicates beyond the replay of the records after that checkpoint.
 *
 * @category contract
 */
export interface ReadCapability<C> {
  readonly check: (config: C, ctx?: CallContext) => Effect.Effect<CheckReport, ConnectorError>
  readonly discover: (config: C, ctx?: CallContext) => Effect.Effect<Catalog, ConnectorError>
  readonly extract: (
    config: C,
    checkpoint: Checkpoint | undefined,
    ctx?: CallContext
  ) => Stream.Stream<ExtractRecord, ConnectorError>
}

/**
 * The lifecycle capability set: typed operations, a dry-run plan, an idempotent apply.
 * `apply` re-plans against current state, so applying twice changes the system once.
 *
 * @category contract
 */
export interface LifecycleCapability<C> {
  /** One Schema per operation name: the operation's parameters. */
  readonly operations: Readonly<Record<string, Schema.Top>>
  readonly plan: (config: C, operations: ReadonlyArray<OperationRequest>, ctx?: CallContext) => Effect.Effect<Plan, ConnectorError>
  readonly apply: (
    config: C,
    operations: ReadonlyArray<OperationRequest>,
    ctx?: CallContext
  ) => Effect.Effect<ReadonlyArray<OperationResult>, ConnectorError>
}

/**
 * One extraction mode a plugin supports: its config Schema (decoded from JSON, secrets as
 * `Redacted`) and, for the pull modes (direct, scim), the capability sets that run it. The push
 * modes (csv, bulk) are ingested by the platform and need only the config Schema.
 *
 * @category contract
 */
export interface ModeDefinition<C> {
  readonly config: Schema.Codec<C, any, never, never>
  /** Config fields that hold secrets (top-level or dotted paths, e.g. `auth.token`). */
  readonly secretFields: ReadonlyArray<string>
  readonly read?: ReadCapability<C>
  readonly lifecycle?: LifecycleCapability<C>
}

/**
 * A connector plugin: metadata plus the modes it supports. Capabilities are derived from which
 * members exist (see `Capabilities.ts`), never listed by hand.
 *
 * @category contract
 * @example
 * const plugin: ConnectorPlugin = {
 *   metadata: { id: "acme", displayName: "Acme", version: "1.0.0", sourceSystem: "acme",
 *               description: "Acme directory", allowedHosts: ["api.acme.example"] },
 *   modes: { direct: { config: AcmeConfig, secretFields: ["token"], read: { check, discover, extract } } }
 * }
 */
export interface ConnectorPlugin {
  readonly metadata: PluginMetadata
  readonly modes: { readonly [M in ExtractionMode]?: ModeDefinition<any> }
}

/** The modes a plugin supports, in the order it declares them (the first is the default). */
export const pluginModes = (plugin: ConnectorPlugin): ReadonlyArray<ExtractionMode> =>
  Object.keys(plugin.modes) as Array<ExtractionMode>
