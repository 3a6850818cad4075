import type { HttpBindings } from "@hono/node-server"
import { type Context, Hono } from "hono"
import type { FaultSpec } from "../graph/Faults.ts"
import type { License } from "../tenant/Records.ts"
import type { SimTenant } from "../tenant/SimTenant.ts"
import type { GraphHost } from "../graph/GraphPipeline.ts"

interface AdminState extends GraphHost {
  readonly tenants: ReadonlyArray<SimTenant>
  readonly info: () => unknown
}

type Ctx = Context<{ Bindings: HttpBindings }>

const TRUTH_COLLECTIONS = [
  "counts", "users", "groups", "memberships", "ownerships", "servicePrincipals", "applications", "devices", "orgContacts",
  "administrativeUnits", "appRoleAssignments", "oauth2PermissionGrants", "roleDefinitions", "roleAssignments",
  "roleEligibilitySchedules", "roleAssignmentSchedules", "directoryRoles", "riskyUsers", "riskDetections", "organization",
  "deletedItems"
] as const

/**
 * Operator API under `/_sim` (same HTTPS origin, no auth: bind to loopback). Reads counters and ground
 * truth, mutates tenants between syncs, and switches throttling, licence and faults at runtime.
 */
export const adminApp = (state: AdminState): Hono<{ Bindings: HttpBindings }> => {
  const app = new Hono<{ Bindings: HttpBindings }>()
  const find = (id: string): SimTenant | undefined => state.tenants.find((t) => t.tenantId === id.toLowerCase() || t.domain === id.toLowerCase())
  const withTenant = (handler: (c: Ctx, t: SimTenant) => Response | Promise<Response>) => async (c: Ctx): Promise<Response> => {
    const t = find(c.req.param("tid") ?? "")
    if (t === undefined) return c.json({ error: `no tenant '${c.req.param("tid") ?? ""}'` }, 404)
    try {
      return await handler(c, t)
    } catch (e) {
      return c.json({ error: e instanceof Error ? e.message : String(e) }, 400)
    }
  }
  const body = async <T>(c: Ctx): Promise<T> => {
    const text = await c.req.text()
    return (text.trim() === "" ? {} : JSON.parse(text)) as T
  }

  app.get("/", (c) => c.json(state.info() as object))
  app.get("/counters", (c) => c.json(Object.fromEntries(state.tenants.map((t) => [t.tenantId, t.counters.snapshot()]))))
  app.post("/counters/reset", (c) => {
    for (const t of state.tenants) t.counters.reset()
    return c.body(null, 204)
  })
  app.get("/tenants", (c) => c.json(state.tenants.map((t) => t.info())))
  app.get("/tenants/:tid", withTenant((c, t) => c.json(t.info())))
  app.get("/tenants/:tid/counters", withTenant((c, t) => c.json(t.counters.snapshot())))
  app.post("/tenants/:tid/counters/reset", withTenant((c, t) => {
    t.counters.reset()
    return c.body(null, 204)
  }))

  // ---------------------------------------------------------------- controls
  app.put("/tenants/:tid/license", withTenant(async (c, t) => {
    const { license } = await body<{ license: License }>(c)
    if (!["none", "P1", "P2"].includes(license)) return c.json({ error: "license must be none, P1 or P2" }, 400)
    t.setLicense(license)
    return c.json({ license: t.license })
  }))
  app.put("/tenants/:tid/throttling", withTenant(async (c, t) => {
    const b = await body<{ enabled?: boolean; budgetScale?: number }>(c)
    t.setThrottling(b.enabled === false ? false : { budgetScale: b.budgetScale ?? t.throttle.config.budgetScale })
    return c.json(t.throttle.config)
  }))
  app.post("/tenants/:tid/throttling/drain", withTenant(async (c, t) => {
    const { clientId } = await body<{ clientId?: string }>(c)
    t.drainRuBucket(clientId ?? t.mainApp().clientId)
    return c.body(null, 204)
  }))
  app.put("/tenants/:tid/faults", withTenant(async (c, t) => {
    t.setFaults(await body<FaultSpec>(c))
    return c.json(t.faults.spec)
  }))
  app.put("/tenants/:tid/privileged-role", withTenant(async (c, t) => {
    const { held } = await body<{ held: boolean }>(c)
    t.setPrivilegedRole(held === true)
    return c.json({ held: held === true })
  }))
  app.put("/tenants/:tid/apps/:clientId/permissions", withTenant(async (c, t) => {
    const { permissions } = await body<{ permissions: string[] }>(c)
    t.setAppPermissions(c.req.param("clientId") ?? "", permissions)
    return c.json({ permissions })
  }))
  app.post("/tenants/:tid/tokens/revoke", withTenant((c, t) => {
    t.revokeTokens()
    return c.body(null, 204)
  }))
  app.post("/tenants/:tid/delta/expire", withTenant((c, t) => {
    t.expireDeltaTokens()
    return c.body(null, 204)
  }))
  app.post("/tenants/:tid/delta/resync", withTenant((c, t) => {
    t.requireDeltaResync()
    return c.body(null, 204)
  }))
  app.post("/tenants/:tid/clock/advance", withTenant(async (c, t) => {
    const b = await body<{ ms?: number; days?: number }>(c)
    t.advanceClock((b.ms ?? 0) + (b.days ?? 0) * 86_400_000)
    return c.json({ clockOffsetMs: t.clockOffsetMs })
  }))

  // ---------------------------------------------------------------- mutations
  app.post("/tenants/:tid/users", withTenant(async (c, t) => c.json(t.createUser(await body(c)), 201)))
  app.patch("/tenants/:tid/users/:id", withTenant(async (c, t) => c.json(t.updateUser(c.req.param("id") ?? "", await body(c)))))
  app.delete("/tenants/:tid/users/:id", withTenant((c, t) => {
    t.deleteUser(c.req.param("id") ?? "", { permanent: c.req.query("permanent") === "true" })
    return c.body(null, 204)
  }))
  app.post("/tenants/:tid/users/:id/restore", withTenant((c, t) => c.json(t.restoreUser(c.req.param("id") ?? ""))))
  app.post("/tenants/:tid/groups", withTenant(async (c, t) => c.json(t.createGroup(await body(c)), 201)))
  app.patch("/tenants/:tid/groups/:id", withTenant(async (c, t) => c.json(t.updateGroup(c.req.param("id") ?? "", await body(c)))))
  app.delete("/tenants/:tid/groups/:id", withTenant((c, t) => {
    t.deleteGroup(c.req.param("id") ?? "", { permanent: c.req.query("permanent") === "true" })
    return c.body(null, 204)
  }))
  app.post("/tenants/:tid/groups/:id/restore", withTenant((c, t) => c.json(t.restoreGroup(c.req.param("id") ?? ""))))
  app.post("/tenants/:tid/groups/:id/members", withTenant(async (c, t) => {
    const { id } = await body<{ id: string }>(c)
    return c.json({ added: t.addMember(c.req.param("id") ?? "", id) })
  }))
  app.delete("/tenants/:tid/groups/:id/members/:mid", withTenant((c, t) => c.json({ removed: t.removeMember(c.req.param("id") ?? "", c.req.param("mid") ?? "") })))
  app.post("/tenants/:tid/groups/:id/owners", withTenant(async (c, t) => {
    const { id } = await body<{ id: string }>(c)
    return c.json({ added: t.addOwner(c.req.param("id") ?? "", id) })
  }))
  app.delete("/tenants/:tid/groups/:id/owners/:oid", withTenant((c, t) => c.json({ removed: t.removeOwner(c.req.param("id") ?? "", c.req.param("oid") ?? "") })))

  // ---------------------------------------------------------------- ground truth
  app.get("/tenants/:tid/truth/:collection", withTenant((c, t) => {
    const name = c.req.param("collection") as (typeof TRUTH_COLLECTIONS)[number]
    if (!TRUTH_COLLECTIONS.includes(name)) return c.json({ error: `unknown collection; one of ${TRUTH_COLLECTIONS.join(", ")}` }, 404)
    return c.json(t.truth[name]() as object)
  }))
  app.get("/tenants/:tid/truth/groups/:id/members", withTenant((c, t) => c.json(t.truth.members(c.req.param("id") ?? ""))))
  app.get("/tenants/:tid/truth/groups/:id/transitiveMembers", withTenant((c, t) => c.json(t.truth.transitiveMembers(c.req.param("id") ?? ""))))
  app.get("/tenants/:tid/truth/owners/:id", withTenant((c, t) => c.json(t.truth.owners(c.req.param("id") ?? ""))))
  return app
}
