import * as Effect from "effect/Effect"
import { delegatedGrantRelation } from "../Mapping.ts"
import { forEachWindow, type Step } from "../Step.ts"

export const GRANT_SELECT = "id,clientId,consentType,principalId,resourceId,scope"

/** Delegated consents: client app -> resource app with scopes, for all users or one (needs Directory.Read.All). */
export const oauth2GrantsStep: Step = {
  name: "oauth2PermissionGrants",
  run: (ctx) =>
    forEachWindow(ctx, `/oauth2PermissionGrants?$select=${GRANT_SELECT}&$top=999`, 999, (items) =>
      Effect.forEach(items, (raw) => ctx.relation(delegatedGrantRelation(raw)), { discard: true })
    ).pipe(Effect.asVoid)
}
