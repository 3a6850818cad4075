import { ApiErrors, type ApiError } from "./ApiError.ts"

/**
 * Reads a request body up to `maxBytes`. A declared Content-Length over the limit is refused before
 * reading; a chunked body is counted as it arrives and refused the moment it passes the limit, so
 * an oversized body never sits in memory.
 */
export const readLimited = async (request: Request, maxBytes: number): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: ApiError }> => {
  const declared = declaredLength(request)
  if (declared !== undefined && declared > maxBytes) return { ok: false, error: ApiErrors.payloadTooLarge(maxBytes) }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) }
  const chunks: Array<Uint8Array> = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return { ok: false, error: ApiErrors.payloadTooLarge(maxBytes) }
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return { ok: true, bytes: out }
}

export const declaredLength = (request: Request): number | undefined => {
  const header = request.headers.get("content-length")
  if (header === null || request.headers.has("transfer-encoding")) return undefined
  const n = Number(header)
  return Number.isFinite(n) ? n : undefined
}

/**
 * Wraps a body stream so that it errors once more than `maxBytes` went through. `exceeded()` tells
 * the router afterwards that the failure was the limit, so the client gets a 413 whatever the
 * consumer of the stream reported.
 */
export const limitStream = (
  stream: ReadableStream<Uint8Array>,
  maxBytes: number
): { readonly stream: ReadableStream<Uint8Array>; readonly exceeded: () => boolean } => {
  let size = 0
  let over = false
  const counted = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.length
        if (size > maxBytes) {
          over = true
          controller.error(ApiErrors.payloadTooLarge(maxBytes))
          return
        }
        controller.enqueue(chunk)
      }
    })
  )
  return { stream: counted, exceeded: () => over }
}
