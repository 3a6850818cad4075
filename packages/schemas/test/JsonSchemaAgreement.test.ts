import { assert, describe, it } from "@effect/vitest"
import { Ajv } from "ajv"
import addFormats from "ajv-formats"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { CheckReport } from "../src/CheckReport.ts"
import { IsoDateTime } from "../src/Common.ts"
import { Entity } from "../src/Entity.ts"
import { EntityRelation } from "../src/EntityRelation.ts"
import { IntegrationInput } from "../src/Integration.ts"
import { toDraft07 } from "../src/JsonSchemaExport.ts"
import { EntraDirectConfig, ScimConfig } from "../src/ModeConfig.ts"
import { OperationRequest } from "../src/Operation.ts"

// The JSON Schema ajv validates at the edges (API bodies, CSV rows) is derived from the Effect
// Schemas. If the two disagree, a request ajv lets through fails later in the decoder, or valid
// data is refused at the door. This table pins them together: each sample is decoded by both,
// and both must give the same verdict (and the verdict the table states).

const ajv = new Ajv({ allErrors: true, strict: false })
addFormats.default(ajv)

type Sample = readonly [label: string, input: unknown, valid: boolean]

const entity = { name: "Ada Lovelace", entityType: "identity", sourceSystem: "azure", sourceId: "u-1", sourceType: "user" }
const relation = { parentSourceId: "u-1", parentEntityType: "identity", entitySourceId: "g-1", entityType: "connection" }
const owner = { email: "owner@example.com" }
const integration = { name: "Contoso", app: "entra", primaryOwner: owner, mode: "direct", config: { tenantId: "t" } }
const entra = { tenantId: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "s3cret" }
const report = {
  status: "Connected",
  message: "ok",
  findings: [{ code: "ReadOk", severity: "ok", message: "fine" }],
  capabilitySets: { read: "ready", lifecycle: "not-supported" }
}

const tables: ReadonlyArray<readonly [name: string, schema: Schema.Top, samples: ReadonlyArray<Sample>]> = [
  ["Entity", Entity, [
    ["minimal", entity, true],
    ["with app, metadata version and metadata", { ...entity, app: "Entra", metadataVersion: "1", metadata: { accountEnabled: true, nested: { a: [1] } } }, true],
    ["unicode name", { ...entity, name: "Zoë Ångström" }, true],
    ["missing name", { ...entity, name: undefined }, false],
    ["blank name", { ...entity, name: "   " }, false],
    ["empty sourceId", { ...entity, sourceId: "" }, false],
    ["unknown entityType", { ...entity, entityType: "user" }, false],
    ["numeric sourceId", { ...entity, sourceId: 42 }, false],
    ["metadata is an array", { ...entity, metadata: [1, 2] }, false],
    ["metadata is a string", { ...entity, metadata: "{}" }, false],
    ["metadata is null", { ...entity, metadata: null }, false],
    ["excess field", { ...entity, owner: "x" }, false],
    ["not an object", "entity", false],
    ["null", null, false]
  ]],
  ["EntityRelation", EntityRelation, [
    ["minimal", relation, true],
    ["with source types and known metadata", { ...relation, parentSourceType: "user", entitySourceType: "group", sourceSystem: "azure", metadata: { privilegeName: "member", privilegeValue: true, connectionType: "group", assignmentKind: "eligible", startDateTime: null, endDateTime: "2026-01-01T00:00:00Z" } }, true],
    ["metadata keeps unknown keys", { ...relation, metadata: { privilegeName: "owner", custom: { x: 1 } } }, true],
    ["explicit deny", { ...relation, metadata: { privilegeValue: false } }, true],
    ["privilegeValue as a string", { ...relation, metadata: { privilegeValue: "true" } }, false],
    ["unknown assignmentKind", { ...relation, metadata: { assignmentKind: "temporary" } }, false],
    ["startDateTime as a number", { ...relation, metadata: { startDateTime: 5 } }, false],
    ["missing entitySourceId", { ...relation, entitySourceId: undefined }, false],
    ["blank parentSourceId", { ...relation, parentSourceId: " " }, false],
    ["unknown parentEntityType", { ...relation, parentEntityType: "group" }, false],
    ["excess field", { ...relation, weight: 1 }, false]
  ]],
  ["IntegrationInput", IntegrationInput, [
    ["minimal", integration, true],
    ["full", { ...integration, description: "d", secondaryOwners: [{ email: "b@example.org", name: "B" }], lifecycleEnabled: true, schedule: "0 */6 * * *" }, true],
    ["manual schedule (null)", { ...integration, schedule: null }, true],
    ["schedule with 4 fields", { ...integration, schedule: "0 * * *" }, false],
    ["owner e-mail without @", { ...integration, primaryOwner: { email: "owner.example.com" } }, false],
    ["owner e-mail with spaces", { ...integration, primaryOwner: { email: "a b@example.com" } }, false],
    ["internationalised owner e-mail", { ...integration, primaryOwner: { email: "josé@bücher.example" } }, true],
    ["unknown mode", { ...integration, mode: "ftp" }, false],
    ["missing primaryOwner", { ...integration, primaryOwner: undefined }, false],
    ["config is a string", { ...integration, config: "tenantId=t" }, false],
    ["lifecycleEnabled as a string", { ...integration, lifecycleEnabled: "yes" }, false],
    ["blank name", { ...integration, name: "" }, false],
    ["excess field", { ...integration, secret: "x" }, false]
  ]],
  ["EntraDirectConfig", EntraDirectConfig, [
    ["client secret", entra, true],
    ["certificate, national cloud and simulator endpoints", { tenantId: "t", clientId: "c", certificate: "-----BEGIN CERTIFICATE-----", cloud: "usgov", authorityHost: "https://127.0.0.1:8443", graphBaseUrl: "https://127.0.0.1:8443/v1.0", caFile: "/tmp/ca.pem" }, true],
    ["empty", {}, false],
    ["missing clientId", { tenantId: "t" }, false],
    ["blank secret", { ...entra, clientSecret: "  " }, false],
    ["secret as a number", { ...entra, clientSecret: 1234 }, false],
    ["unknown cloud", { ...entra, cloud: "mars" }, false],
    ["http authority host", { ...entra, authorityHost: "http://login.example" }, false],
    ["excess field", { ...entra, password: "x" }, false]
  ]],
  ["ScimConfig", ScimConfig, [
    ["bearer", { baseUrl: "https://scim.example.com/v2", auth: { type: "bearer", token: "t" } }, true],
    ["basic", { baseUrl: "https://scim.example.com/v2", auth: { type: "basic", username: "u", password: "p" } }, true],
    ["oauth with quirks", { baseUrl: "https://s/v2", auth: { type: "oauth-client-credentials", tokenUrl: "https://t", clientId: "c", clientSecret: "s", scope: "scim" }, quirks: { pagination: "cursor", pageSize: 100, useEtags: false }, allowInsecureLoopback: true }, true],
    ["bearer without token", { baseUrl: "https://s", auth: { type: "bearer" } }, false],
    ["unknown auth type", { baseUrl: "https://s", auth: { type: "digest", token: "t" } }, false],
    ["auth mixes two methods", { baseUrl: "https://s", auth: { type: "bearer", token: "t", password: "p" } }, false],
    ["fractional page size", { baseUrl: "https://s", auth: { type: "bearer", token: "t" }, quirks: { pageSize: 10.5 } }, false],
    ["unknown pagination", { baseUrl: "https://s", auth: { type: "bearer", token: "t" }, quirks: { pagination: "offset" } }, false],
    ["missing baseUrl", { auth: { type: "bearer", token: "t" } }, false]
  ]],
  ["OperationRequest", OperationRequest, [
    ["without id", { operation: "addGroupMember", params: { groupId: "g", memberId: "u" } }, true],
    ["with id and empty params", { operation: "disableUser", params: {}, id: "op-1" }, true],
    ["missing params", { operation: "disableUser" }, false],
    ["params as an array", { operation: "disableUser", params: ["u"] }, false],
    ["operation as a number", { operation: 1, params: {} }, false],
    ["excess field", { operation: "x", params: {}, dryRun: true }, false]
  ]],
  ["CheckReport", CheckReport, [
    ["connected", report, true],
    ["error with findings, permissions and details", { ...report, status: "Error", findings: [{ code: "PermissionMissing", severity: "error", message: "m", fix: "grant it", affects: ["read"] }], permissions: [{ permission: "User.Read.All", capabilitySet: "read", granted: false, required: true, enables: "users" }], details: { tenant: "t" }, capabilitySets: { read: "unavailable", lifecycle: "unavailable" } }, true],
    ["unknown status", { ...report, status: "Degraded" }, false],
    ["unknown severity", { ...report, findings: [{ code: "x", severity: "fatal", message: "m" }] }, false],
    ["permission without granted", { ...report, permissions: [{ permission: "p", capabilitySet: "read", required: true, enables: "e" }] }, false],
    ["missing capabilitySets", { ...report, capabilitySets: undefined }, false],
    ["excess field in a finding", { ...report, findings: [{ code: "x", severity: "ok", message: "m", extra: 1 }] }, false]
  ]],
  ["IsoDateTime", IsoDateTime, [
    ["UTC", "2026-11-26T07:30:00Z", true],
    ["with fraction and offset", "2026-11-26T07:30:00.123+02:00", true],
    ["as Postgres prints it", "2026-11-26 07:30:00.123+00", true],
    ["29 February of a leap year", "2024-02-29T00:00:00Z", true],
    ["leap second at 23:59:60 UTC", "2016-12-31T23:59:60Z", true],
    ["without seconds", "2026-11-26T07:30Z", false],
    ["without zone", "2026-11-26T07:30:00", false],
    ["30 February", "2026-02-30T00:00:00Z", false],
    ["29 February of a common year", "2023-02-29T00:00:00Z", false],
    ["month 13", "2026-13-01T00:00:00Z", false],
    ["hour 24", "2026-01-01T24:00:00Z", false],
    ["leap second at noon", "2016-12-31T12:00:60Z", false],
    ["date only", "2026-11-26", false],
    ["free text", "yesterday", false]
  ]]
]

/** JSON has no `undefined`: drop such keys, as a JSON body would. */
const asJson = (input: unknown): unknown => (input === undefined ? undefined : JSON.parse(JSON.stringify(input)))

describe("ajv (derived draft-07 JSON Schema) and the Effect decoder agree", () => {
  for (const [name, schema, samples] of tables) {
    describe(name, () => {
      const validate = ajv.compile(toDraft07(schema))
      const decode = Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown, never, never>, { onExcessProperty: "error" })
      for (const [label, raw, valid] of samples) {
        it(`${valid ? "accepts" : "rejects"} ${label}`, () => {
          const input = asJson(raw)
          const byAjv = validate(input)
          const byEffect = Exit.isSuccess(decode(input))
          assert.strictEqual(byEffect, valid, `Effect decoder ${byEffect ? "accepts" : "rejects"} it`)
          assert.strictEqual(byAjv, valid, `ajv ${byAjv ? "accepts" : "rejects"} it: ${ajv.errorsText(validate.errors)}`)
        })
      }
    })
  }
})
