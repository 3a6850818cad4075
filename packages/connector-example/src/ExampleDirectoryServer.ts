import { serve, type ServerType } from "@hono/node-server"
import { Hono, type Context as HonoContext } from "hono"
import type { AddressInfo } from "node:net"

/**
 * A small HTTP directory service: the live target the example plugin's tests, the CLI demo and
 * the connector generator's scaffold run against. It behaves like the APIs real connectors call:
 * bearer-token auth with scopes, cursor pagination with opaque cursors, `{ error: { code } }`
 * bodies, `Retry-After` on throttling, and a write API whose duplicate add is a 409 a connector
 * must treat as success. Replace it with your system's own test target when you copy this plugin.
 *
 * Run it alone with `npx node --conditions=@idconnect/source <this file>`; it prints a config.
 */

export interface DirectoryUser {
  readonly id: string
  readonly userName: string
  readonly displayName: string
  readonly email: string
  readonly active: boolean
}

export interface DirectoryGroup {
  readonly id: string
  readonly displayName: string
  readonly description: string
}

export interface DirectoryMembership {
  readonly groupId: string
  readonly memberId: string
  readonly memberType: "user" | "group"
}

export type DirectoryScope = "directory.read" | "directory.write"

/** A response the server gives instead of handling the next matching requests (fault injection). */
export interface DirectoryFault {
  readonly status: number
  readonly retryAfterSeconds?: number
  /** Only requests whose path starts with this (default: any request). */
  readonly pathPrefix?: string
  /** How many requests get this fault (default 1). */
  readonly times?: number
}

export interface DirectoryOptions {
  /** How many users and groups to seed (default 23 users, 5 groups). */
  readonly users?: number
  readonly groups?: number
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number
}

export interface ExampleDirectory {
  /** e.g. http://127.0.0.1:43123 */
  readonly url: string
  /** A token with read and write scopes. */
  readonly token: string
  /** A token with the read scope only. */
  readonly readOnlyToken: string
  /** The number of objects extraction should produce. */
  readonly expected: () => { readonly entities: number; readonly relations: number }
  /** Member ids of a group, for asserting on lifecycle changes. */
  readonly members: (groupId: string) => ReadonlyArray<string>
  /** Writes that changed state, in order (the directory's audit log). */
  readonly changes: () => ReadonlyArray<string>
  readonly injectFault: (fault: DirectoryFault) => void
  readonly close: () => Promise<void>
}

const MAX_PAGE = 100
const DEFAULT_PAGE = 50
const API = "/api/v1"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/** Deterministic seed data: every user is in one or two groups, and group 2 is nested in group 1. */
const seed = (userCount: number, groupCount: number) => {
  const users: Array<DirectoryUser> = []
  const groups: Array<DirectoryGroup> = []
  const memberships: Array<DirectoryMembership> = []
  for (let g = 1; g <= groupCount; g++) {
    groups.push({ id: `g-${pad(g, 2)}`, displayName: `Group ${g}`, description: `Seeded group ${g}` })
  }
  for (let u = 1; u <= userCount; u++) {
    const id = `u-${pad(u, 4)}`
    users.push({ id, userName: `user${u}`, displayName: `User ${u}`, email: `user${u}@directory.test`, active: u % 5 !== 0 })
    if (groupCount === 0) continue
    const first = (u % groupCount) + 1
    const second = ((u * 3) % groupCount) + 1
    memberships.push({ groupId: `g-${pad(first, 2)}`, memberId: id, memberType: "user" })
    if (second !== first) memberships.push({ groupId: `g-${pad(second, 2)}`, memberId: id, memberType: "user" })
  }
  if (groupCount >= 2) memberships.push({ groupId: "g-01", memberId: "g-02", memberType: "group" })
  return { users, groups, memberships }
}

type Resource = "users" | "groups" | "memberships"

// Cursors are opaque to clients (base64url JSON), like most APIs; the plugin must store them verbatim.
const encodeCursor = (resource: Resource, offset: number) =>
  Buffer.from(JSON.stringify({ r: resource, o: offset })).toString("base64url")

const decodeCursor = (resource: Resource, cursor: string): number | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { r?: unknown; o?: unknown }
    return parsed.r === resource && typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0
      ? parsed.o
      : undefined
  } catch {
    return undefined
  }
}

const error = (c: HonoContext, status: 400 | 401 | 403 | 404 | 409, code: string, message: string, extra: object = {}) =>
  c.json({ error: { code, message, ...extra } }, status)

/** Builds the directory's HTTP app and its state; `startExampleDirectory` serves it on 127.0.0.1. */
export const makeDirectoryApp = (options: DirectoryOptions = {}) => {
  const data = seed(options.users ?? 23, options.groups ?? 5)
  const token = `rw-${crypto.randomUUID()}`
  const readOnlyToken = `ro-${crypto.randomUUID()}`
  const scopes = new Map<string, ReadonlyArray<DirectoryScope>>([
    [token, ["directory.read", "directory.write"]],
    [readOnlyToken, ["directory.read"]]
  ])
  const faults: Array<{ fault: DirectoryFault; left: number }> = []
  const audit: Array<string> = []
  let requestCounter = 0

  const app = new Hono<{ Variables: { scopes: ReadonlyArray<DirectoryScope> } }>()

  app.use("*", async (c, next) => {
    c.header("x-request-id", `req-${++requestCounter}`)
    const path = new URL(c.req.url).pathname
    const fault = faults.find((f) => f.left > 0 && path.startsWith(f.fault.pathPrefix ?? ""))
    if (fault !== undefined) {
      fault.left--
      if (fault.fault.retryAfterSeconds !== undefined) c.header("retry-after", String(fault.fault.retryAfterSeconds))
      return c.json({ error: { code: "Injected", message: `injected fault ${fault.fault.status}` } }, fault.fault.status as 500)
    }
    const auth = c.req.header("authorization") ?? ""
    const granted = auth.startsWith("Bearer ") ? scopes.get(auth.slice(7)) : undefined
    if (granted === undefined) return error(c, 401, "InvalidToken", "The bearer token is missing, unknown or expired")
    c.set("scopes", granted)
    // Token introspection needs no scope, so a connection check can say which scopes are missing.
    if (path === `${API}/token`) return next()
    const needed: DirectoryScope = c.req.method === "GET" ? "directory.read" : "directory.write"
    if (!granted.includes(needed)) {
      return error(c, 403, "Forbidden", `This call needs the ${needed} scope`, { requiredScope: needed })
    }
    return next()
  })

  app.get(`${API}/token`, (c) => c.json({ scopes: c.get("scopes") }))

  const list = <A>(resource: Resource, items: () => ReadonlyArray<A>) =>
    app.get(`${API}/${resource}`, (c) => {
      const limitText = c.req.query("limit")
      const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText)
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        return error(c, 400, "InvalidLimit", `limit must be an integer from 1 to ${MAX_PAGE}`)
      }
      const cursor = c.req.query("cursor")
      const offset = cursor === undefined ? 0 : decodeCursor(resource, cursor)
      if (offset === undefined) return error(c, 400, "InvalidCursor", "The cursor is not valid for this list")
      const all = items()
      const page = all.slice(offset, offset + limit)
      const next = offset + limit < all.length ? encodeCursor(resource, offset + limit) : undefined
      return c.json(next === undefined ? { items: page } : { items: page, nextCursor: next })
    })
  list("users", () => data.users)
  list("groups", () => data.groups)
  list("memberships", () => data.memberships)

  const findMember = (memberId: string): DirectoryMembership["memberType"] | undefined =>
    data.users.some((u) => u.id === memberId) ? "user" : data.groups.some((g) => g.id === memberId) ? "group" : undefined
  const membershipIndex = (groupId: string, memberId: string) =>
    data.memberships.findIndex((m) => m.groupId === groupId && m.memberId === memberId)

  app.get(`${API}/groups/:groupId/members/:memberId`, (c) => {
    const { groupId, memberId } = c.req.param()
    if (!data.groups.some((g) => g.id === groupId)) return error(c, 404, "GroupNotFound", `No group ${groupId}`)
    const i = membershipIndex(groupId, memberId)
    return i < 0 ? error(c, 404, "NotMember", `${memberId} is not a member of ${groupId}`) : c.json(data.memberships[i])
  })

  app.post(`${API}/groups/:groupId/members`, async (c) => {
    const { groupId } = c.req.param()
    const body = (await c.req.json().catch(() => undefined)) as { memberId?: unknown } | undefined
    if (typeof body?.memberId !== "string") return error(c, 400, "InvalidBody", "Body must be { memberId: string }")
    const memberId = body.memberId
    if (!data.groups.some((g) => g.id === groupId)) return error(c, 404, "GroupNotFound", `No group ${groupId}`)
    const memberType = findMember(memberId)
    if (memberType === undefined) return error(c, 404, "MemberNotFound", `No user or group ${memberId}`)
    if (membershipIndex(groupId, memberId) >= 0) {
      return error(c, 409, "AlreadyMember", `${memberId} is already a member of ${groupId}`)
    }
    const membership: DirectoryMembership = { groupId, memberId, memberType }
    data.memberships.push(membership)
    audit.push(`add ${memberId} -> ${groupId}`)
    return c.json(membership, 201)
  })

  app.delete(`${API}/groups/:groupId/members/:memberId`, (c) => {
    const { groupId, memberId } = c.req.param()
    if (!data.groups.some((g) => g.id === groupId)) return error(c, 404, "GroupNotFound", `No group ${groupId}`)
    const i = membershipIndex(groupId, memberId)
    if (i < 0) return error(c, 404, "NotMember", `${memberId} is not a member of ${groupId}`)
    data.memberships.splice(i, 1)
    audit.push(`remove ${memberId} -> ${groupId}`)
    return c.body(null, 204)
  })

  app.notFound((c) => error(c, 404, "NotFound", `No route ${c.req.method} ${new URL(c.req.url).pathname}`))

  return {
    app,
    token,
    readOnlyToken,
    expected: () => ({ entities: data.users.length + data.groups.length, relations: data.memberships.length }),
    members: (groupId: string) => data.memberships.filter((m) => m.groupId === groupId).map((m) => m.memberId),
    changes: () => [...audit],
    injectFault: (fault: DirectoryFault) => void faults.push({ fault, left: fault.times ?? 1 })
  }
}

/** Starts the directory on 127.0.0.1 and resolves once it listens. */
export const startExampleDirectory = async (options: DirectoryOptions = {}): Promise<ExampleDirectory> => {
  const made = makeDirectoryApp(options)
  const { server, address } = await new Promise<{ server: ServerType; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: made.app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 }, (info) =>
      resolve({ server, address: info })
    )
    server.once("error", reject)
  })
  return {
    url: `http://127.0.0.1:${address.port}`,
    token: made.token,
    readOnlyToken: made.readOnlyToken,
    expected: made.expected,
    members: made.members,
    changes: made.changes,
    injectFault: made.injectFault,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ("closeAllConnections" in server) server.closeAllConnections()
        server.close((e) => (e ? reject(e) : resolve()))
      })
  }
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 4010)
  const directory = await startExampleDirectory({ port })
  console.log(`Directory listening on ${directory.url}`)
  console.log(`Config for the direct mode:\n${JSON.stringify({ baseUrl: directory.url, token: directory.token }, null, 2)}`)
}
