import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { lintWorkspace } from "../../scripts/lint.ts"

// `npm run lint` (tools/scripts/lint.ts) against a small workspace that breaks each rule once,
// and against this repository, which must be clean.

let root: string
const write = (path: string, content: unknown) => {
  const file = join(root, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2))
}
/**
 * The focused, skipped and mocking calls the lint must catch, assembled at run time: the fixture
 * workspace gets them, this file itself holds none for a scanner of the real suite to trip on.
 */
const call = (...parts: Array<string>) => parts.join(".")
const pkg = (dir: string, name: string, tag: string, extra: object = {}) =>
  write(`${dir}/package.json`, { name: `@idconnect/${name}`, version: "0.0.0", nx: { tags: [`type:${tag}`] }, ...extra })

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "idconnect-lint-"))
  write("package.json", { name: "ws", dependencies: { effect: "4.1.0" }, devDependencies: { vitest: "5.1.1" } })
  pkg("packages/schemas", "schemas", "schemas", { dependencies: { effect: "4.0.0", "left-pad": "1.0.0", "@idconnect/core": "*" } })
  write("packages/schemas/src/Thing.ts", 'import * as Schema from "effect/Schema"\nimport { x } from "@idconnect/core/X"\nimport { Ajv } from "ajv"\n')
  pkg("packages/core", "core", "core", { dependencies: { "@idconnect/connector-acme": "*" } })
  write("packages/core/src/X.ts", 'import type { P } from "@idconnect/connector-acme/P"\nimport pg from "pg"\nimport type { Job } from "pg-boss"\nexport type { PgClient } from "@effect/sql-pg/PgClient"\nexport const x = 1\n')
  pkg("packages/connector-acme", "connector-acme", "plugin", { dependencies: { "@idconnect/connector-testkit": "*" } })
  write(
    "packages/connector-acme/src/P.ts",
    `// a comment mentioning ${call("vi", "mock")}("x") and ${call("it", "only")}(\nimport { runConformance } from "@idconnect/connector-testkit/Conformance"\nimport { x } from "../../core/src/X.ts"\nimport { y } from "./Y.ts"\nexport const s = "${call("describe", "skip")}("\n`
  )
  write(
    "packages/connector-acme/test/P.test.ts",
    `import { runConformance } from "@idconnect/connector-testkit/Conformance"\n${call("it", "only")}("a", () => {})\n${call("describe", "skip")}("b", () => {})\n${call("vi", "mock")}("node:fs")\n${call("it", "skipIf")}(true)("c", () => {})\n`
  )
  pkg("packages/connector-testkit", "connector-testkit", "testkit")
  // apps/a forgets to declare connector-acme; apps/b declares core without using it
  pkg("apps/a", "a", "app", { dependencies: { "@idconnect/b": "*", "@idconnect/core": "*" } })
  write("apps/a/src/main.ts", 'import { b } from "@idconnect/b/B"\nimport { x } from "@idconnect/core/X"\nconst later = () => import("@idconnect/connector-acme/P")\n')
  pkg("apps/b", "b", "app", { dependencies: { "@idconnect/core": "*" } })
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("lint", () => {
  it("reports each broken rule with file:line", () => {
    const found = lintWorkspace(root)!.violations.map((v) => `${v.file}:${v.line}: ${v.rule}`)
    expect(found.sort()).toEqual(
      [
        "packages/schemas/src/Thing.ts:2: type:schemas imports nothing but effect, not '@idconnect/core/X'",
        "packages/schemas/src/Thing.ts:3: type:schemas imports nothing but effect, not 'ajv'",
        "packages/schemas/package.json:10: dependencies 'effect@4.0.0' differs from the root's 4.1.0: one version per repo",
        "packages/schemas/package.json:11: dependencies 'left-pad' is not declared in the root package.json: add it there, once",
        "packages/core/src/X.ts:1: type:core must not import type:plugin ('@idconnect/connector-acme')",
        "packages/core/src/X.ts:2: type:core must not talk SQL ('pg'): only type:store does",
        "packages/connector-acme/src/P.ts:2: type:plugin must not import type:testkit ('@idconnect/connector-testkit') (the testkit is for tests only)",
        "packages/connector-acme/src/P.ts:3: relative import '../../core/src/X.ts' reaches outside packages/connector-acme; import the package by name",
        "packages/connector-acme/test/P.test.ts:2: no focused or skipped tests (only)",
        "packages/connector-acme/test/P.test.ts:3: no focused or skipped tests (skip)",
        "packages/connector-acme/test/P.test.ts:4: no module mocking (vi.mock): replace services through Effect layers",
        "packages/connector-acme/test/P.test.ts:5: no focused or skipped tests (skipIf)",
        "apps/a/src/main.ts:1: type:app must not import type:app ('@idconnect/b')",
        "apps/a/src/main.ts:3: imports '@idconnect/connector-acme' but apps/a/package.json does not declare it in dependencies (then run npm install)",
        "apps/b/package.json:1: declares dependency '@idconnect/core' that its src never imports (move it to devDependencies or drop it)"
      ].sort()
    )
  })

  it("lints one project when given its folder", () => {
    const result = lintWorkspace(root, join(root, "apps/a"))
    expect(result?.scope).toBe("apps/a")
    expect(result?.violations.map((v) => v.line)).toEqual([1, 3])
    expect(lintWorkspace(root, join(root, "nowhere"))).toBeUndefined()
  })

  it("passes on this repository", () => {
    const repo = resolve(import.meta.dirname, "../../..")
    expect(lintWorkspace(repo)?.violations).toEqual([])
  })
})
