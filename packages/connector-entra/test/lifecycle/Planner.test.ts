import { assert, describe, it } from "@effect/vitest"
import type { ConnectorError } from "@idconnect/core/ConnectorError"
import { toDraft07 } from "@idconnect/schemas/JsonSchemaExport"
import * as Effect from "effect/Effect"
import { isRefLessMemberDelete } from "../../src/lifecycle/Apply.ts"
import { absentRemove, duplicateAdd } from "../../src/lifecycle/Draft.ts"
import { decodeRequests, safeOrder } from "../../src/lifecycle/LifecyclePlanner.ts"
import { OPERATIONS } from "../../src/lifecycle/Operations.ts"
import { readExamples } from "./support/Examples.ts"

const graphError = (status: number, code: string, message: string) => ({
  status,
  headers: {},
  body: { error: { code, message, innerError: { "request-id": "r1", date: "2025-01-01T00:00:00" } } }
})

describe("operation requests", () => {
  it("every operation the issue names is offered, with a Schema that derives a JSON Schema", () => {
    const names = OPERATIONS.map((o) => o.name).sort()
    assert.deepStrictEqual(names, [
      "addAdministrativeUnitMember",
      "addGroupMember",
      "addGroupOwner",
      "assignDirectoryRole",
      "createGroup",
      "createUser",
      "deleteGroup",
      "deleteUser",
      "disableUser",
      "enableUser",
      "grantAppRole",
      "removeAdministrativeUnitMember",
      "removeDirectoryRole",
      "removeGroupMember",
      "removeGroupOwner",
      "restoreUser",
      "revokeAppRole",
      "revokeSignInSessions",
      "updateUser"
    ])
    for (const op of OPERATIONS) assert.isObject(toDraft07(op.params), op.name)
  })

  it.effect("an unknown operation is an InvalidInput naming it; nothing is planned", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeRequests([{ operation: "addGroupMember", params: { group: "g", member: "m" } }, { operation: "addToGroup", params: {} }]))
      assert.strictEqual(error.code, "InvalidInput")
      assert.strictEqual((error.reason as { field?: string }).field, "[1].operation")
      assert.match(error.message, /unknown operation 'addToGroup'/u)
    }))

  it.effect("a missing or mistyped parameter names the field", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(decodeRequests([{ operation: "addGroupMember", params: { group: "Engineering" } }]))
      assert.strictEqual((missing.reason as { field?: string }).field, "[0].params.member")
      const wrong = yield* Effect.flip(decodeRequests([{ operation: "assignDirectoryRole", params: { principal: "a@b.c", role: "x", assignmentKind: "permanent" } }]))
      assert.strictEqual((wrong.reason as { field?: string }).field, "[0].params.assignmentKind")
      const extra = yield* Effect.flip(decodeRequests([{ operation: "disableUser", params: { user: "a@b.c", reason: "left" } }]))
      assert.match(extra.message, /reason/u)
      const empty = yield* Effect.flip(decodeRequests([{ operation: "updateUser", params: { user: "a@b.c" } }]))
      assert.strictEqual((empty.reason as { field?: string }).field, "[0].params")
      const tooMany = yield* Effect.flip(
        decodeRequests([{ operation: "createGroup", params: { displayName: "G", members: Array.from({ length: 21 }, (_, i) => `u${i}@x.y`) } }])
      )
      assert.strictEqual((tooMany.reason as { field?: string }).field, "[0].params.members")
    }))

  it.effect("every example operation file decodes", () =>
    Effect.gen(function* () {
      const examples = readExamples()
      assert.isAtLeast(examples.size, OPERATIONS.length)
      for (const op of OPERATIONS) assert.isTrue(examples.has(op.name), `examples/${op.name}.json is missing`)
      for (const [name, requests] of examples) {
        const decoded = yield* decodeRequests(requests).pipe(Effect.mapError((e: ConnectorError) => new Error(`${name}.json: ${e.message}`)))
        assert.strictEqual(decoded.length, requests.length)
      }
    }))
})

describe("safe order", () => {
  it.effect("creates first, then disable, revoke sessions, updates, grants, removals, and deletes last; ties keep the request order", () =>
    Effect.gen(function* () {
      const u = "leaver@contoso.onmicrosoft.com"
      const ops = yield* decodeRequests([
        { operation: "deleteUser", params: { user: u } },
        { operation: "revokeAppRole", params: { principal: u, resource: "*" } },
        { operation: "removeGroupMember", params: { group: "*", member: u } },
        { operation: "addGroupOwner", params: { group: "Engineering", owner: "boss@contoso.onmicrosoft.com" } },
        { operation: "updateUser", params: { user: u, employeeLeaveDateTime: "2030-01-31T17:00:00Z" } },
        { operation: "revokeSignInSessions", params: { user: u } },
        { operation: "disableUser", params: { user: u } },
        { operation: "createUser", params: { userPrincipalName: "boss@contoso.onmicrosoft.com", displayName: "Boss" } }
      ])
      assert.deepStrictEqual(
        safeOrder(ops).map((o) => o.spec.name),
        ["createUser", "disableUser", "revokeSignInSessions", "updateUser", "addGroupOwner", "revokeAppRole", "removeGroupMember", "deleteUser"]
      )
    }))
})

describe("Graph's answers that mean 'already so'", () => {
  const cases: ReadonlyArray<readonly [string, ReturnType<typeof graphError>, boolean, boolean]> = [
    ["duplicate member", graphError(400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'."), true, false],
    ["duplicate owner", graphError(400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'owners'."), true, false],
    ["duplicate role assignment", graphError(400, "Request_BadRequest", "A conflicting object with one or more of the specified property values is present in the directory."), true, false],
    ["duplicate app role assignment", graphError(400, "Request_BadRequest", "Permission being assigned already exists on the object."), true, false],
    ["duplicate PIM eligibility", graphError(400, "RoleAssignmentExists", "The Role assignment already exists."), true, false],
    ["user with that UPN exists", graphError(400, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists."), true, false],
    ["remove a non-member", graphError(404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property objects are not present."), false, true],
    ["remove an absent PIM eligibility", graphError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist."), false, true],
    ["a real refusal", graphError(400, "Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource 'Group'."), false, false],
    ["forbidden", graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."), false, false]
  ]
  for (const [name, response, add, remove] of cases) {
    it(`${name}: ${add ? "an add is done" : remove ? "a remove is done" : "a failure"}`, () => {
      assert.strictEqual(duplicateAdd(response), add)
      assert.strictEqual(absentRemove(response), remove)
    })
  }

  it("the /$ref-less DELETE of a member (which deletes the member object itself) is recognised and never sent", () => {
    assert.isTrue(isRefLessMemberDelete("DELETE", "/groups/g1/members/u1"))
    assert.isTrue(isRefLessMemberDelete("DELETE", "/directory/administrativeUnits/a1/members/u1"))
    assert.isTrue(isRefLessMemberDelete("DELETE", "/groups/g1/owners/u1"))
    assert.isFalse(isRefLessMemberDelete("DELETE", "/groups/g1/members/u1/$ref"))
    assert.isFalse(isRefLessMemberDelete("POST", "/groups/g1/members/$ref"))
    assert.isFalse(isRefLessMemberDelete("DELETE", "/groups/g1"))
  })
})
