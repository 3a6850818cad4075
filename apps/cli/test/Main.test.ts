import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// The real entry point, as `npm run connector -- ...` runs it: a separate Node process whose exit
// code and stdout scripts depend on.
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--conditions=@idconnect/source", main, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

describe("the connector process", () => {
  it("prints the config JSON Schema on stdout and exits 0", async () => {
    const { code, stdout } = await run(["spec", "--plugin", "example"])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ $schema: "http://json-schema.org/draft-07/schema#" })
  })

  it("exits 2 on a usage error, with the message on stderr and nothing on stdout", async () => {
    const { code, stdout, stderr } = await run(["spec", "--plugin", "nope"])
    expect(code).toBe(2)
    expect(stdout).toBe("")
    expect(stderr).toContain("unknown plugin 'nope'")
  })
})

