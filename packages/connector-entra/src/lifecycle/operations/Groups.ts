import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import { NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { DirectoryLookup, isGuid } from "../DirectoryLookup.ts"
import { absentRemove, type Blocker, blocker, change, noop } from "../Draft.ts"
import { compact, invalid, notFound, roleAssignableGroup, syncedGroup } from "../Guards.ts"
import { defineOperation, PHASE } from "../OperationSpec.ts"
import { grantFix, REQUIRE } from "../Requirements.ts"
import { refBody } from "./GroupMembership.ts"

type Raw = Record<string, any>

const CreateGroupParams = Schema.Struct({
  displayName: NonBlankString,
  mailNickname: Schema.optionalKey(
    NonBlankString.check(Schema.isPattern(/^[A-Za-z0-9._-]{1,64}$/u)).annotate({
      description: "Identifies the group for idempotency (default: derived from displayName): creating a group whose mailNickname exists is a no-op"
    })
  ),
  description: Schema.optionalKey(Schema.String),
  groupType: Schema.optionalKey(Schema.Literals(["security", "microsoft365"]).annotate({ description: "Default security" })),
  isAssignableToRole: Schema.optionalKey(
    Schema.Boolean.annotate({ description: "A security group that can hold directory roles (set only at creation; needs RoleManagement.ReadWrite.Directory)" })
  ),
  visibility: Schema.optionalKey(Schema.Literals(["Private", "Public", "HiddenMembership"])),
  owners: Schema.optionalKey(Schema.Array(NonBlankString).annotate({ description: "Users (id or UPN) or service principals (id); with members, at most 20" })),
  members: Schema.optionalKey(Schema.Array(NonBlankString).annotate({ description: "Members (id, UPN, or group display name); with owners, at most 20" }))
}).annotate({ description: "Create a security group, a Microsoft 365 group, or a role-assignable security group." })
type CreateGroupParams = typeof CreateGroupParams.Type

/** A mailNickname Graph accepts (no spaces or @()\[]";:<>,), from the display name. */
export const nicknameOf = (displayName: string): string => displayName.replace(/[^A-Za-z0-9._-]/gu, "").slice(0, 64) || "group"

const kindOf = (g: Raw): string =>
  Array.isArray(g.groupTypes) && g.groupTypes.includes("Unified") ? "microsoft365" : g.isAssignableToRole === true ? "role-assignable security" : "security"

export const createGroup = defineOperation({
  name: "createGroup",
  params: CreateGroupParams,
  phase: PHASE.create,
  validate: (p) =>
    p.isAssignableToRole === true && p.groupType === "microsoft365"
      ? { field: "isAssignableToRole", message: "only security groups are created role-assignable here" }
      : (p.owners?.length ?? 0) + (p.members?.length ?? 0) > 20
        ? { field: "members", message: "at most 20 owners and members together at creation; add more with addGroupMember" }
        : undefined,
  plan: Effect.fn("createGroup.plan")(function* (params: CreateGroupParams) {
    const lookup = yield* DirectoryLookup
    const nickname = params.mailNickname ?? nicknameOf(params.displayName)
    const groupType = params.groupType ?? "security"
    const roleAssignable = params.isAssignableToRole === true
    const requirements = [REQUIRE.createGroups, ...(roleAssignable ? [REQUIRE.roles] : [])]
    const wantedKind = groupType === "microsoft365" ? "microsoft365" : roleAssignable ? "role-assignable security" : "security"
    const existing = yield* lookup.groupByNickname(nickname)
    if (existing !== undefined) {
      const state = { id: existing.id, displayName: existing.displayName, mailNickname: existing.mailNickname, kind: kindOf(existing) }
      if (kindOf(existing) !== wantedKind) {
        return change(params.displayName, `Create ${params.displayName}`, [], requirements, {
          currentState: state,
          blockers: [invalid("params.mailNickname", `a ${kindOf(existing)} group with mailNickname '${nickname}' already exists (${existing.displayName}); choose another mailNickname`)]
        })
      }
      return noop(String(existing.displayName), `A ${wantedKind} group with mailNickname '${nickname}' already exists (${existing.displayName})`, state, requirements)
    }
    const blockers: Array<Blocker | undefined> = []
    const bind = (refs: ReadonlyArray<string> | undefined, field: string, ownerRefs: boolean) =>
      Effect.gen(function* () {
        const out: Array<string> = []
        for (const ref of refs ?? []) {
          const found = yield* lookup.object(ref, field, ownerRefs && !ref.includes("@") && !isGuid(ref) ? "servicePrincipal" : undefined)
          if (found === undefined) blockers.push(notFound(field, ref, ref.includes("@") ? "user" : "directory object"))
          else out.push(refBody(lookup.graphRoot, found.id)["@odata.id"])
        }
        return out
      })
    const owners = yield* bind(params.owners, "params.owners", true)
    const members = yield* bind(params.members, "params.members", false)
    if (roleAssignable && !(yield* lookup.granted(REQUIRE.roles))) {
      blockers.push(
        blocker(
          "role-assignable-group",
          ConnectorErrors.permissionMissing({
            permission: REQUIRE.roles.permission,
            message: `Creating the role-assignable group ${params.displayName} needs ${REQUIRE.roles.permission}`,
            fix: grantFix(REQUIRE.roles.permission)
          })
        )
      )
    }
    const body = {
      displayName: params.displayName,
      mailNickname: nickname,
      ...(params.description === undefined ? {} : { description: params.description }),
      mailEnabled: groupType === "microsoft365",
      securityEnabled: groupType === "security",
      groupTypes: groupType === "microsoft365" ? ["Unified"] : [],
      ...(roleAssignable ? { isAssignableToRole: true } : {}),
      ...(params.visibility === undefined ? {} : { visibility: params.visibility }),
      ...(owners.length > 0 ? { "owners@odata.bind": owners } : {}),
      ...(members.length > 0 ? { "members@odata.bind": members } : {})
    }
    const ownerless = owners.length === 0 ? " without owners (only administrators and this app will manage it)" : ""
    return change(params.displayName, `Create the ${wantedKind} group ${params.displayName} (mailNickname ${nickname})${ownerless}`, [{ method: "POST", path: "/groups", body }], requirements, {
      currentState: { exists: false },
      blockers: compact(blockers),
      creates: { kind: "group", keys: [params.displayName.toLowerCase(), nickname.toLowerCase()] }
    })
  })
})

const DeleteGroupParams = Schema.Struct({ group: NonBlankString.annotate({ description: "The group: object id, display name or mailNickname" }) })

export const deleteGroup = defineOperation({
  name: "deleteGroup",
  params: DeleteGroupParams.annotate({
    description: "Delete a group. Microsoft 365 groups stay restorable for 30 days; security groups are deleted permanently at once."
  }),
  phase: PHASE.remove,
  plan: Effect.fn("deleteGroup.plan")(function* (params: typeof DeleteGroupParams.Type) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.groups]
    const group = yield* lookup.group(params.group, "params.group")
    if (group === undefined) return noop(params.group, `No group '${params.group}': nothing to delete`, { exists: false }, requirements)
    const unified = kindOf(group) === "microsoft365"
    const blockers = compact([syncedGroup(group), yield* roleAssignableGroup(group, "delete")])
    return change(
      String(group.displayName),
      `Delete the ${kindOf(group)} group ${group.displayName} (${unified ? "restorable for 30 days" : "permanently: security groups cannot be restored"})`,
      [{ method: "DELETE", path: `/groups/${group.id}`, already: absentRemove }],
      requirements,
      { currentState: { id: group.id, displayName: group.displayName, kind: kindOf(group) }, blockers }
    )
  })
})
