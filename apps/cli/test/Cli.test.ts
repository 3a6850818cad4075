import { startExampleDirectory, type ExampleDirectory } from "@idconnect/connector-example/ExampleDirectoryServer"
import { Entity } from "@idconnect/schemas/Entity"
import { EntityRelation } from "@idconnect/schemas/EntityRelation"
import * as Schema from "effect/Schema"
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../src/Cli.ts"
import { capturedIo } from "./support/CapturedIo.ts"

let directory: ExampleDirectory
let dir: string
beforeAll(async () => {
  directory = await startExampleDirectory()
  dir = mkdtempSync(join(tmpdir(), "idconnect-cli-"))
})
afterAll(async () => {
  await directory.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Writes a JSON file in the test's temp dir and returns its path. */
const file = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content))
  return path
}
const goodConfig = () => file("config.json", { baseUrl: directory.url, token: directory.token, pageSize: 5 })

const cli = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const captured = capturedIo({ env, cwd: dir })
  const code = await runCli(args, captured.io)
  return { code, stdout: captured.stdout(), stderr: captured.stderr() }
}

const decodeLine = (line: string) => {
  const { type, ...rest } = JSON.parse(line) as { type: string }
  if (type === "entity") return Schema.decodeUnknownSync(Entity, { onExcessProperty: "error" })(rest)
  if (type === "relation") return Schema.decodeUnknownSync(EntityRelation, { onExcessProperty: "error" })(rest)
  throw new Error(`unexpected line type ${type}`)
}

describe("connector plugins / spec", () => {
  it("plugins lists the installed plugins with their capabilities", async () => {
    const { code, stdout } = await cli(["plugins"])
    expect(code).toBe(0)
    const list = JSON.parse(stdout) as Array<{ id: string; capabilitySets: Array<string> }>
    expect(list.find((p) => p.id === "example")?.capabilitySets).toEqual(["read", "lifecycle"])
  })

  it("spec prints the config JSON Schema of the first mode", async () => {
    const { code, stdout } = await cli(["spec", "--plugin", "example"])
    expect(code).toBe(0)
    const schema = JSON.parse(stdout) as { $schema: string; definitions: Record<string, { required: Array<string> }> }
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#")
    expect(schema.definitions.ExampleDirectConfig?.required).toEqual(["baseUrl", "token"])
  })
})

describe("exit codes", () => {
  it.each([
    [["nonsense"], "unknown verb 'nonsense'"],
    [["spec"], "--plugin is required"],
    [["spec", "--plugin", "nope"], "unknown plugin 'nope'"],
    [["spec", "--plugin", "example", "--mode", "scim"], "has no mode 'scim'"],
    [["check", "--plugin", "example", "--mode", "csv"], "need a pull mode"],
    [["extract", "--plugin", "example", "--frobnicate"], "unknown option --frobnicate"],
    [["plan", "--plugin", "example"], "--operation <file> is required"],
    [["check", "--plugin", "example", "--config", "missing.json"], "--config: cannot read missing.json: ENOENT"]
  ])("%j is a usage error (2)", async (args, message) => {
    const { code, stderr } = await cli(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
  })

  it("a config with a bad field is a config error (3) naming the field", async () => {
    const config = file("bad.json", { baseUrl: "ftp://nope", token: directory.token })
    const { code, stderr } = await cli(["check", "--plugin", "example", "--config", config])
    expect(code).toBe(3)
    expect(stderr).toContain("ConfigInvalid (config)")
    expect(stderr).toContain("field: baseUrl")
  })

  it("a config file that is not JSON is a config error (3)", async () => {
    const { code, stderr } = await cli(["check", "--plugin", "example", "--config", file("broken.json", "{ baseUrl: ")])
    expect(code).toBe(3)
    expect(stderr).toContain("is not valid JSON")
  })

  it("rejected credentials are a config error (3) with the fix", async () => {
    const config = file("badtoken.json", { baseUrl: directory.url, token: "wrong" })
    const { code, stderr } = await cli(["check", "--plugin", "example", "--config", config])
    expect(code).toBe(3)
    expect(stderr).toContain("CredentialsRejected (config)")
    expect(stderr).toContain("fix: Check the API token")
  })

  it("an unreachable source is transient (4)", async () => {
    const closed = await startExampleDirectory()
    await closed.close()
    const config = file("closed.json", { baseUrl: closed.url, token: "x" })
    const { code, stderr } = await cli(["check", "--plugin", "example", "--config", config])
    expect(code).toBe(4)
    expect(stderr).toContain("Unavailable (transient)")
  })
})

describe("connector check / discover", () => {
  it("check prints the CheckReport on stdout and exits 0 when connected", async () => {
    const { code, stdout, stderr } = await cli(["check", "--plugin", "example", "--config", goodConfig()])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ status: "Connected", capabilitySets: { read: "ready", lifecycle: "ready" } })
    expect(stderr).toContain("check ok")
  })

  it("fills missing config fields from the environment", async () => {
    const config = file("url-only.json", { baseUrl: directory.url })
    const { code } = await cli(["check", "--plugin", "example", "--config", config], { EXAMPLE_DIRECTORY_TOKEN: directory.token })
    expect(code).toBe(0)
    const none = await cli(["check", "--plugin", "example"], { EXAMPLE_DIRECTORY_URL: directory.url, EXAMPLE_DIRECTORY_TOKEN: directory.token })
    expect(none.code).toBe(0)
  })

  it("discover prints the catalog", async () => {
    const { code, stdout } = await cli(["discover", "--plugin", "example", "--config", goodConfig()])
    expect(code).toBe(0)
    expect((JSON.parse(stdout) as { streams: Array<{ name: string }> }).streams.map((s) => s.name)).toEqual(["users", "groups", "memberships"])
  })
})

describe("connector extract", () => {
  it("writes every entity and relation as NDJSON to --out, progress and a summary to stderr", async () => {
    const out = join(dir, "all.ndjson")
    const { code, stdout, stderr } = await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--out", out])
    expect(code).toBe(0)
    expect(stdout).toBe("")
    const lines = readFileSync(out, "utf8").trimEnd().split("\n")
    const records = lines.map(decodeLine)
    expect(records.length).toBe(directory.expected().entities + directory.expected().relations)
    expect(stderr).toMatch(/extract: memberships: 28 entities, 43 relations \([\d.]+\/s\)/)
    expect(stderr).toContain("Extracted 28 entities and 43 relations (full, 15 checkpoints, 1 attempt, 0 warnings)")
  })

  it("writes to stdout without --out", async () => {
    const { code, stdout } = await cli(["extract", "--plugin", "example", "--config", goodConfig()])
    expect(code).toBe(0)
    expect(stdout.trimEnd().split("\n").map(decodeLine)).toHaveLength(71)
  })

  it("a run stopped by a failure resumes from --checkpoint and the file ends up exactly like an uninterrupted run's", async () => {
    const reference = join(dir, "reference.ndjson")
    expect((await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--out", reference])).code).toBe(0)

    const out = join(dir, "resumed.ndjson")
    const checkpoint = join(dir, "checkpoint.json")
    // The token loses its permission on memberships mid-run: a config error, the run stops (3).
    directory.injectFault({ status: 403, pathPrefix: "/api/v1/memberships", times: 1 })
    const first = await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--out", out, "--checkpoint", checkpoint])
    expect(first.code).toBe(3)
    const saved = JSON.parse(readFileSync(checkpoint, "utf8")) as { completed: boolean; outBytes: number; checkpoint: { state: unknown } }
    expect(saved.completed).toBe(false)
    expect(saved.checkpoint.state).toEqual({ stream: "memberships" })
    // A crash can leave a half-written line after the checkpoint; resuming cuts it off.
    appendFileSync(out, '{"type":"entity","name":"half-writ')

    const second = await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--out", out, "--checkpoint", checkpoint])
    expect(second.code).toBe(0)
    expect(second.stderr).toContain("Resuming from the checkpoint saved at")
    expect(readFileSync(out, "utf8")).toBe(readFileSync(reference, "utf8"))
    expect((JSON.parse(readFileSync(checkpoint, "utf8")) as { completed: boolean }).completed).toBe(true)

    // After a completed run, the same command starts a fresh full extraction.
    const third = await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--out", out, "--checkpoint", checkpoint])
    expect(third.code).toBe(0)
    expect(third.stderr).toContain("The previous run completed; starting a full extraction")
    expect(readFileSync(out, "utf8")).toBe(readFileSync(reference, "utf8"))
  })

  it("refuses a checkpoint file written for another plugin or mode", async () => {
    const checkpoint = file("other.json", {
      plugin: "entra",
      mode: "direct",
      checkpoint: { version: "x", state: null },
      completed: false,
      savedAt: "2026-01-01T00:00:00Z"
    })
    const { code, stderr } = await cli(["extract", "--plugin", "example", "--config", goodConfig(), "--checkpoint", checkpoint])
    expect(code).toBe(2)
    expect(stderr).toContain("was written by plugin 'entra'")
  })
})

describe("connector plan / apply", () => {
  it("plans, applies once, and a second apply is a no-op", async () => {
    const ops = file("ops.json", [{ id: "add", operation: "addGroupMember", params: { groupId: "g-02", memberId: "u-0010" } }])
    const plan = await cli(["plan", "--plugin", "example", "--config", goodConfig(), "--operation", ops])
    expect(plan.code).toBe(0)
    expect(JSON.parse(plan.stdout)).toMatchObject({ blocked: false, operations: [{ id: "add", outcome: "change" }] })
    expect(directory.members("g-02")).not.toContain("u-0010")

    const first = await cli(["apply", "--plugin", "example", "--config", goodConfig(), "--operation", ops])
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject([{ id: "add", status: "applied" }])
    expect(directory.members("g-02")).toContain("u-0010")

    const second = await cli(["apply", "--plugin", "example", "--config", goodConfig(), "--operation", ops])
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject([{ id: "add", status: "no-op" }])
  })

  it("a blocked plan exits 3 and says why", async () => {
    const config = file("readonly.json", { baseUrl: directory.url, token: directory.readOnlyToken })
    const ops = file("ops2.json", { operations: [{ operation: "removeGroupMember", params: { groupId: "g-01", memberId: "g-02" } }] })
    const { code, stderr } = await cli(["plan", "--plugin", "example", "--config", config, "--operation", ops])
    expect(code).toBe(3)
    expect(stderr).toContain("blocked: The token lacks directory.write (fix: Grant directory.write to the token)")
  })

  it("an operation with a bad parameter is a config error naming it, and nothing is applied", async () => {
    const before = directory.changes().length
    const ops = file("bad-ops.json", [
      { operation: "addGroupMember", params: { groupId: "g-01", memberId: "u-0011" } },
      { operation: "addGroupMember", params: { groupId: "g-01" } }
    ])
    const { code, stderr } = await cli(["apply", "--plugin", "example", "--config", goodConfig(), "--operation", ops])
    expect(code).toBe(3)
    expect(stderr).toContain("field: [1].params.memberId")
    expect(directory.changes().length).toBe(before)
  })
})
