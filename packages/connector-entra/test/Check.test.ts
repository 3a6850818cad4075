import type { ConnectorError } from "@idconnect/core/ConnectorError"
import { type GraphSimHandle, LIFECYCLE_PERMISSIONS, READ_PERMISSIONS } from "@idconnect/graph-sim/GraphSim"
import type { CheckReport } from "@idconnect/schemas/CheckReport"
import * as Effect from "effect/Effect"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { makeEntraPlugin } from "../src/EntraPlugin.ts"
import { decode, rawConfig, startSim } from "./support/Sim.ts"

let sim: GraphSimHandle
const ALL = [...READ_PERMISSIONS, ...LIFECYCLE_PERMISSIONS]

beforeAll(async () => {
  sim = await startSim(
    {
      preset: "demo",
      seed: 21,
      license: "P2",
      mainAppPrivileged: true,
      apps: [
        { name: "main", permissions: ALL, certificate: true },
        { name: "partial", permissions: ["User.Read.All", "Group.Read.All"] },
        { name: "expired", permissions: READ_PERMISSIONS, secretExpiresInDays: -10 },
        { name: "expiring", permissions: ALL, secretExpiresInDays: 12 },
        { name: "pending", permissions: ALL },
        { name: "groupsOnly", permissions: ["Group.Read.All", "GroupMember.Read.All"] }
      ]
    },
    { preset: "demo", seed: 22, license: "none" },
    { preset: "demo", seed: 23, license: "P1" }
  )
})
afterAll(() => sim?.stop())

const check = async (raw: Record<string, unknown>): Promise<CheckReport> => {
  const plugin = makeEntraPlugin()
  return Effect.runPromise(plugin.modes.direct!.read!.check(await decode(raw)) as Effect.Effect<CheckReport, ConnectorError>)
}
const finding = (report: CheckReport, code: string) => report.findings.find((f) => f.code === code)
const codes = (report: CheckReport) => report.findings.map((f) => f.code)

describe("check: signing in", () => {
  it("a working app is Connected, with the sign-in, the licence features and the secret's expiry", async () => {
    const report = await check(rawConfig(sim, "main"))
    assert.strictEqual(report.status, "Connected")
    assert.strictEqual(report.capabilitySets.read, "ready")
    for (const code of ["signed-in", "license-signin-activity", "license-risk", "license-pim", "credential-valid", "lifecycle-privileged-role"]) {
      assert.include(codes(report), code)
    }
    assert.isTrue(report.permissions!.filter((p) => p.capabilitySet === "read").every((p) => p.granted))
  })

  it("the certificate credential works too, and its expiry is read from the app registration", async () => {
    const main = sim.tenants[0]!.apps.find((a) => a.name === "main")!
    const { clientSecret: _, ...raw } = rawConfig(sim, "main")
    const report = await check({ ...raw, certificate: main.certificate!.pem })
    assert.strictEqual(report.status, "Connected")
    assert.match(finding(report, "credential-valid")!.message, /certificate/u)
  })

  const cases: ReadonlyArray<{ readonly name: string; readonly raw: () => Record<string, unknown>; readonly code: string; readonly fix: RegExp }> = [
    {
      name: "the secret's ID pasted instead of its value",
      raw: () => rawConfig(sim, "main", { clientSecret: sim.tenants[0]!.apps[0]!.secretId }),
      code: "secret-id-instead-of-value",
      fix: /Value column/u
    },
    { name: "a wrong secret", raw: () => rawConfig(sim, "main", { clientSecret: "Xy9~not-the-secret-value-at-all-0123456" }), code: "invalid-client-secret", fix: /new secret/u },
    { name: "an expired secret", raw: () => rawConfig(sim, "expired"), code: "client-secret-expired", fix: /new client secret/u },
    { name: "a wrong tenant ID", raw: () => rawConfig(sim, "main", { tenantId: "0b0b0b0b-1111-2222-3333-444444444444" }), code: "tenant-not-found", fix: /tenant\) ID/u },
    {
      name: "an app not registered (or consented) in the tenant",
      raw: () => rawConfig(sim, "main", { clientId: "0c0c0c0c-1111-2222-3333-444444444444" }),
      code: "app-not-in-tenant",
      fix: /adminconsent\?client_id=/u
    },
    { name: "the wrong national cloud", raw: () => rawConfig(sim, "main", { cloud: "usgov" }), code: "wrong-cloud", fix: /cloud/u },
    { name: "an unreachable sign-in endpoint", raw: () => rawConfig(sim, "main", { authorityHost: "https://127.0.0.1:9" }), code: "unreachable", fix: /network path/u }
  ]
  for (const c of cases) {
    it(`${c.name}: Error with what to fix`, async () => {
      const report = await check(c.raw())
      assert.strictEqual(report.status, "Error")
      assert.strictEqual(report.capabilitySets.read, "unavailable")
      const f = finding(report, c.code)
      assert.isDefined(f, `expected finding ${c.code}, got ${codes(report).join(", ")}: ${report.message}`)
      assert.strictEqual(f!.severity, "error")
      assert.match(f!.fix ?? "", c.fix)
      assert.notInclude(JSON.stringify(report), String(c.raw().clientSecret), "the secret never appears in the report")
    })
  }
})

describe("check: permissions", () => {
  it("missing optional permissions: Connected but degraded, each naming the data it blocks", async () => {
    const report = await check(rawConfig(sim, "partial"))
    assert.strictEqual(report.status, "Connected")
    assert.strictEqual(report.capabilitySets.read, "degraded")
    const missing = report.findings.filter((f) => f.code === "permission-missing" && f.severity === "warning")
    const text = missing.map((f) => f.message).join("\n")
    for (const p of ["AuditLog.Read.All", "Application.Read.All", "RoleManagement.Read.All", "IdentityRiskyUser.Read.All", "User-LifeCycleInfo.Read.All"]) assert.include(text, p)
    assert.match(text, /AuditLog\.Read\.All[^\n]*sign-in activity/u)
    assert.isTrue(missing.every((f) => /Grant admin consent/u.test(f.fix ?? "")))
    // The lifecycle set is reported too, as information.
    assert.isTrue(report.findings.some((f) => f.code === "permission-missing" && f.severity === "info" && f.message.includes("User.ReadWrite.All")))
  })

  it("a missing required permission is an Error naming it", async () => {
    const report = await check(rawConfig(sim, "groupsOnly"))
    assert.strictEqual(report.status, "Error")
    const f = report.findings.find((x) => x.severity === "error" && x.message.includes("User.Read.All"))
    assert.isDefined(f, codes(report).join(", "))
  })

  it("permissions configured on the app but not consented say that admin consent is pending", async () => {
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    const pending = sim.tenants[0]!.apps.find((a) => a.name === "pending")!
    tenant.setAppPermissions(pending.clientId, ALL.filter((p) => p !== "AuditLog.Read.All" && p !== "User.ReadWrite.All"))
    const report = await check(rawConfig(sim, "pending"))
    const consent = report.findings.filter((f) => f.code === "admin-consent-pending")
    assert.deepStrictEqual(consent.map((f) => f.message.split(" ")[0]).sort(), ["AuditLog.Read.All", "User.ReadWrite.All"])
    assert.match(consent[0]!.fix!, /Grant admin consent/u)
  })

  it("without Privileged Authentication Administrator, lifecycle is told it cannot act on admins", async () => {
    const tenant = sim.tenant(sim.tenants[0]!.tenantId)
    tenant.setPrivilegedRole(false)
    const report = await check(rawConfig(sim, "main"))
    tenant.setPrivilegedRole(true)
    const f = finding(report, "lifecycle-privileged-role-missing")
    assert.isDefined(f)
    assert.strictEqual(f!.severity, "warning")
    assert.deepStrictEqual(f!.affects, ["lifecycle", "users"])
    assert.strictEqual(report.status, "Connected")
  })
})

describe("check: licence and secret expiry", () => {
  it("a tenant without P1/P2: sign-in activity, risk and PIM are reported unavailable", async () => {
    const report = await check(rawConfig(sim, "main", {}, 1))
    assert.strictEqual(report.status, "Connected")
    assert.strictEqual(report.capabilitySets.read, "degraded")
    for (const code of ["license-signin-activity", "license-risk", "license-pim"]) assert.strictEqual(finding(report, code)?.severity, "warning", code)
  })

  it("a P1 tenant has sign-in activity but not risk or PIM", async () => {
    const report = await check(rawConfig(sim, "main", {}, 2))
    assert.strictEqual(finding(report, "license-signin-activity")?.severity, "ok")
    assert.strictEqual(finding(report, "license-risk")?.severity, "warning")
    assert.strictEqual(finding(report, "license-pim")?.severity, "warning")
  })

  it("a secret expiring within 30 days is a warning with the date", async () => {
    const report = await check(rawConfig(sim, "expiring"))
    const f = finding(report, "credential-expiring")
    assert.strictEqual(f?.severity, "warning")
    assert.match(f!.message, /expires in 1[12] days/u)
    assert.strictEqual(report.status, "Connected")
  })
})
