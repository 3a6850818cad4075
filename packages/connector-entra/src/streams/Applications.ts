import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { applicationEntity, ownerRelation } from "../Mapping.ts"
import { fanOut, forEachWindow, type Step } from "../Step.ts"
import { MEMBER_SELECT, memberRef } from "./Members.ts"

export const APPLICATION_SELECT = [
  "id", "appId", "displayName", "description", "signInAudience", "publisherDomain", "createdDateTime", "identifierUris",
  "tags", "appRoles", "passwordCredentials", "keyCredentials", "requiredResourceAccess"
].join(",")

const WINDOW = 100

/**
 * App registrations with their owners (user/sp -> application) and credential expiry: the
 * earliest coming expiry and the count of expired secrets and certificates go into metadata.
 */
export const applicationsStep: Step = {
  name: "applications",
  run: (ctx) =>
    Effect.gen(function* () {
      const unknownTypes = new Set<string>()
      yield* forEachWindow(ctx, `/applications?$select=${APPLICATION_SELECT}&$top=999`, WINDOW, (apps) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          for (const app of apps) yield* ctx.entity(applicationEntity(app, now))
          yield* fanOut(
            ctx,
            "applications",
            apps.map((app) => ({ tag: app.id as string, url: `/applications/${app.id}/owners?${MEMBER_SELECT}&$top=999` })),
            (appId, items) =>
              Effect.forEach(items, (raw) =>
                memberRef(ctx, "applications", raw, unknownTypes).pipe(
                  Effect.flatMap((ref) => (ref === undefined ? Effect.void : ctx.relation(ownerRelation(ref, { kind: "application", id: appId }))))
                ), { discard: true }),
            (appId) => ({ objectId: appId, what: `the owners of application ${appId}` })
          )
        }))
    })
}
