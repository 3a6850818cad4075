import { parseArgs } from "node:util"
import { startGraphSim } from "./GraphSim.ts"
import type { License, PresetName } from "./tenant/Records.ts"

const USAGE = `Usage: npm run graph-sim -- [options]
  --preset <demo|small|medium|large>   tenant preset (repeat for several tenants; default demo)
  --port <n>                            port (default 0 = any free port)
  --host <addr>                         interface (default 127.0.0.1)
  --seed <n>                            generator seed (default 1)
  --ca-dir <dir>                        load/store the CA here (default: temporary)
  --license <none|P1|P2>                Entra ID licence (default P2)
  --throttling <on|off>                 Microsoft's throttling limits (default off)
  --budget-scale <x>                    scale the throttling budgets (default 1)
  --latency-ms <n>                      median added latency per Graph request
  --privileged                          main app's service principal holds Privileged Authentication Administrator`

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      preset: { type: "string", multiple: true },
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "ca-dir": { type: "string" },
      license: { type: "string" },
      throttling: { type: "string" },
      "budget-scale": { type: "string" },
      "latency-ms": { type: "string" },
      privileged: { type: "boolean" },
      help: { type: "boolean", short: "h" }
    },
    strict: true
  })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const presets = (values.preset ?? ["demo"]) as PresetName[]
  for (const p of presets) if (!["demo", "small", "medium", "large"].includes(p)) throw new Error(`unknown preset '${p}'\n${USAGE}`)
  const license = (values.license ?? "P2") as License
  if (!["none", "P1", "P2"].includes(license)) throw new Error(`--license must be none, P1 or P2\n${USAGE}`)
  const throttlingOn = (values.throttling ?? "off") === "on"
  const budgetScale = values["budget-scale"] === undefined ? 1 : Number(values["budget-scale"])
  const latency = values["latency-ms"] === undefined ? undefined : { medianMs: Number(values["latency-ms"]), jitterMs: Number(values["latency-ms"]) / 4 }
  const seed = values.seed === undefined ? 1 : Number(values.seed)
  const sim = await startGraphSim({
    port: values.port === undefined ? 0 : Number(values.port),
    host: values.host ?? "127.0.0.1",
    ...(values["ca-dir"] !== undefined ? { caDir: values["ca-dir"] } : {}),
    tenants: presets.map((preset) => ({
      preset,
      seed,
      license,
      throttling: throttlingOn ? { budgetScale } : false,
      mainAppPrivileged: values.privileged === true,
      ...(latency !== undefined ? { latency } : {})
    }))
  })
  // First stdout line: one JSON object for scripts. Everything after it is for humans.
  process.stdout.write(JSON.stringify(sim.info()) + "\n")
  console.log(`graph-sim listening on ${sim.graphBaseUrl}`)
  console.log(`  authority host : ${sim.authorityHost}   (use disableInstanceDiscovery: true)`)
  console.log(`  Graph base URL : ${sim.graphBaseUrl}   (client appends /v1.0; customHosts: ${new URL(sim.graphBaseUrl).hostname})`)
  console.log(`  CA file        : ${sim.caFile}   (NODE_EXTRA_CA_CERTS=... or trustCa())`)
  console.log(`  admin API      : ${sim.adminUrl}`)
  for (const t of sim.tenants) {
    console.log(`  tenant ${t.tenantId} ${t.displayName} (${t.preset}, ${t.license}, size ${t.size}): ${t.counts.users} users, ${t.counts.groups} groups`)
    for (const a of t.apps) console.log(`    app ${a.name.padEnd(8)} clientId=${a.clientId} secret expires ${a.secretExpiresAt}`)
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`graph-sim: ${signal}, stopping`)
    sim.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e)
        process.exit(1)
      }
    )
  }
  process.on("SIGINT", () => stop("SIGINT"))
  process.on("SIGTERM", () => stop("SIGTERM"))
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
