import { spawn } from "node:child_process"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { describe, expect, it } from "vitest"
import { TEST_CA_DIR, tokenRequest } from "./support.ts"
import { trustCa } from "../src/trustCa.ts"
import { ensureCa } from "../src/Ca.ts"

const ROOT = path.join(import.meta.dirname, "..")

describe("command line", () => {
  it("prints one JSON object as the first stdout line, serves, and exits cleanly on SIGTERM", async () => {
    const ca = await ensureCa(TEST_CA_DIR)
    trustCa(ca.caPem)
    const child = spawn(process.execPath, ["--conditions=@idconnect/source", "src/main.ts", "--preset", "demo", "--port", "0", "--ca-dir", TEST_CA_DIR, "--license", "P1", "--throttling", "on"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    const lines = createInterface({ input: child.stdout })
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve)
      child.once("exit", () => reject(new Error("graph-sim exited before printing")))
    })
    const info = JSON.parse(first)
    expect(info.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(info.graphBaseUrl).toBe(info.authorityHost)
    expect(info.adminUrl).toBe(`${info.authorityHost}/_sim`)
    expect(info.caFile).toBe(ca.caFile)
    expect(info.tenants[0]).toMatchObject({ preset: "demo", license: "P1" })
    const app = info.tenants[0].apps[0]
    expect(app).toMatchObject({ name: "main" })
    expect(app.permissions).toContain("User.Read.All")
    const token = await tokenRequest({ authorityHost: info.authorityHost } as never, info.tenants[0].tenantId, {
      grant_type: "client_credentials",
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope: "https://graph.microsoft.com/.default"
    })
    expect(token.status).toBe(200)
    const users = await fetch(`${info.graphBaseUrl}/v1.0/users?$select=id`, { headers: { authorization: `Bearer ${token.body.access_token}` } })
    expect(users.status).toBe(200)
    expect(users.headers.get("x-ms-resource-unit")).toBe("1")
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
  })

  it("rejects unknown presets with a usage message and exit code 1", async () => {
    const child = spawn(process.execPath, ["--conditions=@idconnect/source", "src/main.ts", "--preset", "huge"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)))
    expect(code).toBe(1)
    expect(stderr).toContain("unknown preset 'huge'")
  })
})
