import type { FailureClass } from "@idconnect/core/ConnectorError"

/**
 * The CLI's exit codes, by failure class, so scripts can tell "fix your input" from "try again"
 * from "report a bug":
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 2 | usage: unknown verb, plugin or mode, missing or malformed option, unreadable file |
 * | 3 | config: the config, credentials, permissions or operation need fixing (also: check reports Error, plan is blocked) |
 * | 4 | transient: the source is throttling or unavailable; run again (extract resumes with --checkpoint) |
 * | 5 | system: a bug in the plugin or the platform |
 * | 130 | interrupted (Ctrl-C); extract keeps its checkpoint |
 */
export const ExitCode = {
  ok: 0,
  usage: 2,
  config: 3,
  transient: 4,
  system: 5,
  interrupted: 130
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export const exitCodeForClass = (failureClass: FailureClass): ExitCode => ExitCode[failureClass]
