import type { PresetName } from "./Records.ts"

/** Object counts of a preset tenant. */
export interface PresetShape {
  readonly users: number
  readonly groups: number
  readonly apps: number
  readonly managedIdentities: number
  readonly devices: number
  readonly orgContacts: number
  readonly administrativeUnits: number
  readonly directoryAudits: number
  readonly signIns: number
  /** Depth of the deliberate group-in-group chain. */
  readonly chainDepth: number
  readonly displayName: string
}

export const PRESETS: Readonly<Record<PresetName, PresetShape>> = {
  demo: {
    users: 10, groups: 6, apps: 3, managedIdentities: 1, devices: 2, orgContacts: 1, administrativeUnits: 1,
    directoryAudits: 60, signIns: 120, chainDepth: 2, displayName: "Contoso"
  },
  small: {
    users: 200, groups: 40, apps: 20, managedIdentities: 2, devices: 20, orgContacts: 4, administrativeUnits: 3,
    directoryAudits: 1_000, signIns: 2_000, chainDepth: 4, displayName: "Fabrikam"
  },
  medium: {
    users: 2_000, groups: 300, apps: 150, managedIdentities: 15, devices: 200, orgContacts: 40, administrativeUnits: 10,
    directoryAudits: 5_000, signIns: 10_000, chainDepth: 12, displayName: "Northwind Traders"
  },
  large: {
    users: 100_000, groups: 20_000, apps: 2_000, managedIdentities: 200, devices: 10_000, orgContacts: 2_000,
    administrativeUnits: 50, directoryAudits: 100_000, signIns: 200_000, chainDepth: 12, displayName: "Woodgrove Bank"
  }
}
