import { runConformance } from "@idconnect/connector-testkit/Conformance"
import { afterAll, beforeAll } from "vitest"
import { startExampleDirectory, type ExampleDirectory } from "../src/ExampleDirectoryServer.ts"
import { examplePlugin } from "../src/ExamplePlugin.ts"

// The live target: the example directory on 127.0.0.1 with small pages, so pagination and
// checkpoints are exercised (23 users and 5 groups at 5 per page: 15 checkpoints).
let directory: ExampleDirectory
beforeAll(async () => {
  directory = await startExampleDirectory()
})
afterAll(() => directory.close())

runConformance({
  plugin: examplePlugin,
  config: () => ({ baseUrl: directory.url, token: directory.token, pageSize: 5 }),
  badCredentialsConfig: () => ({ baseUrl: directory.url, token: "not-a-valid-token" }),
  expected: () => directory.expected(),
  lifecycle: {
    operations: () => [
      { id: "add-user", operation: "addGroupMember", params: { groupId: "g-03", memberId: "u-0001" } },
      { id: "nest-group", operation: "addGroupMember", params: { groupId: "g-05", memberId: "g-04" } }
    ],
    undo: () => [
      { id: "remove-user", operation: "removeGroupMember", params: { groupId: "g-03", memberId: "u-0001" } },
      { id: "unnest-group", operation: "removeGroupMember", params: { groupId: "g-05", memberId: "g-04" } }
    ],
    snapshot: () => ({ g03: directory.members("g-03"), g05: directory.members("g-05") })
  },
  manifestPath: new URL("../capabilities.json", import.meta.url)
})
