import * as Schema from "effect/Schema"

/** The command line itself is wrong (exit 2): names the option or argument at fault. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}
