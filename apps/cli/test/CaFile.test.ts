import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { ensureCa, issueServerCertificate } from "@idconnect/graph-sim/Ca"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { runCli } from "../src/Cli.ts"
import { capturedIo } from "./support/CapturedIo.ts"

// A config's `caFile` makes the whole process trust that CA, for global fetch and for node:https
// (what @azure/identity and the Graph client use). This file runs in its own worker, so the
// process-wide trust it adds does not leak into other tests.

const fetchText = (url: string) => fetch(url).then((r) => r.text())
const httpsText = (url: string) =>
  new Promise<string>((resolve, reject) => {
    https.get(url, (res) => {
      let body = ""
      res.on("data", (d: Buffer) => (body += d.toString()))
      res.on("end", () => resolve(body))
    }).on("error", reject)
  })

/** A pull-mode plugin whose check calls the URL both ways. */
const probe: ConnectorPlugin = {
  metadata: { id: "tls-probe", displayName: "TLS probe", version: "0.0.0", sourceSystem: "probe", description: "test", allowedHosts: ["127.0.0.1"] },
  modes: {
    direct: {
      config: Schema.Struct({ url: Schema.String, caFile: Schema.optionalKey(Schema.String) }),
      secretFields: [],
      read: {
        check: (config: { url: string }) =>
          Effect.tryPromise({
            try: async () => [await fetchText(config.url), await httpsText(config.url)],
            catch: (e) => ConnectorErrors.unavailable({ message: String((e as Error).cause ?? e) })
          }).pipe(
            Effect.map(([viaFetch, viaHttps]) => ({
              status: "Connected" as const,
              message: `${viaFetch} ${viaHttps}`,
              findings: [],
              capabilitySets: { read: "ready" as const, lifecycle: "not-supported" as const }
            }))
          ),
        discover: () => Effect.succeed({ entityTypes: [], relationTypes: [], streams: [] }),
        extract: () => Effect.die("not used") as never
      }
    }
  }
}

let dir: string
let server: https.Server
let url: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "idconnect-ca-"))
  const ca = await ensureCa(dir)
  const leaf = await issueServerCertificate(ca, ["127.0.0.1"])
  server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end("hello"))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

const check = async (config: object) => {
  const path = join(dir, "config.json")
  writeFileSync(path, JSON.stringify(config))
  const captured = capturedIo({ cwd: tmpdir() })
  const code = await runCli(["check", "--plugin", "tls-probe", "--config", path], captured.io, { plugins: [probe] })
  return { code, stdout: captured.stdout(), stderr: captured.stderr() }
}

it("a caFile that does not exist is a config error naming caFile", async () => {
  const { code, stderr } = await check({ url, caFile: "nowhere.pem" })
  expect(code).toBe(3)
  expect(stderr).toContain("field: caFile")
})

it("without caFile the private CA is not trusted; with a caFile relative to the config, fetch and node:https trust it", async () => {
  const untrusted = await check({ url })
  expect(untrusted.code).toBe(4)
  const trusted = await check({ url, caFile: "graph-sim-ca/ca.pem" })
  expect(trusted.stderr).toContain("check ok: hello hello")
  expect(trusted.code).toBe(0)
})
