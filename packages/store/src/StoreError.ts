import * as Schema from "effect/Schema"

const reason = <Tag extends string, Fields extends Schema.Struct.Fields>(tag: Tag, fields: Fields) =>
  Schema.TaggedStruct(tag, { message: Schema.String, ...fields })

/** The row asked for does not exist (or belongs to another tenant, which looks the same). */
export const NotFound = reason("NotFound", { what: Schema.String, id: Schema.String })
/** The change conflicts with the current state: a duplicate, a run already active, a stale lease. */
export const Conflict = reason("Conflict", { what: Schema.String, constraint: Schema.optionalKey(Schema.String) })
/** The input cannot be stored as given; names the field at fault. */
export const InvalidInput = reason("InvalidInput", { field: Schema.String })
/** A run's snapshot was removed by retention, so it can no longer be read or diffed. */
export const SnapshotPruned = reason("SnapshotPruned", { runId: Schema.String })
/** The database could not be reached or asked us to retry (connection loss, serialization failure). */
export const Unavailable = reason("Unavailable", { code: Schema.optionalKey(Schema.String) })
/** The encryption key is missing, malformed, or not the key the stored secrets were written with. */
export const KeyInvalid = reason("KeyInvalid", {})
/** Anything else: a bug here or a database error we did not expect. */
export const Unexpected = reason("Unexpected", { code: Schema.optionalKey(Schema.String) })

export const StoreErrorReason = Schema.Union([NotFound, Conflict, InvalidInput, SnapshotPruned, Unavailable, KeyInvalid, Unexpected])
export type StoreErrorReason = typeof StoreErrorReason.Type

/**
 * The one error every store method fails with. `reason._tag` is a stable code the API maps to an
 * HTTP status (NotFound 404, Conflict 409, InvalidInput 400, SnapshotPruned 410, Unavailable 503).
 *
 * @category errors
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  reason: StoreErrorReason,
  cause: Schema.optionalKey(Schema.Defect())
}) {
  get code(): StoreErrorReason["_tag"] {
    return this.reason._tag
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
  override get message(): string {
    return this.reason.message
  }
}

type Input<R extends StoreErrorReason> = Omit<R, "_tag">

/** Constructors, so call sites read `StoreErrors.notFound({ what: "run", id, message })`. */
export const StoreErrors = {
  notFound: (what: string, id: string, message?: string) =>
    new StoreError({ reason: { _tag: "NotFound", what, id, message: message ?? `No ${what} with id '${id}'` } }),
  conflict: (r: Input<typeof Conflict.Type>) => new StoreError({ reason: { _tag: "Conflict", ...r } }),
  invalidInput: (field: string, message: string) => new StoreError({ reason: { _tag: "InvalidInput", field, message } }),
  snapshotPruned: (runId: string) =>
    new StoreError({
      reason: {
        _tag: "SnapshotPruned",
        runId,
        message: `The data of run '${runId}' was removed by the retention policy; only recent snapshots can be read or compared`
      }
    }),
  unavailable: (message: string, code?: string, cause?: unknown) =>
    new StoreError({ reason: code === undefined ? { _tag: "Unavailable", message } : { _tag: "Unavailable", message, code }, cause }),
  keyInvalid: (message: string) => new StoreError({ reason: { _tag: "KeyInvalid", message } }),
  unexpected: (message: string, code?: string, cause?: unknown) =>
    new StoreError({ reason: code === undefined ? { _tag: "Unexpected", message } : { _tag: "Unexpected", message, code }, cause })
}
