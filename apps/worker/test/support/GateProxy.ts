import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A test-only HTTP proxy in front of the example directory. Each integration gets its own path
 * prefix (`<proxy>/<label>`), so the test can tell whose requests arrive, count how many run at
 * once, and hold them: a held request waits until `release`. Holding is how a test freezes a run
 * mid-extraction (to kill or stop its worker) without sleeping.
 */
export interface GateProxy {
  readonly url: (label: string) => string
  /** Every request seen, in order: `<label> <path>`. */
  readonly log: ReadonlyArray<string>
  /** Hold requests of `label` (or of every label) after `after` of them have passed. */
  readonly hold: (label: string | "*", after?: number) => void
  /** Lets held requests (and later ones) through. */
  readonly release: () => void
  /** Resolves once `n` requests are held, from at least `labels` distinct labels. */
  readonly whenHeld: (n: number, labels?: number) => Promise<ReadonlyArray<string>>
  /** The most requests of one label that were in flight at the same time. */
  readonly maxInFlight: (label: string) => number
  readonly close: () => Promise<void>
}

export const startGateProxy = async (target: string): Promise<GateProxy> => {
  const log: Array<string> = []
  const seen = new Map<string, number>()
  const inFlight = new Map<string, number>()
  const maxInFlight = new Map<string, number>()
  let rule: { label: string; after: number } | undefined
  let held: Array<{ label: string; go: () => void }> = []
  let heldWatchers: Array<{ n: number; labels: number; resolve: (labels: ReadonlyArray<string>) => void }> = []

  const notifyHeld = () => {
    const labels = [...new Set(held.map((h) => h.label))]
    const ready = heldWatchers.filter((w) => held.length >= w.n && labels.length >= w.labels)
    heldWatchers = heldWatchers.filter((w) => !ready.includes(w))
    for (const w of ready) w.resolve(labels)
  }

  const server = http.createServer((req, res) => {
    const [, label = "", ...rest] = (req.url ?? "/").split("/")
    const path = `/${rest.join("/")}`
    log.push(`${label} ${path}`)
    const count = (seen.get(label) ?? 0) + 1
    seen.set(label, count)
    const forward = () => {
      const now = (inFlight.get(label) ?? 0) + 1
      inFlight.set(label, now)
      maxInFlight.set(label, Math.max(maxInFlight.get(label) ?? 0, now))
      const done = () => inFlight.set(label, (inFlight.get(label) ?? 1) - 1)
      const upstream = http.request(`${target}${path}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
        up.on("end", done)
      })
      upstream.on("error", () => {
        done()
        if (!res.headersSent) res.writeHead(502)
        res.end()
      })
      req.pipe(upstream)
    }
    const holding = rule !== undefined && (rule.label === "*" || rule.label === label) && count > rule.after
    if (!holding) return forward()
    held.push({ label, go: forward })
    // A client that gives up (its worker was killed) must not stay counted as held.
    req.socket.once("close", () => {
      held = held.filter((h) => h.go !== forward)
    })
    notifyHeld()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: (label) => `http://127.0.0.1:${port}/${label}`,
    log,
    hold: (label, after = 0) => {
      rule = { label, after: label === "*" ? after : (seen.get(label) ?? 0) + after }
    },
    release: () => {
      rule = undefined
      const waiting = held
      held = []
      for (const h of waiting) h.go()
    },
    whenHeld: (n, labels = 1) =>
      new Promise((resolve) => {
        heldWatchers.push({ n, labels, resolve })
        notifyHeld()
      }),
    maxInFlight: (label) => maxInFlight.get(label) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
