import { type GraphSimHandle, LIFECYCLE_PERMISSIONS, READ_PERMISSIONS, type SimTenant, startGraphSim, type TenantSpec } from "@idconnect/graph-sim/GraphSim"
import type { OperationRequest, OperationResult, Plan } from "@idconnect/schemas/Operation"
import type { EntraDirectConfig } from "@idconnect/schemas/ModeConfig"
import * as Effect from "effect/Effect"
import { applyLifecycle, type LifecycleTuning, planLifecycle } from "../../../src/lifecycle/EntraLifecycle.ts"
import { decode, rawConfig } from "../../support/Sim.ts"

/** Everything the plugin reads and writes with (the simulator's default main app, minus the certificate). */
export const ALL_PERMISSIONS: ReadonlyArray<string> = [...READ_PERMISSIONS, ...LIFECYCLE_PERMISSIONS]

/** Short waits after an uncertain answer, so fault tests stay quick; everything else as in production. */
export const FAST: LifecycleTuning = { uncertainRetryDelayMs: 20 }

export interface Harness {
  readonly sim: GraphSimHandle
  readonly tenant: SimTenant
  readonly config: EntraDirectConfig
  readonly domain: string
  readonly upn: (localPart: string) => string
  readonly plan: (ops: ReadonlyArray<OperationRequest>) => Promise<Plan>
  readonly apply: (ops: ReadonlyArray<OperationRequest>) => Promise<ReadonlyArray<OperationResult>>
  /** Sets the main app's granted permissions (tokens issued afterwards carry them; each plan/apply signs in anew). */
  readonly grant: (permissions: ReadonlyArray<string>) => void
  readonly stop: () => Promise<void>
}

/**
 * A demo tenant on the Graph simulator (seed 1, as `npm run graph-sim -- --preset demo` starts it,
 * so the example files apply) and the plugin's lifecycle against it.
 */
export const startHarness = async (spec: Partial<TenantSpec> = {}, tuning: LifecycleTuning = FAST): Promise<Harness> => {
  const sim = await startGraphSim({
    host: "127.0.0.1",
    tenants: [{ preset: "demo", seed: 1, license: "P2", apps: [{ name: "main", displayName: "idconnect Entra connector", permissions: ALL_PERMISSIONS }], ...spec }]
  })
  const info = sim.tenants[0]!
  const tenant = sim.tenant(info.tenantId)
  const config = await decode(rawConfig(sim, "main"))
  return {
    sim,
    tenant,
    config,
    domain: info.domain,
    upn: (localPart) => `${localPart}@${info.domain}`,
    plan: (ops) => Effect.runPromise(planLifecycle(config, ops, tuning)),
    apply: (ops) => Effect.runPromise(applyLifecycle(config, ops, tuning)),
    grant: (permissions) => tenant.setAppPermissions(info.apps[0]!.clientId, permissions),
    stop: () => sim.stop()
  }
}

/** Ground-truth helpers: what the directory holds now, read from the simulator, not through the plugin. */
export const truthOf = (tenant: SimTenant) => {
  const t = tenant.truth
  const user = (upn: string) => t.users().find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase())
  const group = (name: string) => t.groups().find((g) => g.displayName === name)
  return {
    user,
    group,
    userId: (upn: string) => {
      const u = user(upn)
      if (u === undefined) throw new Error(`no live user ${upn}`)
      return u.id
    },
    groupId: (name: string) => {
      const g = group(name)
      if (g === undefined) throw new Error(`no group ${name}`)
      return g.id
    },
    isMember: (groupName: string, memberId: string) => t.members(group(groupName)!.id).some((m) => m.id === memberId),
    groupsOf: (memberId: string) => t.groups().filter((g) => t.members(g.id).some((m) => m.id === memberId)).map((g) => g.displayName).sort(),
    owners: (groupName: string) => t.ownerships().filter((o) => o.parentId === group(groupName)!.id).map((o) => o.memberId),
    appRolesOf: (principalId: string) => t.appRoleAssignments().filter((a) => a.principalId === principalId),
    rolesOf: (principalId: string) => t.roleAssignments().filter((a) => a.principalId === principalId),
    eligibilitiesOf: (principalId: string) => t.roleEligibilitySchedules().filter((a) => a.principalId === principalId),
    auMembers: (auName: string) => t.administrativeUnitMembers(t.administrativeUnits().find((a) => a.displayName === auName)!.id).map((m) => m.id)
  }
}

export const statuses = (results: ReadonlyArray<OperationResult>) => results.map((r) => r.status)
export const outcomes = (plan: Plan) => plan.operations.map((p) => p.outcome)
