import { execFile } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { lintWorkspace } from "../../scripts/lint.ts"
import { connectorNames, renameTemplate } from "../src/ConnectorGenerator.ts"

// Generates a connector into a temporary copy of the workspace, exactly as a plugin author would
// (`nx g @idconnect/generators:connector acme-hr`), and checks that the result passes its own
// tests, the type checker, the lint rules and the capability manifest check right away.

const repo = resolve(import.meta.dirname, "../../..")
const GROUPS = ["packages", "apps", "tools", "test"]
const ROOT_FILES = ["package.json", "nx.json", "tsconfig.base.json", "tsconfig.json", "vitest.config.ts", "vitest.shared.ts"]

const run = (cwd: string, args: ReadonlyArray<string>) =>
  new Promise<{ code: number; output: string }>((done) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, output: `${stdout}\n${stderr}` })
    })
  })

/**
 * A copy of the workspace's sources in a temp dir. Its node_modules links to the real packages,
 * except @idconnect/*, which point at the copy's own packages (what `npm install` would do).
 */
const copyWorkspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "idconnect-gen-"))
  for (const file of ROOT_FILES) cpSync(join(repo, file), join(dir, file))
  for (const group of GROUPS) {
    cpSync(join(repo, group), join(dir, group), {
      recursive: true,
      filter: (source) => !/(^|\/)(node_modules|dist|\.data|\.nx)(\/|$)/.test(source.slice(repo.length))
    })
  }
  mkdirSync(join(dir, "node_modules", "@idconnect"), { recursive: true })
  for (const entry of readdirSync(join(repo, "node_modules"))) {
    if (entry !== "@idconnect") symlinkSync(join(repo, "node_modules", entry), join(dir, "node_modules", entry))
  }
  linkWorkspaces(dir)
  return dir
}

const linkWorkspaces = (dir: string) => {
  for (const group of GROUPS) {
    for (const name of readdirSync(join(dir, group))) {
      const manifest = join(dir, group, name, "package.json")
      if (!existsSync(manifest)) continue
      const link = join(dir, "node_modules", "@idconnect", name === "e2e" ? "e2e" : String(JSON.parse(readFileSync(manifest, "utf8")).name).split("/")[1])
      if (!existsSync(link)) symlinkSync(join(dir, group, name), link)
    }
  }
}

describe("renameTemplate", () => {
  it("renames types, values, ids and package names without touching other words", () => {
    const n = connectorNames("acme-hr")
    const source = 'import { ExampleClient } from "./ExampleClient.ts"\nexport const examplePlugin = { id: "example", pkg: "@idconnect/connector-example", env: "EXAMPLE_URL" } // e.g. an example'
    expect(renameTemplate(source, n)).toBe(
      'import { AcmeHrClient } from "./AcmeHrClient.ts"\nexport const acmeHrPlugin = { id: "acme-hr", pkg: "@idconnect/connector-acme-hr", env: "ACME_HR_URL" } // e.g. an acme-hr'
    )
  })
})

describe("nx g @idconnect/generators:connector", () => {
  let workspace: string
  beforeAll(() => {
    workspace = copyWorkspace()
  })
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true })
  })

  it("scaffolds a registered plugin that passes its tests, tsc, lint and the manifest check as generated", { timeout: 600_000 }, async () => {
    const nx = join(workspace, "node_modules", "nx", "dist", "bin", "nx.js")
    const generated = await run(workspace, [nx, "g", "@idconnect/generators:connector", "acme-hr", "--skipInstall", "--no-interactive"])
    expect(generated.code, generated.output).toBe(0)
    expect(generated.output).toContain("CREATE packages/connector-acme-hr/src/AcmeHrPlugin.ts")
    expect(existsSync(join(workspace, "packages/connector-acme-hr/test/BrokenCopies.test.ts"))).toBe(false)

    const catalog = readFileSync(join(workspace, "packages/plugin-catalog/src/InstalledPlugins.ts"), "utf8")
    expect(catalog).toContain('import { acmeHrPlugin } from "@idconnect/connector-acme-hr/AcmeHrPlugin"')
    expect(catalog).toMatch(/ {2}acmeHrPlugin,\n {2}\/\/ generator: new plugins are added above this line/)
    linkWorkspaces(workspace)

    const vitest = join(workspace, "node_modules", "vitest", "vitest.mjs")
    const tested = await run(workspace, [vitest, "run", "--reporter=verbose", "--project", "connector-acme-hr", "--project", "plugin-catalog"])
    expect(tested.code, tested.output).toBe(0)
    expect(tested.output).toMatch(/acme-hr conformance \(direct mode\)/)

    const tsc = join(workspace, "node_modules", "typescript", "bin", "tsc")
    const typed = await run(workspace, [tsc, "-p", "packages/connector-acme-hr/tsconfig.json"])
    expect(typed.code, typed.output).toBe(0)

    const manifests = await run(workspace, ["--conditions=@idconnect/source", "tools/scripts/write-capabilities.ts", "--check"])
    expect(manifests.code, manifests.output).toBe(0)
    expect(manifests.output).toContain("packages/connector-acme-hr/capabilities.json is up to date")

    expect(lintWorkspace(workspace, join(workspace, "packages/connector-acme-hr"))?.violations).toEqual([])
    expect(lintWorkspace(workspace, join(workspace, "packages/plugin-catalog"))?.violations).toEqual([])

    const again = await run(workspace, [nx, "g", "@idconnect/generators:connector", "acme-hr", "--skipInstall", "--no-interactive"])
    expect(again.code).not.toBe(0)
    expect(again.output).toContain("packages/connector-acme-hr already exists")
  })
})
