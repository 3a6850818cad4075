import { NonBlankString } from "@idconnect/schemas/Common"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { CONTAINER_PATH, DirectoryLookup } from "../DirectoryLookup.ts"
import { absentRemove, change, duplicateAdd, noop } from "../Draft.ts"
import { compact, invalid, notFound } from "../Guards.ts"
import { defineOperation, PHASE, placeholder, type PlanContext } from "../OperationSpec.ts"
import { REQUIRE } from "../Requirements.ts"
import { objectTarget, refBody } from "./GroupMembership.ts"

const AuParams = Schema.Struct({
  administrativeUnit: NonBlankString.annotate({ description: "The administrative unit: object id or display name" }),
  member: NonBlankString.annotate({ description: "A user (id or UPN), a group (id or display name) or a device (id)" }),
  memberType: Schema.optionalKey(Schema.Literals(["user", "group", "device"]))
})
type AuParams = typeof AuParams.Type

const requirements = [REQUIRE.administrativeUnits]

export const addAdministrativeUnitMember = defineOperation({
  name: "addAdministrativeUnitMember",
  params: AuParams.annotate({ description: "Put a user, group or device in an administrative unit (so scoped administrators manage it)." }),
  phase: PHASE.grant,
  plan: Effect.fn("addAdministrativeUnitMember.plan")(function* (params: AuParams, ctx: PlanContext) {
    const lookup = yield* DirectoryLookup
    const au = yield* lookup.administrativeUnit(params.administrativeUnit, "params.administrativeUnit")
    const { object: member, pending } = yield* objectTarget(ctx, params.member, "params.member", params.memberType)
    const memberLabel = member?.label ?? pending ?? params.member
    const target = `${memberLabel} -> ${au?.displayName ?? params.administrativeUnit}`
    const blockers = compact([
      au === undefined ? notFound("params.administrativeUnit", params.administrativeUnit, "administrative unit") : undefined,
      member === undefined && pending === undefined ? notFound("params.member", params.member, params.memberType ?? "directory object") : undefined,
      member !== undefined && !["user", "group", "device"].includes(member.kind) ? invalid("params.member", "administrative units hold users, groups and devices") : undefined
    ])
    if (blockers.length > 0 || au === undefined) return change(target, `Add ${target}`, [], requirements, { blockers })
    if (member !== undefined && (yield* lookup.isMember(CONTAINER_PATH.administrativeUnit(au.id), member))) {
      return noop(target, `${memberLabel} is already in ${au.displayName}`, { member: true }, requirements)
    }
    const memberId = member === undefined ? placeholder(pending!) : member.id
    return change(
      target,
      `Add ${memberLabel} to the administrative unit ${au.displayName}`,
      [{ method: "POST", path: `${CONTAINER_PATH.administrativeUnit(au.id)}/members/$ref`, body: refBody(lookup.graphRoot, memberId), already: duplicateAdd }],
      requirements,
      { currentState: { member: false } }
    )
  })
})

export const removeAdministrativeUnitMember = defineOperation({
  name: "removeAdministrativeUnitMember",
  params: AuParams.annotate({ description: "Take a user, group or device out of an administrative unit (the object itself is kept)." }),
  phase: PHASE.revoke,
  plan: Effect.fn("removeAdministrativeUnitMember.plan")(function* (params: AuParams) {
    const lookup = yield* DirectoryLookup
    const au = yield* lookup.administrativeUnit(params.administrativeUnit, "params.administrativeUnit")
    const member = yield* lookup.object(params.member, "params.member", params.memberType)
    const target = `${member?.label ?? params.member} -> ${au?.displayName ?? params.administrativeUnit}`
    if (au === undefined || member === undefined) return noop(target, `'${params.member}' is not in '${params.administrativeUnit}'`, { member: false }, requirements)
    if (!(yield* lookup.isMember(CONTAINER_PATH.administrativeUnit(au.id), member))) {
      return noop(target, `${member.label} is not in ${au.displayName}`, { member: false }, requirements)
    }
    return change(
      target,
      `Remove ${member.label} from the administrative unit ${au.displayName}`,
      [{ method: "DELETE", path: `${CONTAINER_PATH.administrativeUnit(au.id)}/members/${member.id}/$ref`, already: absentRemove }],
      requirements,
      { currentState: { member: true } }
    )
  })
})
