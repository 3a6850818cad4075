/**
 * The client's Idempotency-Key of an upload request. The store keeps it on the upload (unique per
 * integration), so a retried request finds the upload its first attempt created and answers from
 * it instead of creating (and later ingesting) a second one.
 */
export const idempotencyKeyOf = (request: Request): string | undefined => {
  const key = request.headers.get("idempotency-key")?.trim()
  return key === undefined || key === "" ? undefined : key.slice(0, 200)
}
