import * as Schema from "effect/Schema"
import { FieldError, problemCodes, type ProblemCode } from "../contract/Problem.ts"

/**
 * The error API handlers and middleware fail with. Its `code` is a problem code, so the mapper in
 * `ProblemMapper.ts` needs no guessing; errors of the domain (ConnectorError, store errors) keep
 * their own types and are mapped there too. Handlers never build HTTP responses for errors.
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  code: Schema.Literals(problemCodes as [ProblemCode, ...Array<ProblemCode>]),
  message: Schema.String,
  errors: Schema.optionalKey(Schema.Array(FieldError)),
  fix: Schema.optionalKey(Schema.String),
  retryAfterSeconds: Schema.optionalKey(Schema.Number)
}) {}

/** Constructors for the API's own errors, named after what happened. */
export const ApiErrors = {
  unauthorized: (message: string) => new ApiError({ code: "unauthorized", message }),
  forbidden: (message: string) => new ApiError({ code: "forbidden", message }),
  notFound: (what: string, id?: string) =>
    new ApiError({ code: "not-found", message: id === undefined ? `${what} not found` : `${what} '${id}' not found` }),
  validation: (errors: ReadonlyArray<FieldError>, message?: string) =>
    new ApiError({
      code: "validation-failed",
      message: message ?? errors.map((e) => `${e.field}: ${e.message}`).join("; "),
      errors
    }),
  invalidJson: (message: string) => new ApiError({ code: "invalid-json", message }),
  jsonTooDeep: (maxDepth: number) =>
    new ApiError({ code: "json-too-deep", message: `JSON nesting deeper than ${maxDepth} levels is not accepted` }),
  payloadTooLarge: (limitBytes: number) =>
    new ApiError({
      code: "payload-too-large",
      message: `The body exceeds the limit of ${limitBytes} bytes`,
      fix: "Split the data into smaller uploads"
    }),
  unsupportedMediaType: (got: string, expected: ReadonlyArray<string>) =>
    new ApiError({
      code: "unsupported-media-type",
      message: `Content-Type '${got}' is not accepted here; send one of: ${expected.join(", ")}`
    }),
  conflict: (message: string) => new ApiError({ code: "conflict", message }),
  gone: (message: string) => new ApiError({ code: "gone", message }),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError({
      code: "rate-limited",
      message: `Rate limit exceeded for this API key; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds
    }),
  unsupported: (message: string) => new ApiError({ code: "unsupported", message }),
  unavailable: (message: string) => new ApiError({ code: "unavailable", message })
}
