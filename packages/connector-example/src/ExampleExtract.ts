import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ExampleClient } from "./ExampleClient.ts"
import type { ExampleDirectConfig } from "./ExampleConfig.ts"
import { groupToEntity, membershipToRelation, userToEntity } from "./ExampleMapping.ts"

/** Checkpoints say which format wrote them; a plugin refuses (CheckpointInvalid) what it cannot read. */
export const CHECKPOINT_VERSION = "example/1"

/**
 * Where extraction resumes: the stream and the server's cursor for its next page, kept verbatim
 * (never parse a cursor you did not mint). "done" is the position after the last page.
 */
const Position = Schema.Struct({
  stream: Schema.Literals(["users", "groups", "memberships", "done"]),
  cursor: Schema.optionalKey(Schema.String)
})
type Position = typeof Position.Type

const checkpointAt = (position: Position): ExtractRecord => ({
  _tag: "checkpoint",
  checkpoint: { version: CHECKPOINT_VERSION, state: position }
})

const readCheckpoint = (checkpoint: Checkpoint): Effect.Effect<Position, ConnectorError> =>
  checkpoint.version !== CHECKPOINT_VERSION
    ? Effect.fail(ConnectorErrors.checkpointInvalid({ message: `Checkpoint version ${checkpoint.version} is not ${CHECKPOINT_VERSION}` }))
    : Schema.decodeUnknownEffect(Position)(checkpoint.state).pipe(
        Effect.mapError(() => ConnectorErrors.checkpointInvalid({ message: "Checkpoint state is not a position of this plugin" }))
      )

/** Fetches the page at `position` and says where the next one is. */
const fetchPage = Effect.fn("ExampleExtract.fetchPage")(function* (
  position: Position
): Effect.fn.Return<{ readonly records: ReadonlyArray<ExtractRecord>; readonly next: Position }, ConnectorError, ExampleClient> {
  const client = yield* ExampleClient
  const { cursor } = position
  switch (position.stream) {
    case "users": {
      const page = yield* client.users(cursor)
      return {
        records: page.items.map((u): ExtractRecord => ({ _tag: "entity", entity: userToEntity(u) })),
        next: page.nextCursor === undefined ? { stream: "groups" } : { stream: "users", cursor: page.nextCursor }
      }
    }
    case "groups": {
      const page = yield* client.groups(cursor)
      return {
        records: page.items.map((g): ExtractRecord => ({ _tag: "entity", entity: groupToEntity(g) })),
        next: page.nextCursor === undefined ? { stream: "memberships" } : { stream: "groups", cursor: page.nextCursor }
      }
    }
    case "memberships": {
      const page = yield* client.memberships(cursor)
      return {
        records: page.items.map((m): ExtractRecord => ({ _tag: "relation", relation: membershipToRelation(m) })),
        next: page.nextCursor === undefined ? { stream: "done" } : { stream: "memberships", cursor: page.nextCursor }
      }
    }
    case "done":
      return { records: [], next: position }
  }
})

/**
 * Streams users, groups and memberships page by page, with a checkpoint after every page: every
 * record before a checkpoint has been emitted, so a run resumed from it continues with the next
 * page. Memory stays flat whatever the directory's size: one page at a time.
 */
export const extract = (config: ExampleDirectConfig, checkpoint: Checkpoint | undefined): Stream.Stream<ExtractRecord, ConnectorError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const start: Position = checkpoint === undefined ? { stream: "users" } : yield* readCheckpoint(checkpoint)
      const head: ReadonlyArray<ExtractRecord> = checkpoint === undefined ? [{ _tag: "syncMode", mode: "full" }] : []
      const pages = Stream.paginate(start, (position: Position) =>
        position.stream === "done"
          ? Effect.succeed([[], Option.none<Position>()] as const)
          : fetchPage(position).pipe(
              Effect.map(({ records, next }) => {
                const progress: ExtractRecord = { _tag: "progress", phase: "extract", stream: position.stream }
                return [[progress, ...records, checkpointAt(next)], next.stream === "done" ? Option.none() : Option.some(next)] as const
              })
            )
      )
      return Stream.concat(Stream.fromIterable(head), pages)
    })
  ).pipe(Stream.provide(ExampleClient.layer(config)))
