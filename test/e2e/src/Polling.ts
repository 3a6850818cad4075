import { setTimeout as delay } from "node:timers/promises"
import type { RunView } from "@idconnect/schemas/Run"
import type { ApiClient } from "@idconnect/api/client/ApiClient"

/**
 * Follows the API's async convention as a client would: while an answer carries `Retry-After`,
 * wait that long and ask again. Bounded, so a stuck run fails the test instead of hanging it.
 */
export const followRetryAfter = async (request: () => Promise<Response>, maxAttempts = 600): Promise<Response> => {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const res = await request()
    const retryAfter = res.headers.get("retry-after")
    if (retryAfter === null) return res
    await res.body?.cancel()
    await delay(Number(retryAfter) * 1000)
  }
  throw new Error(`Still not done after ${maxAttempts} polls`)
}

/** Waits for a run to end (succeeded, failed, cancelled, dead) and returns it. */
export const waitForRun = async (client: ApiClient, integrationId: string, runId: string): Promise<RunView> => {
  const res = await followRetryAfter(() => client.raw("getRun", { params: { id: integrationId, runId } }))
  if (!res.ok) throw new Error(`GET run ${runId}: ${res.status} ${await res.text()}`)
  return (await res.json()) as RunView
}
