import { ApiErrors, type ApiError } from "./ApiError.ts"

/**
 * The nesting depth of a JSON text, counted without parsing it (strings are skipped), so a hostile
 * `[[[[...]]]]` body is refused before `JSON.parse` recurses through it.
 */
export const jsonDepth = (text: string): number => {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 92 /* \ */) i++
      else if (ch === 34 /* " */) inString = false
      continue
    }
    if (ch === 34) inString = true
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      depth++
      if (depth > max) max = depth
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--
  }
  return max
}

/** Parses a JSON request body, refusing bodies nested deeper than `maxDepth`. */
export const parseJsonBody = (text: string, maxDepth: number): { ok: true; value: unknown } | { ok: false; error: ApiError } => {
  if (text.trim() === "") return { ok: false, error: ApiErrors.invalidJson("The request body is empty; a JSON document is expected") }
  if (jsonDepth(text) > maxDepth) return { ok: false, error: ApiErrors.jsonTooDeep(maxDepth) }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, error: ApiErrors.invalidJson(`The body is not valid JSON: ${(e as Error).message}`) }
  }
}
