/** Reads and writes values at dotted paths (`auth.token`) in plain JSON objects, without mutating input. */
type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)

export const getPath = (obj: Obj, path: string): unknown => {
  let current: unknown = obj
  for (const part of path.split(".")) {
    if (!isObj(current)) return undefined
    current = current[part]
  }
  return current
}

/** A deep copy of `obj` with `path` removed; parents are kept even when they become empty. */
export const withoutPath = (obj: Obj, path: string): Obj => {
  const parts = path.split(".")
  const copy: Obj = { ...obj }
  let cursor: Obj = copy
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cursor[parts[i]!]
    if (!isObj(next)) return copy
    const child = { ...next }
    cursor[parts[i]!] = child
    cursor = child
  }
  delete cursor[parts[parts.length - 1]!]
  return copy
}

/** A deep copy of `obj` with `value` at `path`, creating parent objects as needed. */
export const withPath = (obj: Obj, path: string, value: unknown): Obj => {
  const parts = path.split(".")
  const copy: Obj = { ...obj }
  let cursor: Obj = copy
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cursor[parts[i]!]
    const child: Obj = isObj(next) ? { ...next } : {}
    cursor[parts[i]!] = child
    cursor = child
  }
  cursor[parts[parts.length - 1]!] = value
  return copy
}
