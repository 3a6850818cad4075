type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Merges a PATCH's config into the stored one, key by key and recursively for nested objects; a
 * null removes a key. Stored secrets are not in `current` (views never carry them), so a PATCH that
 * omits a secret keeps it, and one that sends it rotates it.
 */
export const mergeConfig = (current: Obj, patch: Obj): Obj => {
  const out: Obj = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else if (isObj(value) && isObj(out[key])) out[key] = mergeConfig(out[key] as Obj, value)
    else out[key] = value
  }
  return out
}

const PLACEHOLDER = "stored-secret"

/**
 * The config as the validator must see it: secrets that are set in the store but absent from the
 * request stand in as a placeholder, so "required secret" checks pass when a secret is kept.
 */
export const withStoredSecrets = (config: Obj, secrets: Readonly<Record<string, "set" | "not set">>): Obj => {
  let out = config
  for (const [path, state] of Object.entries(secrets)) {
    if (state !== "set") continue
    const parts = path.split(".")
    let cursor: Obj = out
    let present = true
    for (const part of parts) {
      if (!isObj(cursor) || !(part in cursor)) {
        present = false
        break
      }
      cursor = cursor[part] as Obj
    }
    if (!present) out = setPath(out, parts, PLACEHOLDER)
  }
  return out
}

const setPath = (obj: Obj, parts: ReadonlyArray<string>, value: unknown): Obj => {
  const [head, ...rest] = parts
  if (head === undefined) return obj
  return { ...obj, [head]: rest.length === 0 ? value : setPath(isObj(obj[head]) ? (obj[head] as Obj) : {}, rest, value) }
}
