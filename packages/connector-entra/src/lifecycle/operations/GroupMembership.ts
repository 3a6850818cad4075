import { ConnectorErrors } from "@idconnect/core/ConnectorError"
import { NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { CONTAINER_PATH, type DirectoryObject, DirectoryLookup, isGuid } from "../DirectoryLookup.ts"
import { absentRemove, type Blocker, blocker, change, duplicateAdd, noop, type WriteCall } from "../Draft.ts"
import { compact, dynamicGroup, invalid, notFound, roleAssignableGroup, syncedGroup } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE } from "../Requirements.ts"

type Raw = Record<string, any>

export const MemberType = Schema.Literals(["user", "group", "servicePrincipal", "device", "orgContact"]).annotate({
  description: "What `member` names, when it is a display name that is not a group's"
})

const GroupRef = NonBlankString.annotate({ description: "The group: object id, display name or mailNickname" })
const MemberRef = NonBlankString.annotate({ description: "The member: object id, a user's userPrincipalName, or a group's display name" })

/** The `@odata.id` body of a `/$ref` add. */
export const refBody = (graphRoot: string, id: string) => ({ "@odata.id": `${graphRoot}directoryObjects/${id}` })

/** A group, or the group this plan creates under that name. */
const groupTarget = (ctx: PlanContext, ref: string) =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    const group = yield* lookup.group(ref, "params.group")
    const pending = group === undefined ? ctx.pendingGroups.get(ref.toLowerCase()) : undefined
    return { group, pending }
  })

/** A directory object, or the user this plan creates under that UPN. */
export const objectTarget = (ctx: PlanContext, ref: string, field: string, kind?: DirectoryObject["kind"]) =>
  Effect.gen(function* () {
    const lookup = yield* DirectoryLookup
    const object = yield* lookup.object(ref, field, kind)
    const pending = object === undefined && (kind === undefined || kind === "user") ? ctx.pendingUsers.get(ref.toLowerCase()) : undefined
    return { object, pending }
  })

/** Blockers for changing the members of a group. */
const membershipBlockers = (group: Raw, member: DirectoryObject | undefined): Effect.Effect<ReadonlyArray<Blocker>, any, DirectoryLookup> =>
  Effect.gen(function* () {
    const unified = Array.isArray(group.groupTypes) && group.groupTypes.includes("Unified")
    return compact([
      dynamicGroup(group),
      syncedGroup(group),
      yield* roleAssignableGroup(group, "change the members of"),
      unified && member !== undefined && member.kind !== "user" ? invalid("params.member", `${group.displayName} is a Microsoft 365 group: only users can be members`) : undefined,
      member !== undefined && member.kind === "group" && member.id === group.id ? invalid("params.member", "a group cannot be a member of itself") : undefined
    ])
  })

const MembershipParams = Schema.Struct({ group: GroupRef, member: MemberRef, memberType: Schema.optionalKey(MemberType) })
type MembershipParams = typeof MembershipParams.Type

export const addGroupMember = defineOperation({
  name: "addGroupMember",
  params: MembershipParams.annotate({ description: "Make a user, group, service principal or device a direct member of a group." }),
  phase: PHASE.grant,
  plan: Effect.fn("addGroupMember.plan")(function* (params: MembershipParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.members]
    const { group, pending: pendingGroup } = yield* groupTarget(ctx, params.group)
    const { object: member, pending: pendingMember } = yield* objectTarget(ctx, params.member, "params.member", params.memberType)
    const groupLabel = group?.displayName ?? pendingGroup ?? params.group
    const memberLabel = member?.label ?? pendingMember ?? params.member
    const target = `${memberLabel} -> ${groupLabel}`
    const missing = compact([
      group === undefined && pendingGroup === undefined ? notFound("params.group", params.group, "group") : undefined,
      member === undefined && pendingMember === undefined ? notFound("params.member", params.member, params.memberType ?? (params.member.includes("@") ? "user" : "directory object")) : undefined
    ])
    if (missing.length > 0) return change(target, `Add ${target}`, [], requirements, { blockers: missing })
    if (group !== undefined && member !== undefined && (yield* lookup.isMember(CONTAINER_PATH.group(group.id), member))) {
      return noop(target, `${memberLabel} is already a member of ${groupLabel}`, { member: true }, requirements)
    }
    const groupId = group === undefined ? placeholder(pendingGroup!) : String(group.id)
    const memberId = member === undefined ? placeholder(pendingMember!) : member.id
    const blockers = group === undefined ? [] : yield* membershipBlockers(group, member)
    const call: WriteCall = { method: "POST", path: `/groups/${groupId}/members/$ref`, body: refBody(lookup.graphRoot, memberId), already: duplicateAdd }
    return change(target, `Add ${memberLabel} to ${groupLabel}`, [call], requirements, { currentState: { member: false }, blockers })
  })
})

export const removeGroupMember = defineOperation({
  name: "removeGroupMember",
  params: Schema.Struct({
    group: GroupRef.annotate({
      description: "The group: object id, display name or mailNickname; '*' = every group the member is directly in (dynamic and on-premises groups are left, and listed)"
    }),
    member: MemberRef,
    memberType: Schema.optionalKey(MemberType)
  }).annotate({ description: "Remove a direct member from a group (DELETE .../members/{id}/$ref: the member object itself is never deleted)." }),
  phase: PHASE.revoke,
  plan: Effect.fn("removeGroupMember.plan")(function* (params: MembershipParams) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.members]
    const member = yield* lookup.object(params.member, "params.member", params.memberType)
    if (member === undefined) return noop(params.member, `No object '${params.member}': it is in no group`, { exists: false }, requirements)
    const removal = (g: Raw): WriteCall => ({ method: "DELETE", path: `/groups/${g.id}/members/${member.id}/$ref`, already: absentRemove })

    if (params.group === "*") {
      if (member.kind !== "user" && member.kind !== "group") return change(member.label, "Remove from every group", [], requirements, { blockers: [invalid("params.group", "'*' works for users and groups")] })
      const groups = yield* lookup.memberGroups(member)
      const left = groups.filter((g) => dynamicGroup(g) !== undefined || syncedGroup(g) !== undefined)
      const removable = groups.filter((g) => !left.includes(g))
      const note = left.length === 0 ? "" : `; left alone (dynamic or synchronised from on-premises): ${left.map((g) => g.displayName).join(", ")}`
      const state = { groups: groups.map((g) => ({ id: g.id, displayName: g.displayName })) }
      if (removable.length === 0) return noop(member.label, `${member.label} is in no group that can be changed from the cloud${note}`, state, requirements)
      const blockers: Array<Blocker> = []
      for (const g of removable) {
        const b = yield* roleAssignableGroup(g, "change the members of")
        if (b !== undefined) blockers.push(b)
      }
      return change(member.label, `Remove ${member.label} from ${removable.length} group${removable.length === 1 ? "" : "s"}: ${removable.map((g) => g.displayName).join(", ")}${note}`, removable.map(removal), requirements, {
        currentState: state,
        blockers
      })
    }

    const group = yield* lookup.group(params.group, "params.group")
    const target = `${member.label} -> ${group?.displayName ?? params.group}`
    if (group === undefined) return noop(target, `No group '${params.group}': ${member.label} is not in it`, { member: false }, requirements)
    if (!(yield* lookup.isMember(CONTAINER_PATH.group(group.id), member))) {
      return noop(target, `${member.label} is not a direct member of ${group.displayName}`, { member: false }, requirements)
    }
    const blockers = yield* membershipBlockers(group, undefined)
    return change(target, `Remove ${member.label} from ${group.displayName}`, [removal(group)], requirements, { currentState: { member: true }, blockers })
  })
})

const OwnerParams = Schema.Struct({
  group: GroupRef,
  owner: NonBlankString.annotate({ description: "The owner: a user (object id or UPN) or a service principal (object id or display name)" })
})
type OwnerParams = typeof OwnerParams.Type

const ownerKind = (ref: string): DirectoryObject["kind"] | undefined => (ref.includes("@") ? "user" : isGuid(ref) ? undefined : "servicePrincipal")

export const addGroupOwner = defineOperation({
  name: "addGroupOwner",
  params: OwnerParams.annotate({ description: "Make a user or service principal an owner of a group." }),
  phase: PHASE.grant,
  plan: Effect.fn("addGroupOwner.plan")(function* (params: OwnerParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.members]
    const group = yield* lookup.group(params.group, "params.group")
    const { object: owner, pending } = yield* objectTarget(ctx, params.owner, "params.owner", ownerKind(params.owner))
    const ownerLabel = owner?.label ?? pending ?? params.owner
    const target = `${ownerLabel} -> owner of ${group?.displayName ?? params.group}`
    const missing = compact([
      group === undefined ? notFound("params.group", params.group, "group") : undefined,
      owner === undefined && pending === undefined ? notFound("params.owner", params.owner, ownerKind(params.owner) ?? "user or service principal") : undefined,
      owner !== undefined && owner.kind !== "user" && owner.kind !== "servicePrincipal" ? invalid("params.owner", "only users and service principals can own a group") : undefined
    ])
    if (missing.length > 0 || group === undefined) return change(target, `Add owner ${target}`, [], requirements, { blockers: missing })
    const owners = yield* lookup.owners(String(group.id))
    if (owner !== undefined && owners.includes(owner.id.toLowerCase())) return noop(target, `${ownerLabel} already owns ${group.displayName}`, { owners }, requirements)
    const ownerId = owner === undefined ? placeholder(pending!) : owner.id
    const blockers = compact([yield* roleAssignableGroup(group, "change the owners of")])
    return change(
      target,
      `Make ${ownerLabel} an owner of ${group.displayName}`,
      [{ method: "POST", path: `/groups/${group.id}/owners/$ref`, body: refBody(lookup.graphRoot, ownerId), already: duplicateAdd }],
      requirements,
      { currentState: { owners }, blockers, ownerChange: { groupId: String(group.id).toLowerCase(), ownerId: ownerId.toLowerCase(), add: true } }
    )
  })
})

export const removeGroupOwner = defineOperation({
  name: "removeGroupOwner",
  params: OwnerParams.annotate({ description: "Remove an owner from a group; refused for the last owner (add the new owner in the same plan)." }),
  phase: PHASE.revoke,
  plan: Effect.fn("removeGroupOwner.plan")(function* (params: OwnerParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const requirements = [REQUIRE.members]
    const group = yield* lookup.group(params.group, "params.group")
    const owner = yield* lookup.object(params.owner, "params.owner", ownerKind(params.owner))
    const target = `${owner?.label ?? params.owner} -> owner of ${group?.displayName ?? params.group}`
    if (group === undefined || owner === undefined) return noop(target, `'${params.owner}' does not own '${params.group}'`, { owner: false }, requirements)
    const owners = yield* lookup.owners(String(group.id))
    if (!owners.includes(owner.id.toLowerCase())) return noop(target, `${owner.label} does not own ${group.displayName}`, { owners }, requirements)
    // Who is left once this plan's earlier owner changes are applied, and this owner is gone.
    const groupKey = String(group.id).toLowerCase()
    const ofGroup = (keys: Set<string>) => [...keys].filter((k) => k.startsWith(`${groupKey}|`)).map((k) => k.slice(groupKey.length + 1))
    const left = new Set([...owners, ...ofGroup(ctx.ownersAdded)])
    for (const o of ofGroup(ctx.ownersRemoved)) left.delete(o)
    left.delete(owner.id.toLowerCase())
    const lastOwner =
      left.size === 0
        ? blocker(
          "last-owner",
          ConnectorErrors.invalidInput({
            field: "params.owner",
            message: `${owner.label} is the last owner of ${group.displayName}; a group without owners can only be managed by administrators`
          }),
          "Add the new owner first: put an addGroupOwner for this group in the same plan."
        )
        : undefined
    const blockers = compact([lastOwner, yield* roleAssignableGroup(group, "change the owners of")])
    return change(target, `Remove ${owner.label} as an owner of ${group.displayName}`, [{ method: "DELETE", path: `/groups/${group.id}/owners/${owner.id}/$ref`, already: absentRemove }], requirements, {
      currentState: { owners },
      blockers,
      ownerChange: { groupId: groupKey, ownerId: owner.id.toLowerCase(), add: false }
    })
  })
})
