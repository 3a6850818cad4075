import { type ConnectorError, ConnectorErrors } from "@idconnect/core/ConnectorError"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"

/** The checkpoint format this plugin writes; others (or older ones) are refused with CheckpointInvalid. */
export const CHECKPOINT_VERSION = "entra-direct/1"

/** Where to resume inside one stream: the page to fetch again (a Graph link, verbatim) and how many of its items are done. */
export const StreamCursor = Schema.Struct({
  url: Schema.String,
  skip: Schema.Int
})
export type StreamCursor = typeof StreamCursor.Type

/**
 * The state of a run, as saved in each checkpoint. `step` names the stream in progress; a
 * checkpoint with `complete: true` ends a run, and passing it to the next `extract` starts an
 * incremental run from its delta links.
 */
export const ExtractState = Schema.Struct({
  mode: Schema.Literals(["full", "incremental"]),
  step: Schema.String,
  cursor: Schema.optionalKey(StreamCursor),
  /** Delta links per scope (`users`, `groups`), verbatim: where the next incremental run starts. */
  deltaLinks: Schema.Record(Schema.String, Schema.String),
  /** When the run started: anchors the log windows, so a resumed run reads the same window. */
  startedAt: Schema.String,
  /**
   * Keys of relations several streams can produce (a role's grant over an administrative unit or
   * app scope), so each is emitted once per run, resumed or not. Bounded by roles x scopes.
   */
  seen: Schema.optionalKey(Schema.Array(Schema.String)),
  /** User count once known: sizes the resource-unit budget. */
  users: Schema.optionalKey(Schema.Int),
  complete: Schema.Boolean
})
export type ExtractState = typeof ExtractState.Type

export const toCheckpoint = (state: ExtractState): Checkpoint => ({
  version: CHECKPOINT_VERSION,
  state: Schema.encodeSync(ExtractState)(state)
})

/** Reads a checkpoint this plugin wrote; anything else means "start over with a full sync". */
export const fromCheckpoint = (checkpoint: Checkpoint): Effect.Effect<ExtractState, ConnectorError> => {
  if (checkpoint.version !== CHECKPOINT_VERSION) {
    return Effect.fail(
      ConnectorErrors.checkpointInvalid({ message: `Checkpoint version '${checkpoint.version}' is not ${CHECKPOINT_VERSION}; a full sync is needed` })
    )
  }
  const exit = Schema.decodeUnknownExit(ExtractState)(checkpoint.state)
  return Exit.isSuccess(exit)
    ? Effect.succeed(exit.value)
    : Effect.fail(ConnectorErrors.checkpointInvalid({ message: "The checkpoint is unreadable; a full sync is needed" }))
}
