import { describe, expect, it } from "vitest"

// The repository brings its own Node (the `node` devDependency). If that package's install script
// was skipped, npm silently falls back to the machine's Node, so this guard fails loudly instead.
describe("runtime", () => {
  it("runs the tests on the Node 24 the repository brings", () => {
    expect(process.versions.node.split(".")[0]).toBe("24")
    expect(process.execPath).toContain("node_modules")
  })
})
