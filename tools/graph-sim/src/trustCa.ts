import * as tls from "node:tls"

/**
 * Makes this Node process trust the simulator's CA for every TLS client that uses Node's default CA
 * store: global `fetch` (used by @microsoft/microsoft-graph-client) and `node:https` (used by
 * @azure/identity through @azure/core-rest-pipeline). Needs Node >= 24.5 (`tls.setDefaultCACertificates`);
 * call it before the first request. Alternative for older Node: `NODE_EXTRA_CA_CERTS=<caFile>` set
 * before the process starts.
 */
export const trustCa = (caPem: string): void => {
  const setDefault = (tls as { setDefaultCACertificates?: (certs: ReadonlyArray<string>) => void }).setDefaultCACertificates
  if (typeof setDefault !== "function") {
    throw new Error("trustCa needs Node >= 24.5 (tls.setDefaultCACertificates); set NODE_EXTRA_CA_CERTS=<caFile> before starting Node instead")
  }
  const current = tls.getCACertificates("default")
  const normalized = caPem.trim()
  if (current.some((c) => c.trim() === normalized)) return
  setDefault([...current, normalized])
}
