import type { AddressInfo } from "node:net"
import { serve } from "@hono/node-server"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import { Tenants } from "@idconnect/store/Tenants"
import { apiEndpoints } from "./contract/Api.ts"
import { apiHandlers, type ApiServices } from "./handlers/ApiHandlers.ts"
import { makeApp, type HttpOptions } from "./http/App.ts"

export interface RunningApi {
  /** `http://host:port`, with the port the OS picked when 0 was asked for. */
  readonly url: string
  readonly port: number
  /** Stops accepting connections and waits for open requests to finish. */
  readonly close: () => Promise<void>
}

/**
 * Serves the API on `host:port` with handlers run on `runtime` (the one runtime of the process,
 * holding the store and plugin registry; in the demo it also runs the worker). Port 0 picks a free
 * port, which the tests use.
 */
export const serveApi = <E>(
  runtime: ManagedRuntime.ManagedRuntime<ApiServices, E>,
  options: { readonly host: string; readonly port: number; readonly http: HttpOptions }
): Promise<RunningApi> => {
  const app = makeApp<ApiServices>({
    endpoints: apiEndpoints,
    handlers: apiHandlers,
    runtime,
    options: options.http,
    authenticateApiKey: (keyId, secret) =>
      Tenants.use((tenants) => tenants.verifyApiKey(Redacted.make(`${keyId}.${Redacted.value(secret)}`))).pipe(
        Effect.map((principal) =>
          Option.isSome(principal)
            ? { kind: "apiKey" as const, tenantId: principal.value.tenantId as never, apiKeyId: principal.value.keyId }
            : undefined
        )
      )
  })
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            // Idle keep-alive connections would hold close() open; in-flight requests still finish.
            if ("closeIdleConnections" in server) server.closeIdleConnections()
          })
      })
    })
    server.once("error", reject)
  })
}
