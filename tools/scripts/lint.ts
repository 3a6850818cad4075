// Repository rules that the type checker cannot see. Fails (exit 1) with file:line and the rule.
//
//   npm run lint                              every project, plus the root checks
//   node --conditions=@idconnect/source ../../tools/scripts/lint.ts .   one project (its `lint` script)
//
// 1. Module boundaries by Nx tag (package.json `nx.tags`), on the imports of `src/` files:
//      type:schemas  imports nothing but effect (and node: built-ins)
//      type:core     @idconnect packages tagged schemas, core
//      type:plugin   schemas, core (scim is tagged core); the testkit only from tests
//      type:testkit  schemas, core
//      type:catalog  schemas, core, plugin
//      type:store    schemas, core
//      type:app      anything but another app
//      type:tool, type:e2e, type:test: anything
//    Also: no relative import reaches into another project, and only type:store (and test/tool
//    projects) talk SQL: no runtime import of pg, pg-boss, pg-copy-streams, @effect/sql-pg,
//    @electric-sql/pglite or effect/sql elsewhere (type-only imports are fine).
// 2. Tests: no focused or skipped tests (.only, .skip, .todo, .skipIf, .runIf, fit, xit, xdescribe)
//    and no module mocking (vi.mock, vi.doMock): replace services through Effect layers.
// 3. One version of every third-party dependency: a package.json may only declare a dependency
//    the root declares, at the root's exact version.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import ts from "typescript"

interface Project {
  readonly dir: string
  readonly name: string
  readonly tags: ReadonlyArray<string>
  readonly manifest: Record<string, unknown>
}

export interface Violation {
  readonly file: string
  readonly line: number
  readonly rule: string
}

export interface LintResult {
  readonly violations: ReadonlyArray<Violation>
  /** "packages/core", or "17 projects". */
  readonly scope: string
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>

const listProjects = (root: string): ReadonlyArray<Project> =>
  ["packages", "apps", "tools", "test"].flatMap((group) =>
    !existsSync(join(root, group))
      ? []
      : readdirSync(join(root, group))
          .map((name) => join(root, group, name))
          .filter((dir) => existsSync(join(dir, "package.json")))
          .map((dir) => {
            const manifest = readJson(join(dir, "package.json"))
            const nx = (manifest.nx ?? {}) as { tags?: ReadonlyArray<string> }
            return { dir, name: String(manifest.name), tags: nx.tags ?? [], manifest }
          })
  )

const walk = (dir: string, keep: (path: string) => boolean): Array<string> => {
  if (!existsSync(dir)) return []
  const out: Array<string> = []
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...walk(path, keep))
    else if (keep(path)) out.push(path)
  }
  return out
}

const isTs = (path: string) => path.endsWith(".ts") && !path.endsWith(".d.ts")
const isTestFile = (path: string) => path.endsWith(".test.ts")

const lineOf = (text: string, pos: number) => text.slice(0, pos).split("\n").length

interface ImportRef {
  readonly specifier: string
  readonly line: number
  /** `import type`, `export type ... from`, or `typeof import("x")`: no runtime dependency. */
  readonly typeOnly: boolean
}

/** Every import, export-from and dynamic import of a file, with its line. */
const importsOf = (file: string, text: string): Array<ImportRef> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const refs: Array<ImportRef> = []
  const add = (specifier: ts.Node, typeOnly: boolean) => {
    if (ts.isStringLiteralLike(specifier)) {
      refs.push({ specifier: specifier.text, line: source.getLineAndCharacterOfPosition(specifier.getStart()).line + 1, typeOnly })
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause
      const elements = clause?.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined
      const allTypes = clause !== undefined && clause.name === undefined && elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly)
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allTypes)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add(node.moduleSpecifier, node.isTypeOnly)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined) {
      add(node.arguments[0], false)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return refs
}

const typeOf = (p: Project) => p.tags.find((t) => t.startsWith("type:"))?.slice(5) ?? "untagged"

/** Which @idconnect project types a project type may import from its src/. */
const allowedTargets: Readonly<Record<string, ReadonlyArray<string> | "any" | "not-app">> = {
  schemas: [],
  core: ["schemas", "core"],
  plugin: ["schemas", "core"],
  testkit: ["schemas", "core"],
  catalog: ["schemas", "core", "plugin"],
  store: ["schemas", "core"],
  app: "not-app",
  tool: "any",
  e2e: "any",
  test: "any"
}

const SQL = /^(pg|pg-boss|pg-copy-streams|@effect\/sql-pg|@electric-sql\/pglite|effect\/sql)(\/|$)/
const SQL_ALLOWED = new Set(["store", "test", "tool", "e2e"])

const checkBoundaries = (rel: (path: string) => string, project: Project, byName: ReadonlyMap<string, Project>): Array<Violation> => {
  const violations: Array<Violation> = []
  const type = typeOf(project)
  const allowed = allowedTargets[type]
  if (allowed === undefined) {
    return [{ file: rel(join(project.dir, "package.json")), line: 1, rule: `project has no known type tag (nx.tags: ${JSON.stringify(project.tags)}); use one of ${Object.keys(allowedTargets).map((t) => `type:${t}`).join(", ")}` }]
  }
  for (const file of walk(join(project.dir, "src"), (p) => isTs(p) && !isTestFile(p))) {
    const text = readFileSync(file, "utf8")
    for (const { specifier, line, typeOnly } of importsOf(file, text)) {
      const at = { file: rel(file), line }
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier)
        if (!(target + sep).startsWith(project.dir + sep)) {
          violations.push({ ...at, rule: `relative import '${specifier}' reaches outside ${rel(project.dir)}; import the package by name` })
        }
        continue
      }
      if (SQL.test(specifier) && !typeOnly && !SQL_ALLOWED.has(type)) {
        violations.push({ ...at, rule: `type:${type} must not talk SQL ('${specifier}'): only type:store does` })
      }
      if (type === "schemas" && !specifier.startsWith("node:") && specifier !== "effect" && !specifier.startsWith("effect/")) {
        violations.push({ ...at, rule: `type:schemas imports nothing but effect, not '${specifier}'` })
        continue
      }
      if (!specifier.startsWith("@idconnect/")) continue
      const targetName = specifier.split("/").slice(0, 2).join("/")
      const target = byName.get(targetName)
      if (target === undefined) {
        violations.push({ ...at, rule: `'${specifier}' is not a workspace package` })
        continue
      }
      if (target === project) continue
      const targetType = typeOf(target)
      const ok =
        allowed === "any" ||
        (allowed === "not-app" && targetType !== "app") ||
        (Array.isArray(allowed) && allowed.includes(targetType))
      if (!ok) {
        const hint = type === "plugin" && targetType === "testkit" ? " (the testkit is for tests only)" : ""
        violations.push({ ...at, rule: `type:${type} must not import type:${targetType} ('${targetName}')${hint}` })
      }
    }
  }
  return violations
}

const TEST_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:describe|it|test|suite|bench)(?:\.\w+)*\.(only|skip|todo|skipIf|runIf)\b/g, "no focused or skipped tests ($1)"],
  [/(?<![\w.])(?:fit|fdescribe|xit|xdescribe|xtest)\s*\(/g, "no focused or skipped tests"],
  [/\bvi\s*\.\s*(mock|doMock|unmock|hoisted)\s*\(/g, "no module mocking (vi.$1): replace services through Effect layers"]
]

/** Blanks out comments and string contents so the test rules only see code. */
const codeOnly = (text: string): string => {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text)
  let out = ""
  let last = 0
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const start = scanner.getTokenStart()
    const end = scanner.getTokenEnd()
    out += text.slice(last, start)
    const token = text.slice(start, end)
    const blank =
      kind === ts.SyntaxKind.SingleLineCommentTrivia ||
      kind === ts.SyntaxKind.MultiLineCommentTrivia ||
      kind === ts.SyntaxKind.StringLiteral ||
      kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral
    out += blank ? token.replace(/[^\n]/g, " ") : token
    last = end
  }
  return out + text.slice(last)
}

const checkTests = (rel: (path: string) => string, project: Project): Array<Violation> => {
  const files = [...walk(join(project.dir, "test"), isTs), ...walk(join(project.dir, "src"), isTestFile)]
  const violations: Array<Violation> = []
  for (const file of files) {
    const code = codeOnly(readFileSync(file, "utf8"))
    for (const [pattern, rule] of TEST_RULES) {
      for (const match of code.matchAll(pattern)) {
        violations.push({ file: rel(file), line: lineOf(code, match.index), rule: rule.replace("$1", match[1] ?? "") })
      }
    }
  }
  return violations
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]

const checkVersions = (rel: (path: string) => string, project: Project, rootVersions: ReadonlyMap<string, string>): Array<Violation> => {
  const violations: Array<Violation> = []
  const file = join(project.dir, "package.json")
  const text = readFileSync(file, "utf8")
  for (const field of DEPENDENCY_FIELDS) {
    const deps = (project.manifest[field] ?? {}) as Record<string, string>
    for (const [name, version] of Object.entries(deps)) {
      if (name.startsWith("@idconnect/")) continue
      const line = lineOf(text, Math.max(0, text.indexOf(`"${name}"`)))
      const rootVersion = rootVersions.get(name)
      if (rootVersion === undefined) violations.push({ file: rel(file), line, rule: `${field} '${name}' is not declared in the root package.json: add it there, once` })
      else if (rootVersion !== version) violations.push({ file: rel(file), line, rule: `${field} '${name}@${version}' differs from the root's ${rootVersion}: one version per repo` })
    }
  }
  return violations
}

/**
 * Every workspace package a project imports is declared in its package.json (`dependencies` for
 * src, `dependencies` or `devDependencies` for tests), and nothing undeclared is relied on: Nx builds
 * its project graph (and so `nx affected`) from these declarations.
 */
const checkWorkspaceDependencies = (rel: (path: string) => string, project: Project): Array<Violation> => {
  const violations: Array<Violation> = []
  const declared = new Set(Object.keys((project.manifest.dependencies ?? {}) as Record<string, string>))
  const declaredDev = new Set(Object.keys((project.manifest.devDependencies ?? {}) as Record<string, string>))
  const used = new Set<string>()
  const reported = new Set<string>()
  const files = walk(project.dir, (p) => isTs(p) && !p.includes(`${sep}files${sep}`) && !p.includes(`${sep}dist${sep}`))
  for (const file of files) {
    const inSrc = file.startsWith(join(project.dir, "src") + sep) && !isTestFile(file)
    const text = readFileSync(file, "utf8")
    for (const { specifier, line } of importsOf(file, text)) {
      if (!specifier.startsWith("@idconnect/")) continue
      const name = specifier.split("/").slice(0, 2).join("/")
      if (name === project.name) continue
      if (inSrc) used.add(name)
      const ok = declared.has(name) || (!inSrc && declaredDev.has(name))
      if (!ok && !reported.has(name)) {
        reported.add(name)
        violations.push({
          file: rel(file),
          line,
          rule: `imports '${name}' but ${rel(join(project.dir, "package.json"))} does not declare it in ${inSrc ? "dependencies" : "dependencies or devDependencies"} (then run npm install)`
        })
      }
    }
  }
  for (const name of declared) {
    if (name.startsWith("@idconnect/") && !used.has(name)) {
      violations.push({ file: rel(join(project.dir, "package.json")), line: 1, rule: `declares dependency '${name}' that its src never imports (move it to devDependencies or drop it)` })
    }
  }
  return violations
}

/**
 * Lints the workspace at `root`: every project, or only the project folder `target`. Undefined
 * when `target` is not a project folder.
 */
export const lintWorkspace = (root: string, target?: string): LintResult | undefined => {
  const rel = (path: string) => relative(root, path)
  const projects = listProjects(root)
  const byName = new Map(projects.map((p) => [p.name, p]))
  const rootManifest = readJson(join(root, "package.json"))
  const rootVersions = new Map<string, string>(
    ["dependencies", "devDependencies"].flatMap((f) => Object.entries((rootManifest[f] ?? {}) as Record<string, string>))
  )
  const selected = target === undefined || target === root ? projects : projects.filter((p) => p.dir === target)
  if (selected.length === 0) return undefined
  return {
    violations: selected.flatMap((p) => [
      ...checkBoundaries(rel, p, byName),
      ...checkTests(rel, p),
      ...checkVersions(rel, p, rootVersions),
      ...checkWorkspaceDependencies(rel, p)
    ]),
    scope: selected.length === 1 ? rel(selected[0]!.dir) : `${selected.length} projects`
  }
}

if (import.meta.main) {
  const arg = process.argv[2]
  const result = lintWorkspace(resolve(import.meta.dirname, "../.."), arg === undefined ? undefined : resolve(process.cwd(), arg))
  if (result === undefined) {
    console.error(`lint: ${arg} is not a project folder (packages/*, apps/*, tools/*, test/*)`)
    process.exitCode = 2
  } else {
    for (const v of result.violations) console.error(`${v.file}:${v.line}: ${v.rule}`)
    const n = result.violations.length
    if (n > 0) console.error(`lint: ${n} problem${n === 1 ? "" : "s"} in ${result.scope}`)
    else console.log(`lint: ${result.scope} clean`)
    process.exitCode = n > 0 ? 1 : 0
  }
}
