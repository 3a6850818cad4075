import { installPackagesTask, names, updateJson, type GeneratorCallback, type Tree } from "@nx/devkit"

export interface ConnectorGeneratorOptions {
  readonly name: string
  readonly skipInstall?: boolean
}

const TEMPLATE = "packages/connector-example"
const CATALOG = "packages/plugin-catalog"
const CATALOG_FILE = `${CATALOG}/src/InstalledPlugins.ts`
const MARKER = "  // generator: new plugins are added above this line"
/** Template files that only exist to prove the conformance kit catches broken plugins. */
const SKIPPED = new Set(["test/BrokenCopies.test.ts"])

export interface ConnectorNames {
  /** acme-hr: the plugin id, source system and folder suffix */
  readonly id: string
  /** AcmeHr: types, services and file names */
  readonly className: string
  /** acmeHr: values (acmeHrPlugin) */
  readonly propertyName: string
  /** ACME_HR */
  readonly constantName: string
}

export const connectorNames = (name: string): ConnectorNames => {
  const n = names(name)
  return { id: n.fileName, className: n.className, propertyName: n.propertyName, constantName: n.constantName }
}

/**
 * Renames the example plugin's identifiers. The example is written so this is unambiguous:
 * `Example` starts types and files, `example` followed by a capital starts values
 * (`examplePlugin`), and a bare `example` is the plugin id (strings, paths, the package name).
 */
export const renameTemplate = (text: string, n: ConnectorNames): string =>
  text
    .replace(/EXAMPLE/g, n.constantName)
    .replace(/Example/g, n.className)
    .replace(/example(?=[A-Z])/g, n.propertyName)
    .replace(/example/g, n.id)

const copyTemplate = (tree: Tree, from: string, to: string, n: ConnectorNames, path = ""): void => {
  for (const child of tree.children(path === "" ? from : `${from}/${path}`)) {
    const relative = path === "" ? child : `${path}/${child}`
    if (["node_modules", "dist", ".data"].includes(child) || SKIPPED.has(relative)) continue
    const source = `${from}/${relative}`
    if (tree.isFile(source)) tree.write(`${to}/${renameTemplate(relative, n)}`, renameTemplate(tree.read(source, "utf-8") ?? "", n))
    else copyTemplate(tree, from, to, n, relative)
  }
}

/** Adds the plugin to the one list the apps build their registries from. */
const registerInCatalog = (tree: Tree, n: ConnectorNames): void => {
  const text = tree.read(CATALOG_FILE, "utf-8")
  if (text === null || !text.includes(MARKER)) {
    throw new Error(`${CATALOG_FILE} must contain the line '${MARKER.trim()}' so new plugins can be registered`)
  }
  const importLine = `import { ${n.propertyName}Plugin } from "@idconnect/connector-${n.id}/${n.className}Plugin"`
  const lines = text.split("\n")
  const lastImport = lines.reduce((last, line, i) => (line.startsWith("import ") ? i : last), -1)
  lines.splice(lastImport + 1, 0, importLine)
  const marker = lines.indexOf(MARKER)
  lines.splice(marker, 0, `  ${n.propertyName}Plugin,`)
  tree.write(CATALOG_FILE, lines.join("\n"))
  updateJson(tree, `${CATALOG}/package.json`, (json: { dependencies?: Record<string, string> }) => {
    const dependencies = { ...json.dependencies, [`@idconnect/connector-${n.id}`]: "*" }
    json.dependencies = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)))
    return json
  })
}

/**
 * `npx nx g @idconnect/generators:connector <name>`: copies the example plugin (config Schema,
 * client, extract with checkpoints, check, lifecycle, its test directory server, the conformance
 * test and the committed capabilities.json) into packages/connector-<name> with every identifier
 * renamed, registers the plugin in packages/plugin-catalog, and runs npm install to link the
 * new package. The result passes its tests as generated; then replace the directory server and
 * client with the real system's.
 */
export default function connectorGenerator(tree: Tree, options: ConnectorGeneratorOptions): GeneratorCallback | undefined {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.name)) {
    throw new Error(`The plugin id '${options.name}' must be kebab-case, e.g. acme-hr`)
  }
  const n = connectorNames(options.name)
  if (n.id === "example") throw new Error("'example' is the template itself; choose another name")
  const target = `packages/connector-${n.id}`
  if (tree.exists(target)) throw new Error(`${target} already exists`)
  if (!tree.exists(TEMPLATE)) throw new Error(`The template ${TEMPLATE} is missing`)
  copyTemplate(tree, TEMPLATE, target, n)
  registerInCatalog(tree, n)
  return options.skipInstall === true ? undefined : () => installPackagesTask(tree, true)
}
