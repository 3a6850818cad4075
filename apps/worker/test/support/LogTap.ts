import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

export interface LogEntry {
  readonly message: unknown
  readonly level: string
  readonly annotations: Record<string, unknown>
  /** The entry as the JSON logger would print it: what the secret scan reads. */
  readonly json: string
}

type Waiter = { readonly predicate: (e: LogEntry) => boolean; readonly done: Deferred.Deferred<LogEntry> }

/**
 * Captures the worker's log entries in memory (structured, as the JSON logger prints them) and lets
 * a test wait for one: the worker's logs are the events tests wait on, never a sleep. It replaces
 * the console logger, so test output stays quiet.
 */
export class LogTap extends Context.Service<
  LogTap,
  {
    readonly entries: ReadonlyArray<LogEntry>
    readonly waitFor: (predicate: (e: LogEntry) => boolean, label: string, timeout?: Duration.Input) => Effect.Effect<LogEntry>
  }
>()("test/LogTap") {
  static readonly layer = Layer.unwrap(
    Effect.sync(() => {
      const entries: Array<LogEntry> = []
      let waiters: Array<Waiter> = []
      const tap = Logger.map(Logger.formatStructured, (structured) => {
        const entry: LogEntry = {
          message: structured.message,
          level: structured.level,
          annotations: structured.annotations as Record<string, unknown>,
          json: JSON.stringify(structured)
        }
        entries.push(entry)
        const ready = waiters.filter((w) => w.predicate(entry))
        if (ready.length === 0) return
        waiters = waiters.filter((w) => !ready.includes(w))
        for (const w of ready) Deferred.doneUnsafe(w.done, Effect.succeed(entry))
      })
      const service = LogTap.of({
        entries,
        waitFor: (predicate, label, timeout = "120 seconds") =>
          Effect.gen(function* () {
            const seen = entries.find(predicate)
            if (seen !== undefined) return seen
            const done = yield* Deferred.make<LogEntry>()
            waiters.push({ predicate, done })
            return yield* Deferred.await(done).pipe(
              Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.die(new Error(`Timed out waiting for log: ${label}`)) })
            )
          })
      })
      return Layer.merge(Layer.succeed(LogTap, service), Logger.layer([tap]))
    })
  )
}

/** Entries about one run. */
export const forRun = (runId: string, message: string) => (e: LogEntry) => e.annotations.runId === runId && e.message === message
