import * as Schema from "effect/Schema"

/** Where problem types live; `type` is `${PROBLEM_TYPE_BASE}<code>` and never changes for a code. */
export const PROBLEM_TYPE_BASE = "https://idconnect.dev/problems/"

/**
 * Every error the API can answer with, by stable code. The status and title are part of the
 * contract: clients branch on `code` (or the `type` URI), humans read `title` and `detail`.
 * `Http.ts` maps every internal error to one of these; nothing else decides a status.
 */
export const PROBLEM_CODES = {
  "unauthorized": { status: 401, title: "Authentication required" },
  "forbidden": { status: 403, title: "Not allowed" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "validation-failed": { status: 400, title: "The request is invalid" },
  "invalid-json": { status: 400, title: "The body is not valid JSON" },
  "json-too-deep": { status: 400, title: "The JSON body is nested too deeply" },
  "unsupported-media-type": { status: 415, title: "Unsupported content type" },
  "payload-too-large": { status: 413, title: "The body is too large" },
  "conflict": { status: 409, title: "Conflict with the current state" },
  "gone": { status: 410, title: "No longer available" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "config-invalid": { status: 422, title: "The integration configuration is invalid" },
  "credentials-rejected": { status: 422, title: "The source system rejected the credentials" },
  "permission-missing": { status: 422, title: "A permission is missing in the source system" },
  "license-missing": { status: 422, title: "The source system's licence lacks a feature" },
  "unsupported": { status: 422, title: "Not supported by this plugin or mode" },
  "invalid-input": { status: 400, title: "The input is invalid" },
  "source-not-found": { status: 404, title: "The object does not exist in the source system" },
  "source-rate-limited": { status: 503, title: "The source system is throttling requests" },
  "source-unavailable": { status: 502, title: "The source system is unavailable" },
  "checkpoint-invalid": { status: 409, title: "The saved checkpoint can no longer be used" },
  "source-unexpected": { status: 502, title: "The source system answered something unexpected" },
  "unavailable": { status: 503, title: "Temporarily unavailable" },
  "internal": { status: 500, title: "Internal error" }
} as const satisfies Record<string, { readonly status: number; readonly title: string }>

export type ProblemCode = keyof typeof PROBLEM_CODES
export const problemCodes = Object.keys(PROBLEM_CODES) as ReadonlyArray<ProblemCode>

/** A field-level error: which input field (dotted path, `(root)` for the whole) and what is wrong. */
export const FieldError = Schema.Struct({
  field: Schema.String,
  message: Schema.String
}).annotate({ identifier: "FieldError" })
export type FieldError = typeof FieldError.Type

/** An RFC 9457 problem document (`application/problem+json`), the body of every error response. */
export const Problem = Schema.Struct({
  type: Schema.String.annotate({ description: "Stable URI per error code" }),
  title: Schema.String,
  status: Schema.Int,
  detail: Schema.String,
  code: Schema.String.annotate({ description: "The stable machine code (the last segment of `type`)" }),
  instance: Schema.optionalKey(Schema.String),
  errors: Schema.optionalKey(Schema.Array(FieldError)),
  fix: Schema.optionalKey(Schema.String.annotate({ description: "What to do about it, when known" })),
  retryAfterSeconds: Schema.optionalKey(Schema.Number)
}).annotate({ identifier: "Problem", description: "RFC 9457 problem details" })
export type Problem = typeof Problem.Type

export const problemType = (code: ProblemCode): string => `${PROBLEM_TYPE_BASE}${code}`
