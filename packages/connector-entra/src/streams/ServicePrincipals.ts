import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import {
  appRoleAssignmentRelation,
  appRoleRecords,
  DEFAULT_ACCESS_ROLE,
  defaultAccessRole,
  type Kind,
  ownerRelation,
  principalKind,
  servicePrincipalEntities
} from "../Mapping.ts"
import { makePrincipalBuffer } from "../Principals.ts"
import { fanOut, forEachWindow, type Step } from "../Step.ts"
import { MEMBER_SELECT, memberRef } from "./Members.ts"

type Raw = Record<string, any>

export const SERVICE_PRINCIPAL_SELECT = [
  "id", "appId", "displayName", "appDisplayName", "servicePrincipalType", "accountEnabled", "appOwnerOrganizationId",
  "appRoleAssignmentRequired", "appRoles", "tags", "servicePrincipalNames", "passwordCredentials", "keyCredentials",
  "createdDateTime"
].join(",")

export const ASSIGNMENT_SELECT = "id,appRoleId,principalId,principalType,principalDisplayName,resourceId,createdDateTime"
const WINDOW = 50

type SpTag = { readonly sp: Raw; readonly list: "appRoleAssignedTo" | "owners" }

/**
 * Service principals, each both an identity (it signs in, holds roles and memberships) and an
 * enterprise application (what access is to). Their app roles become connections granting access
 * to the app; `appRoleAssignedTo` gives who holds each role (principal -> appRole). Assignments
 * with the all-zero role id are "default access"; an assignment naming a role the app no longer
 * defines is kept with a placeholder role and a warning.
 */
export const servicePrincipalsStep: Step = {
  name: "servicePrincipals",
  run: (ctx) =>
    Effect.gen(function* () {
      const unknownTypes = new Set<string>()
      yield* forEachWindow(ctx, `/servicePrincipals?$select=${SERVICE_PRINCIPAL_SELECT}&$top=999`, WINDOW, (sps) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          for (const sp of sps) {
            for (const e of servicePrincipalEntities(sp, now)) yield* ctx.entity(e)
            for (const role of Array.isArray(sp.appRoles) ? sp.appRoles : []) {
              const { entity, grant } = appRoleRecords(sp, role)
              yield* ctx.entity(entity)
              yield* ctx.relation(grant)
            }
          }
          // Placeholder roles are emitted once per service principal; a service principal's assignments all come in its window.
          const placeholders = new Set<string>()
          const assignments = makePrincipalBuffer<{ readonly sp: Raw; readonly raw: Raw }>(
            ({ raw }) => raw.principalId,
            ({ sp, raw }, kind) => assignment(sp, raw, kind, placeholders)
          )
          const requests = sps.flatMap((sp) => [
            { tag: { sp, list: "appRoleAssignedTo" } as SpTag, url: `/servicePrincipals/${sp.id}/appRoleAssignedTo?$select=${ASSIGNMENT_SELECT}&$top=999` },
            { tag: { sp, list: "owners" } as SpTag, url: `/servicePrincipals/${sp.id}/owners?${MEMBER_SELECT}&$top=999` }
          ])
          yield* fanOut(
            ctx,
            "servicePrincipals",
            requests,
            (tag, items) =>
              tag.list === "owners"
                ? Effect.forEach(items, (raw) =>
                  memberRef(ctx, "servicePrincipals", raw, unknownTypes).pipe(
                    Effect.flatMap((ref) => (ref === undefined ? Effect.void : ctx.relation(ownerRelation(ref, { kind: "enterpriseApplication", id: tag.sp.id }))))
                  ), { discard: true })
                : assignments.add(items.filter((raw) => typeof raw.principalId === "string").map((raw) => ({ sp: tag.sp, raw }))),
            (tag) => ({ objectId: tag.sp.id, what: `the ${tag.list} of service principal ${tag.sp.id}` })
          )
          yield* assignments.flush()
        }))

      /** One app role assignment whose principal was checked: gone principals (soft-deleted users) are skipped. */
      function assignment(sp: Raw, raw: Raw, kind: Kind | undefined, placeholders: Set<string>) {
        return Effect.gen(function* () {
          const principal = principalKind(kind)
          if (principal === undefined || typeof raw.appRoleId !== "string") {
            return yield* ctx.warn(
              "servicePrincipals.assignment-skipped",
              `Skipped app role assignment ${raw.id} on ${sp.displayName}: its principal ${raw.principalId} (${raw.principalType}) no longer exists`,
              raw.id
            )
          }
          const roles: ReadonlyArray<Raw> = Array.isArray(sp.appRoles) ? sp.appRoles : []
          if (!roles.some((r) => r.id === raw.appRoleId) && !placeholders.has(`${sp.id}/${raw.appRoleId}`)) {
            placeholders.add(`${sp.id}/${raw.appRoleId}`)
            const placeholder = raw.appRoleId === DEFAULT_ACCESS_ROLE
              ? defaultAccessRole(sp)
              : { id: raw.appRoleId, displayName: "Unknown app role", value: null, isEnabled: false, description: "The app no longer defines this role" }
            if (raw.appRoleId !== DEFAULT_ACCESS_ROLE) {
              yield* ctx.warn("servicePrincipals.unknown-app-role", `App role assignment ${raw.id} names role ${raw.appRoleId}, which ${sp.displayName} does not define`, raw.id)
            }
            const { entity, grant } = appRoleRecords(sp, placeholder)
            yield* ctx.entity(entity)
            yield* ctx.relation(grant)
          }
          yield* ctx.relation(appRoleAssignmentRelation({ kind: principal, id: raw.principalId }, sp.id, raw.appRoleId, raw))
        })
      }
    })
}
