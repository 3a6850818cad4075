import { randomBytes } from "node:crypto"

/**
 * Time-ordered ids with a readable prefix (`run_0193a...`): sorting by id sorts by creation time, so
 * lists can page by id alone.
 */
export const newId = (prefix: string): string =>
  `${prefix}_${Date.now().toString(16).padStart(12, "0")}${randomBytes(8).toString("hex")}`
