import { Checkpoint } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { UsageError } from "./CliError.ts"

/**
 * What `extract --checkpoint <file>` keeps between runs: the plugin's latest committed checkpoint
 * and how many bytes of `--out` it covers (a resumed run cuts the file back to that length, so
 * records written after the checkpoint are not duplicated).
 */
export const CheckpointFileContent = Schema.Struct({
  plugin: Schema.String,
  mode: Schema.String,
  checkpoint: Checkpoint,
  /** Bytes of the output file that the checkpoint covers; absent when output went to stdout. */
  outBytes: Schema.optionalKey(Schema.Int),
  /** The run finished after this checkpoint. */
  completed: Schema.Boolean,
  savedAt: Schema.String
})
export type CheckpointFileContent = typeof CheckpointFileContent.Type

export const readCheckpointFile = (path: string, plugin: string, mode: string): Effect.Effect<CheckpointFileContent | undefined, UsageError> =>
  Effect.try({
    try: () => {
      if (!existsSync(path)) return undefined
      const content = Schema.decodeUnknownSync(CheckpointFileContent)(JSON.parse(readFileSync(path, "utf8")))
      if (content.plugin !== plugin || content.mode !== mode) {
        throw new Error(`it was written by plugin '${content.plugin}' mode '${content.mode}', not '${plugin}' mode '${mode}'`)
      }
      return content
    },
    catch: (e) => new UsageError({ message: `--checkpoint ${path}: ${(e as Error).message}; delete it to start over` })
  })

/** Replaces the file atomically (write a temp file, then rename): a crash leaves the old or the new one. */
export const writeCheckpointFile = (path: string, content: CheckpointFileContent): void => {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, JSON.stringify(content, null, 2) + "\n")
  renameSync(temp, path)
}
