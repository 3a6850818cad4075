/**
 * A Graph error response, thrown from handlers and rendered once by the pipeline with Graph's envelope:
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */
export class GraphError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Readonly<Record<string, string>>
  readonly innerCode: string | undefined

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}, innerCode?: string) {
    super(message)
    this.status = status
    this.code = code
    this.headers = headers
    this.innerCode = innerCode
  }
}

export const INSUFFICIENT_PRIVILEGES = "Insufficient privileges to complete the operation."

export const badRequest = (message: string, code = "Request_BadRequest"): GraphError => new GraphError(400, code, message)
export const unsupportedQuery = (message: string): GraphError => new GraphError(400, "Request_UnsupportedQuery", message)
export const notFound = (id: string): GraphError =>
  new GraphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`)
export const denied = (): GraphError => new GraphError(403, "Authorization_RequestDenied", INSUFFICIENT_PRIVILEGES)
export const methodNotAllowed = (): GraphError =>
  new GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
export const segmentNotFound = (segment: string): GraphError =>
  new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`)

/** Graph's innerError date format: ISO without milliseconds or zone designator. */
export const innerErrorDate = (ms: number): string => new Date(ms).toISOString().slice(0, 19)

export const errorBody = (
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string,
  now: number,
  innerCode?: string
): Record<string, unknown> => ({
  error: {
    code,
    message,
    innerError:
      innerCode === undefined
        ? { date: innerErrorDate(now), "request-id": requestId, "client-request-id": clientRequestId }
        : { code: innerCode, date: innerErrorDate(now), message: "Please retry after", "request-id": requestId, "client-request-id": clientRequestId, status: innerCode }
  }
})
