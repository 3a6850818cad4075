import * as Effect from "effect/Effect"
import { GraphClient } from "../GraphClient.ts"
import { tenantEntity } from "../Mapping.ts"
import type { Step } from "../Step.ts"

export const ORGANIZATION_SELECT = "id,displayName,createdDateTime,tenantType,verifiedDomains,countryLetterCode"

/**
 * The tenant itself (resource/directory): what tenant-wide directory roles grant access over.
 * Without permission to read the organization record it is still emitted, named by its id.
 */
export const directoryStep: Step = {
  name: "directory",
  run: (ctx) =>
    Effect.gen(function* () {
      const graph = yield* GraphClient
      const outcome = yield* Effect.result(graph.get(`/organization?$select=${ORGANIZATION_SELECT}`))
      if (outcome._tag === "Failure") {
        if (outcome.failure.code !== "PermissionMissing") return yield* outcome.failure
        yield* ctx.warn("directory.permission-missing", `The organization record is not readable (${outcome.failure.message}); the tenant is named by its id`)
      }
      const org = outcome._tag === "Success" && Array.isArray(outcome.success?.value) ? outcome.success.value[0] : undefined
      yield* ctx.entity(tenantEntity(ctx.tenantId, org))
    })
}
