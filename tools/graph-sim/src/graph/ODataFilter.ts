import { GraphError } from "./GraphError.ts"

/** A literal in a $filter: quoted strings, numbers, booleans, null, or unquoted raw tokens (GUIDs, datetimes). */
export type Literal =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "raw"; readonly value: string }

export type CompareOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le"

export type FilterExpr =
  | { readonly t: "and" | "or"; readonly l: FilterExpr; readonly r: FilterExpr }
  | { readonly t: "not"; readonly e: FilterExpr }
  | { readonly t: "cmp"; readonly op: CompareOp; readonly path: string; readonly value: Literal }
  | { readonly t: "in"; readonly path: string; readonly values: ReadonlyArray<Literal> }
  | { readonly t: "fn"; readonly fn: "startswith" | "endswith" | "contains"; readonly path: string; readonly value: string }
  | { readonly t: "any"; readonly path: string; readonly v: string; readonly body: FilterExpr }
  | { readonly t: "count"; readonly path: string; readonly op: CompareOp; readonly value: number }

/** The operator a clause uses, as Graph's property tables name them. */
export type FilterOperator = CompareOp | "in" | "startswith" | "endswith" | "contains" | "not" | "any" | "count"

type Token = { readonly k: "word" | "str" | "punct"; readonly v: string; readonly pos: number }

const syntaxError = (filter: string, pos: number): GraphError =>
  new GraphError(400, "BadRequest", `Invalid filter clause: Syntax error at position ${pos} in '${filter}'.`)

const tokenize = (s: string): Token[] => {
  const out: Token[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i]
    if (c === " " || c === "\t" || c === "\n") {
      i++
    } else if (c === "(" || c === ")" || c === "," || c === ":") {
      out.push({ k: "punct", v: c, pos: i })
      i++
    } else if (c === "'") {
      let v = ""
      let j = i + 1
      for (;;) {
        if (j >= s.length) throw syntaxError(s, i)
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            v += "'"
            j += 2
            continue
          }
          break
        }
        v += s[j++]
      }
      out.push({ k: "str", v, pos: i })
      i = j + 1
    } else {
      let j = i
      while (j < s.length && !" \t\n(),':".includes(s[j])) j++
      // Datetime literals contain ':' (e.g. 2024-01-01T00:00:00Z): keep consuming when it looks like a time.
      while (j < s.length && s[j] === ":" && /^\d{4}-\d{2}-\d{2}T\d{1,2}$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s.slice(i, j))) {
        j++
        while (j < s.length && !" \t\n(),':".includes(s[j])) j++
      }
      if (j === i) throw syntaxError(s, i)
      out.push({ k: "word", v: s.slice(i, j), pos: i })
      i = j
    }
  }
  return out
}

const COMPARE_OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le"])

/** Parses an OData v4 $filter expression (the subset Microsoft Graph's directory accepts). */
export const parseFilter = (filter: string): FilterExpr => {
  const toks = tokenize(filter)
  let p = 0
  const peek = (): Token | undefined => toks[p]
  const fail = (): never => {
    throw syntaxError(filter, peek()?.pos ?? filter.length)
  }
  const expectPunct = (v: string) => {
    const t = toks[p]
    if (t === undefined || t.k !== "punct" || t.v !== v) fail()
    p++
  }
  const isWord = (v: string) => {
    const t = toks[p]
    return t !== undefined && t.k === "word" && t.v.toLowerCase() === v
  }
  const literal = (): Literal => {
    const t = toks[p++]
    if (t === undefined) return fail()
    if (t.k === "str") return { kind: "string", value: t.v }
    if (t.k !== "word") return fail()
    const low = t.v.toLowerCase()
    if (low === "true" || low === "false") return { kind: "bool", value: low === "true" }
    if (low === "null") return { kind: "null" }
    if (/^-?\d+(\.\d+)?$/.test(t.v)) return { kind: "number", value: Number(t.v) }
    return { kind: "raw", value: t.v }
  }
  const pathWord = (): string => {
    const t = toks[p++]
    if (t === undefined || t.k !== "word") return fail()
    return t.v
  }

  const primary = (): FilterExpr => {
    const t = peek()
    if (t === undefined) return fail()
    if (t.k === "punct" && t.v === "(") {
      p++
      const e = orExpr()
      expectPunct(")")
      return e
    }
    if (t.k === "word") {
      const low = t.v.toLowerCase()
      if ((low === "startswith" || low === "endswith" || low === "contains") && toks[p + 1]?.v === "(") {
        p += 2
        const path = pathWord()
        expectPunct(",")
        const lit = literal()
        expectPunct(")")
        if (lit.kind !== "string") return fail()
        // `startswith(x,'a') eq true` is legal OData; accept and ignore the trailing comparison.
        if (isWord("eq") && toks[p + 1]?.v.toLowerCase() === "true") p += 2
        return { t: "fn", fn: low, path, value: lit.value }
      }
      const path = pathWord()
      const anyMatch = /^(.*)\/(any|all)$/i.exec(path)
      if (anyMatch !== null && peek()?.v === "(") {
        p++
        const v = pathWord()
        expectPunct(":")
        const body = orExpr()
        expectPunct(")")
        return { t: "any", path: anyMatch[1], v, body }
      }
      if (/\/\$count$/i.test(path)) {
        const opTok = toks[p++]
        if (opTok === undefined || !COMPARE_OPS.has(opTok.v.toLowerCase())) return fail()
        const lit = literal()
        if (lit.kind !== "number") return fail()
        return { t: "count", path: path.replace(/\/\$count$/i, ""), op: opTok.v.toLowerCase() as CompareOp, value: lit.value }
      }
      const opTok = toks[p]
      if (opTok === undefined || opTok.k !== "word") return fail()
      const op = opTok.v.toLowerCase()
      p++
      if (op === "in") {
        expectPunct("(")
        const values: Literal[] = [literal()]
        while (peek()?.v === ",") {
          p++
          values.push(literal())
        }
        expectPunct(")")
        return { t: "in", path, values }
      }
      if (!COMPARE_OPS.has(op)) return fail()
      return { t: "cmp", op: op as CompareOp, path, value: literal() }
    }
    return fail()
  }
  const unary = (): FilterExpr => {
    if (isWord("not")) {
      p++
      return { t: "not", e: unary() }
    }
    return primary()
  }
  const andExpr = (): FilterExpr => {
    let l = unary()
    while (isWord("and")) {
      p++
      l = { t: "and", l, r: unary() }
    }
    return l
  }
  const orExpr = (): FilterExpr => {
    let l = andExpr()
    while (isWord("or")) {
      p++
      l = { t: "or", l, r: andExpr() }
    }
    return l
  }
  const e = orExpr()
  if (p !== toks.length) fail()
  return e
}

/** Every (property path, operator) pair a filter uses; lambda bodies are reported against the collection path. */
export const filterClauses = (e: FilterExpr, prefix = ""): Array<{ path: string; op: FilterOperator }> => {
  switch (e.t) {
    case "and":
    case "or":
      return [...filterClauses(e.l, prefix), ...filterClauses(e.r, prefix)]
    case "not":
      return [{ path: firstPath(e.e, prefix), op: "not" }, ...filterClauses(e.e, prefix)]
    case "cmp":
      return [{ path: prefix + e.path, op: e.op }]
    case "in":
      return [{ path: prefix + e.path, op: "in" }]
    case "fn":
      return [{ path: prefix + e.path, op: e.fn }]
    case "count":
      return [{ path: prefix + e.path, op: "count" }]
    case "any":
      return [{ path: prefix + e.path, op: "any" }, ...filterClauses(e.body, "").map((c) => ({ path: prefix + e.path, op: c.op }))]
  }
}

const firstPath = (e: FilterExpr, prefix: string): string => filterClauses(e, prefix)[0]?.path ?? ""

/** Ids referenced by a filter made only of `id eq '…'` / `id in (…)` joined by `or` (delta allows only that). */
export const idOnlyFilter = (e: FilterExpr): string[] | undefined => {
  switch (e.t) {
    case "or": {
      const l = idOnlyFilter(e.l)
      const r = idOnlyFilter(e.r)
      return l === undefined || r === undefined ? undefined : [...l, ...r]
    }
    case "cmp":
      return e.op === "eq" && e.path.toLowerCase() === "id" && (e.value.kind === "string" || e.value.kind === "raw") ? [e.value.value] : undefined
    case "in":
      return e.path.toLowerCase() === "id" ? e.values.flatMap((v) => (v.kind === "string" || v.kind === "raw" ? [v.value] : [])) : undefined
    default:
      return undefined
  }
}

/**
 * Values a filter looks up by exact match when it is only `prop eq 'v'` / `prop in (...)` clauses on the
 * given properties joined by `or`; undefined for any other shape.
 */
export const lookupValues = (e: FilterExpr, props: ReadonlySet<string>): Array<{ prop: string; value: string }> | undefined => {
  switch (e.t) {
    case "or": {
      const l = lookupValues(e.l, props)
      const r = lookupValues(e.r, props)
      return l === undefined || r === undefined ? undefined : [...l, ...r]
    }
    case "cmp": {
      const prop = e.path.toLowerCase()
      if (e.op !== "eq" || !props.has(prop) || (e.value.kind !== "string" && e.value.kind !== "raw")) return undefined
      return [{ prop, value: e.value.value }]
    }
    case "in": {
      const prop = e.path.toLowerCase()
      if (!props.has(prop)) return undefined
      const out: Array<{ prop: string; value: string }> = []
      for (const v of e.values) {
        if (v.kind !== "string" && v.kind !== "raw") return undefined
        out.push({ prop, value: v.value })
      }
      return out
    }
    default:
      return undefined
  }
}

const resolvePath = (obj: unknown, path: string): unknown => {
  let cur: unknown = obj
  for (const seg of path.split("/")) {
    if (seg === "") continue
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined
    const rec = cur as Record<string, unknown>
    if (seg in rec) cur = rec[seg]
    else {
      const key = Object.keys(rec).find((k) => k.toLowerCase() === seg.toLowerCase())
      cur = key === undefined ? undefined : rec[key]
    }
  }
  return cur
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/

const literalValue = (l: Literal): unknown => {
  switch (l.kind) {
    case "null":
      return null
    case "bool":
    case "number":
    case "string":
    case "raw":
      return l.value
  }
}

const compare = (a: unknown, b: unknown): number | undefined => {
  if (a === null || a === undefined || b === null || b === undefined) return undefined
  if (typeof a === "number" && typeof b === "number") return a - b
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b)
  const sa = String(a)
  const sb = String(b)
  if (DATE_LIKE.test(sa) && DATE_LIKE.test(sb)) return Date.parse(sa) - Date.parse(sb)
  const la = sa.toLowerCase()
  const lb = sb.toLowerCase()
  return la < lb ? -1 : la > lb ? 1 : 0
}

const equals = (a: unknown, l: Literal): boolean => {
  if (l.kind === "null") return a === null || a === undefined
  const c = compare(a, literalValue(l))
  return c === 0
}

/** Evaluates a parsed filter against a Graph-shaped object (case-insensitive string comparison, like the directory). */
export const evaluateFilter = (e: FilterExpr, obj: unknown, vars: Readonly<Record<string, unknown>> = {}): boolean => {
  const value = (path: string): unknown => {
    const [head, ...rest] = path.split("/")
    if (head in vars) return resolvePath(vars[head], rest.join("/"))
    return resolvePath(obj, path)
  }
  switch (e.t) {
    case "and":
      return evaluateFilter(e.l, obj, vars) && evaluateFilter(e.r, obj, vars)
    case "or":
      return evaluateFilter(e.l, obj, vars) || evaluateFilter(e.r, obj, vars)
    case "not":
      return !evaluateFilter(e.e, obj, vars)
    case "in": {
      const v = value(e.path)
      return e.values.some((l) => equals(v, l))
    }
    case "fn": {
      const v = value(e.path)
      if (typeof v !== "string") return false
      const a = v.toLowerCase()
      const b = e.value.toLowerCase()
      return e.fn === "startswith" ? a.startsWith(b) : e.fn === "endswith" ? a.endsWith(b) : a.includes(b)
    }
    case "count": {
      const v = value(e.path)
      const n = Array.isArray(v) ? v.length : 0
      return compareOp(e.op, n - e.value)
    }
    case "any": {
      const v = value(e.path)
      if (!Array.isArray(v)) return false
      return v.some((item) => evaluateFilter(e.body, obj, { ...vars, [e.v]: item }))
    }
    case "cmp": {
      const v = value(e.path)
      if (e.op === "eq") return equals(v, e.value)
      if (e.op === "ne") return !equals(v, e.value)
      const c = compare(v, literalValue(e.value))
      return c !== undefined && compareOp(e.op, c)
    }
  }
}

const compareOp = (op: CompareOp, diff: number): boolean => {
  switch (op) {
    case "eq": return diff === 0
    case "ne": return diff !== 0
    case "gt": return diff > 0
    case "ge": return diff >= 0
    case "lt": return diff < 0
    case "le": return diff <= 0
  }
}
