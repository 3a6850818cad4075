import * as Schema from "effect/Schema"

/** A non-empty string after trimming; the base for names and identifiers that users type. */
export const NonBlankString = Schema.String.check(Schema.isPattern(/\S/u))

/** An ISO 8601 timestamp kept as its string form (what APIs, CSV files and Graph exchange). */
export const IsoDateTime = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/u)
).annotate({ format: "date-time", description: "ISO 8601 date-time" })

/** A JSON object of free-form attributes (entity and relation metadata, raw source objects). */
export const JsonObject = Schema.Record(Schema.String, Schema.Unknown)
export type JsonObject = typeof JsonObject.Type

/** An e-mail address, loosely checked: the identity systems we read are the authority on e-mails. */
export const Email = Schema.String.check(Schema.isPattern(/^[^\s@]+@[^\s@]+$/u)).annotate({ format: "email" })

export const IntegrationId = Schema.String.pipe(Schema.brand("IntegrationId"))
export type IntegrationId = typeof IntegrationId.Type
export const TenantId = Schema.String.pipe(Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type
export const RunId = Schema.String.pipe(Schema.brand("RunId"))
export type RunId = typeof RunId.Type
export const PluginId = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]*$/u)).pipe(Schema.brand("PluginId"))
export type PluginId = typeof PluginId.Type
