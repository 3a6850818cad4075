import { randomUUID } from "node:crypto"
import SCIMMY from "scimmy"

/**
 * The in-memory store behind the SCIMMY test peer: two Maps and the three SCIMMY handlers
 * (ingress = create/replace, egress = read/list, degress = delete). SCIMMY is a process-wide
 * singleton, so the handlers are declared once per test file (module load) and tests reset the
 * Maps through `resetStore`. Unlike bare SCIMMY, the store enforces userName uniqueness
 * (case-insensitive, 409 `uniqueness`) like Okta's suite expects; it keeps SCIMMY's other habits
 * (a duplicate member add appends a duplicate, the first page again past the end).
 */
export interface StoredResource {
  id: string
  [key: string]: unknown
}

export const store = {
  users: new Map<string, StoredResource>(),
  groups: new Map<string, StoredResource>()
}

export const resetStore = (): void => {
  store.users.clear()
  store.groups.clear()
}

const plain = (instance: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(instance)) as Record<string, unknown>

/** A resource as a list shows it, in insertion order (stable paging). */
const list = (map: Map<string, StoredResource>, resource: { id?: string; filter?: { match: (v: Array<unknown>) => Array<unknown> } }, kind: string) => {
  if (resource.id !== undefined) {
    const found = map.get(resource.id)
    if (found === undefined) throw new SCIMMY.Types.Error(404, "", `${kind} ${resource.id} not found`)
    return found
  }
  const all = [...map.values()]
  return resource.filter ? resource.filter.match(all) : all
}

const stamp = (map: Map<string, StoredResource>, id: string) => {
  const now = new Date().toISOString()
  const created = (map.get(id)?.meta as { created?: string } | undefined)?.created ?? now
  return { created, lastModified: now }
}

let declared = false

/** Declares the User (with the enterprise extension) and Group resources once per process. */
export const declareResources = (): void => {
  if (declared) return
  declared = true
  const User = SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false) as typeof SCIMMY.Resources.User
  SCIMMY.Resources.declare(
    User.ingress((resource: SCIMMY.Resources.User, instance: unknown) => {
      const body = plain(instance)
      const id = resource.id ?? randomUUID()
      if (resource.id !== undefined && !store.users.has(id)) throw new SCIMMY.Types.Error(404, "", `User ${id} not found`)
      const userName = String(body.userName ?? "").toLowerCase()
      for (const other of store.users.values()) {
        if (other.id !== id && String(other.userName ?? "").toLowerCase() === userName) {
          throw new SCIMMY.Types.Error(409, "uniqueness", `userName '${String(body.userName)}' is already taken`)
        }
      }
      const record = { ...body, id, meta: stamp(store.users, id) } as StoredResource
      store.users.set(id, record)
      return record as never
    })
      .egress((resource: SCIMMY.Resources.User) => list(store.users, resource as never, "User") as never)
      .degress((resource: SCIMMY.Resources.User) => {
        if (resource.id === undefined || !store.users.delete(resource.id)) throw new SCIMMY.Types.Error(404, "", `User ${resource.id} not found`)
      })
  )
  SCIMMY.Resources.declare(
    SCIMMY.Resources.Group.ingress((resource: SCIMMY.Resources.Group, instance: unknown) => {
      const body = plain(instance)
      const id = resource.id ?? randomUUID()
      if (resource.id !== undefined && !store.groups.has(id)) throw new SCIMMY.Types.Error(404, "", `Group ${id} not found`)
      const record = { ...body, id, meta: stamp(store.groups, id) } as StoredResource
      store.groups.set(id, record)
      return record as never
    })
      .egress((resource: SCIMMY.Resources.Group) => list(store.groups, resource as never, "Group") as never)
      .degress((resource: SCIMMY.Resources.Group) => {
        if (resource.id === undefined || !store.groups.delete(resource.id)) throw new SCIMMY.Types.Error(404, "", `Group ${resource.id} not found`)
      })
  )
  SCIMMY.Config.set({ patch: true, filter: true, sort: true, bulk: false, etag: false })
}

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

export interface SeedUser {
  readonly userName: string
  readonly givenName?: string
  readonly familyName?: string
  readonly active?: boolean
  readonly department?: string
  readonly employeeNumber?: string
  readonly managerUserName?: string
}

/** Puts users and groups straight into the store (no HTTP), returning their ids by name. */
export const seed = (data: {
  readonly users: ReadonlyArray<SeedUser>
  readonly groups?: ReadonlyArray<{ readonly displayName: string; readonly members?: ReadonlyArray<string>; readonly groupMembers?: ReadonlyArray<string> }>
}): { readonly users: Record<string, string>; readonly groups: Record<string, string> } => {
  const users: Record<string, string> = {}
  const groups: Record<string, string> = {}
  const now = new Date().toISOString()
  for (const u of data.users) {
    const id = randomUUID()
    users[u.userName] = id
    const record: StoredResource = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      id,
      userName: u.userName,
      active: u.active ?? true,
      displayName: [u.givenName, u.familyName].filter(Boolean).join(" ") || u.userName,
      name: { givenName: u.givenName ?? u.userName, familyName: u.familyName ?? "Test" },
      emails: [{ value: `${u.userName}@example.com`, type: "work", primary: true }],
      meta: { created: now, lastModified: now }
    }
    store.users.set(id, record)
  }
  for (const u of data.users) {
    const ext: Record<string, unknown> = {}
    if (u.department !== undefined) ext.department = u.department
    if (u.employeeNumber !== undefined) ext.employeeNumber = u.employeeNumber
    if (u.managerUserName !== undefined) ext.manager = { value: users[u.managerUserName] }
    if (Object.keys(ext).length > 0) store.users.get(users[u.userName]!)![ENTERPRISE] = ext
  }
  for (const g of data.groups ?? []) groups[g.displayName] = randomUUID()
  for (const g of data.groups ?? []) {
    const members = [
      ...(g.members ?? []).map((name) => ({ value: users[name]!, type: "User", display: name })),
      ...(g.groupMembers ?? []).map((name) => ({ value: groups[name]!, type: "Group", display: name }))
    ]
    store.groups.set(groups[g.displayName]!, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      id: groups[g.displayName]!,
      displayName: g.displayName,
      ...(members.length > 0 ? { members } : {}),
      meta: { created: now, lastModified: now }
    })
  }
  return { users, groups }
}

/** The standard small tenant: 5 users (carol inactive), Engineering (alice, bob), Sales (carol), All (nested Engineering + dave). */
export const seedStandard = () =>
  seed({
    users: [
      { userName: "alice", givenName: "Alice", familyName: "Anders", department: "Engineering", employeeNumber: "1001" },
      { userName: "bob", givenName: "Bob", familyName: "Berg", department: "Engineering", employeeNumber: "1002", managerUserName: "alice" },
      { userName: "carol", givenName: "Carol", familyName: "Chen", active: false, department: "Sales", managerUserName: "alice" },
      { userName: "dave", givenName: "Dave", familyName: "Diaz" },
      { userName: "eve", givenName: "Eve", familyName: "Evans" }
    ],
    groups: [
      { displayName: "Engineering", members: ["alice", "bob"] },
      { displayName: "Sales", members: ["carol"] },
      { displayName: "All", members: ["dave"], groupMembers: ["Engineering"] }
    ]
  })
