import { ClientSecretCredential } from "@azure/identity"
import { Client, PageIterator } from "@microsoft/microsoft-graph-client"
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js"

/**
 * The baseline of scenario 1: the extraction a user would write in an afternoon with the same
 * Microsoft libraries the product uses (@azure/identity + @microsoft/microsoft-graph-client with
 * its default middleware, which retries 429s after Retry-After). It lists users, groups, every
 * group's members, app registrations, service principals and every service principal's app role
 * assignments, one request at a time with `PageIterator`: no `$select`, no `$top` (Graph's default
 * page of 100), no `$batch`, no delta, no pacing. It keeps what it read in arrays, as such code
 * does. It lives here only, as a yardstick; the product never uses it.
 *
 * A full run over the large tenant takes most of an hour (tens of thousands of sequential
 * requests at 50 ms), so the bench runs it on a deterministic sample (`NaiveSample`) and projects
 * (see `EntraExtraction.ts`).
 */
export interface NaiveConfig {
  readonly tenantId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly authorityHost: string
  readonly graphBaseUrl: string
}

/**
 * Which part of the work to do: every listing stops after `maxListingItems` items; the per-object
 * fan-outs visit every `stride`-th listed object starting at `offset`.
 */
export interface NaiveSample {
  readonly maxListingItems: number
  readonly stride: number
  readonly offset: number
}

export type NaivePhaseName = "users" | "groups" | "members" | "applications" | "servicePrincipals" | "appRoleAssignedTo"

/** What one phase did: items read, objects visited by a fan-out, time spent. */
export interface NaivePhase {
  readonly name: NaivePhaseName
  readonly items: number
  readonly objects: number
  readonly ms: number
}

type Raw = Record<string, unknown>

/** Reads a collection with PageIterator, stopping after `max` items. */
const listAll = async (client: Client, path: string, max: number, onItem: (item: Raw) => void): Promise<number> => {
  let count = 0
  const first = await client.api(path).get()
  const iterator = new PageIterator(client, first, (item: Raw) => {
    onItem(item)
    count++
    return count < max
  })
  await iterator.iterate()
  return count
}

export const runNaiveExtraction = async (config: NaiveConfig, sample: NaiveSample): Promise<ReadonlyArray<NaivePhase>> => {
  const credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: true
  })
  const client = Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ["https://graph.microsoft.com/.default"] }),
    baseUrl: `${config.graphBaseUrl.replace(/\/+$/u, "")}/`,
    customHosts: new Set([new URL(config.graphBaseUrl).hostname])
  })
  const phases: Array<NaivePhase> = []
  const timed = async (name: NaivePhaseName, work: () => Promise<{ items: number; objects: number }>) => {
    const started = performance.now()
    const { items, objects } = await work()
    phases.push({ name, items, objects, ms: performance.now() - started })
  }
  const sampled = <A>(all: ReadonlyArray<A>): Array<A> => all.filter((_, i) => i % sample.stride === sample.offset % sample.stride)

  // Token first, so no phase is charged for it.
  await credential.getToken("https://graph.microsoft.com/.default")

  const users: Array<Raw> = []
  const groups: Array<Raw> = []
  const memberships: Array<{ groupId: unknown; memberId: unknown }> = []
  const applications: Array<Raw> = []
  const servicePrincipals: Array<Raw> = []
  const assignments: Array<Raw> = []

  await timed("users", async () => ({ items: await listAll(client, "/users", sample.maxListingItems, (u) => users.push(u)), objects: 0 }))
  await timed("groups", async () => ({ items: await listAll(client, "/groups", sample.maxListingItems, (g) => groups.push(g)), objects: 0 }))
  await timed("members", async () => {
    const visit = sampled(groups)
    let items = 0
    for (const group of visit) {
      items += await listAll(client, `/groups/${String(group.id)}/members`, Number.POSITIVE_INFINITY, (m) => memberships.push({ groupId: group.id, memberId: m.id }))
    }
    return { items, objects: visit.length }
  })
  await timed("applications", async () => ({ items: await listAll(client, "/applications", sample.maxListingItems, (a) => applications.push(a)), objects: 0 }))
  await timed("servicePrincipals", async () => ({
    items: await listAll(client, "/servicePrincipals", sample.maxListingItems, (s) => servicePrincipals.push(s)),
    objects: 0
  }))
  await timed("appRoleAssignedTo", async () => {
    const visit = sampled(servicePrincipals)
    let items = 0
    for (const sp of visit) items += await listAll(client, `/servicePrincipals/${String(sp.id)}/appRoleAssignedTo`, Number.POSITIVE_INFINITY, (a) => assignments.push(a))
    return { items, objects: visit.length }
  })
  return phases
}
