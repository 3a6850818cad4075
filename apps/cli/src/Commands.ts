import type { CliCommand } from "./CliCommand.ts"
import { applyCommand } from "./commands/Apply.ts"
import { checkCommand } from "./commands/Check.ts"
import { discoverCommand } from "./commands/Discover.ts"
import { extractCommand } from "./commands/Extract.ts"
import { ingestCommand } from "./commands/Ingest.ts"
import { planCommand } from "./commands/Plan.ts"
import { pluginsCommand } from "./commands/Plugins.ts"
import { specCommand } from "./commands/Spec.ts"

/** Every `connector <verb>`, in the order `connector --help` lists them. */
export const commands: ReadonlyArray<CliCommand> = [
  pluginsCommand,
  specCommand,
  checkCommand,
  discoverCommand,
  extractCommand,
  planCommand,
  applyCommand,
  ingestCommand
]
