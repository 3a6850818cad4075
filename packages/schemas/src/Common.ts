import * as Schema from "effect/Schema"

/** A non-empty string after trimming; the base for names and identifiers that users type. */
export const NonBlankString = Schema.String.check(Schema.isPattern(/\S/u))

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/u
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * Whether a string is an RFC 3339 date-time that exists on the calendar, with the rules ajv's
 * `date-time` format applies (so the derived JSON Schema and the decoder agree): seconds and a
 * zone are required, `T` may be a space, a leap second only at 23:59:60 UTC.
 */
const isRfc3339 = (s: string): boolean => {
  const m = DATE_TIME.exec(s)
  if (m === null) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!)) return false
  const sign = m[7] === "-" ? -1 : 1
  const zoneHours = Number(m[8] ?? 0)
  const zoneMinutes = Number(m[9] ?? 0)
  if (zoneHours > 23 || zoneMinutes > 59) return false
  if (hour <= 23 && minute <= 59 && second < 60) return true
  const utcMinute = minute - zoneMinutes * sign
  const utcHour = hour - zoneHours * sign - (utcMinute < 0 ? 1 : 0)
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61
}

/**
 * An RFC 3339 timestamp kept as its string form (what APIs, CSV files and Graph exchange), e.g.
 * `2026-11-26T07:30:00Z` or Postgres' `2026-11-26 07:30:00.123+00`.
 */
export const IsoDateTime = Schema.String.check(
  Schema.makeFilter((s: string) => isRfc3339(s) || "Expected an RFC 3339 date-time with seconds and a zone, e.g. 2026-11-26T07:30:00Z", {
    toJsonSchema: () => ({ format: "date-time" })
  })
).annotate({ description: "RFC 3339 date-time, e.g. 2026-11-26T07:30:00Z" })

/** A JSON object of free-form attributes (entity and relation metadata, raw source objects). */
export const JsonObject = Schema.Record(Schema.String, Schema.Unknown)
export type JsonObject = typeof JsonObject.Type

/**
 * An e-mail address, loosely checked: the identity systems we read are the authority on e-mails
 * (internationalised addresses included). No JSON Schema `format: "email"`, whose stricter
 * ASCII-only rule would make ajv refuse what the decoder accepts.
 */
export const Email = Schema.String.check(Schema.isPattern(/^[^\s@]+@[^\s@]+$/u)).annotate({ description: "An e-mail address" })

export const IntegrationId = Schema.String.pipe(Schema.brand("IntegrationId"))
export type IntegrationId = typeof IntegrationId.Type
export const TenantId = Schema.String.pipe(Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type
export const RunId = Schema.String.pipe(Schema.brand("RunId"))
export type RunId = typeof RunId.Type
export const PluginId = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]*$/u)).pipe(Schema.brand("PluginId"))
export type PluginId = typeof PluginId.Type
