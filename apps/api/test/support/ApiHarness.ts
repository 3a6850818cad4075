import type { ConnectorPlugin } from "@idconnect/core/ConnectorPlugin"
import { Store } from "@idconnect/store/Store"
import { createTestDatabase, type TestDatabase } from "@idconnect/test-support/TestDatabase"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { apiServicesLayer } from "../../src/ApiLayer.ts"
import { serveApi, type RunningApi } from "../../src/ApiServer.ts"
import { defaultHttpOptions, type HttpOptions } from "../../src/http/App.ts"

export const ADMIN_TOKEN = "test-admin-token"

export interface ApiHarness {
  readonly api: RunningApi
  readonly database: TestDatabase
  readonly close: () => Promise<void>
}

/**
 * The real API over HTTP on 127.0.0.1 with a real store on a database of its own (no worker: runs
 * stay queued). Tests drive it with `fetch`, as a client would.
 */
export const startApi = async (plugins: ReadonlyArray<ConnectorPlugin>, http: Partial<HttpOptions> = {}): Promise<ApiHarness> => {
  const database = await createTestDatabase("api")
  const store = Store.layerWithQueue(
    {
      database: { _tag: "postgres", url: Redacted.make(database.url), poolSize: 4 },
      encryptionKey: Redacted.make(new Uint8Array(32).fill(3)),
      retentionRuns: 10,
      effectiveAccessMaxDepth: 12
    },
    { retryLimit: 1, retryDelaySeconds: 1, retryDelayMaxSeconds: 2, heartbeatSeconds: 10, expireInSeconds: 600, superviseIntervalSeconds: 5, schedule: false }
  )
  const runtime = ManagedRuntime.make(apiServicesLayer(store, plugins))
  await runtime.runPromise(Effect.void)
  const api = await serveApi(runtime, {
    host: "127.0.0.1",
    port: 0,
    http: { ...defaultHttpOptions, adminToken: Redacted.make(ADMIN_TOKEN), ...http }
  })
  return {
    api,
    database,
    close: async () => {
      await api.close()
      await runtime.dispose()
      await database.drop()
    }
  }
}
