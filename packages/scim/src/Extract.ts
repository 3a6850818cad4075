import { ConnectorErrors, type ConnectorError } from "@idconnect/core/ConnectorError"
import type { ExtractRecord } from "@idconnect/schemas/ExtractRecord"
import type { Checkpoint, RunWarning } from "@idconnect/schemas/Run"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ServerCapabilities } from "./Discovery.ts"
import { asArray, eqFilter, getCi, resourceId } from "./Envelope.ts"
import { groupToEntity, managerIdOf, managerRelation, memberRelation, readMember, userToEntity, type MappingContext } from "./Mapping.ts"
import { fetchPage, firstPage, PageState, type PageResult } from "./Pagination.ts"
import type { QuirkProfile } from "./QuirkProfile.ts"
import { ScimHttp } from "./ScimHttp.ts"

/** The checkpoint format this module writes; a different version is refused (CheckpointInvalid). */
export const CHECKPOINT_VERSION = "idconnect.scim/1"

const Step = Schema.Union([
  Schema.Struct({ phase: Schema.Literal("users"), page: PageState }),
  Schema.Struct({ phase: Schema.Literal("groups"), page: PageState, membersSeen: Schema.Boolean }),
  Schema.Struct({ phase: Schema.Literal("memberships"), principal: Schema.Literals(["user", "group"]), page: PageState }),
  Schema.Struct({ phase: Schema.Literal("done") })
])
type Step = typeof Step.Type

/**
 * What a checkpoint holds: the listing being read and where in it (a startIndex plus a few ids, or
 * the cursor), never the data read so far. `memberRead` and `pagination` pin the strategy the run
 * started with, so a resumed run reads the same way.
 */
export const ScimCheckpointState = Schema.Struct({
  memberRead: Schema.Literals(["groups", "per-user-filter", "auto"]),
  pagination: Schema.Literals(["index", "cursor"]),
  step: Step
})
export type ScimCheckpointState = typeof ScimCheckpointState.Type

export interface ExtractOptions {
  readonly mapping: MappingContext
  readonly caps: ServerCapabilities
  readonly profile: QuirkProfile
  /** Also emit manager -> report relations (the manager id is always in user metadata). */
  readonly managerRelations: boolean
  readonly maxPages?: number | undefined
}

const decodeState = Schema.decodeUnknownExit(ScimCheckpointState)

/** Reads a checkpoint back, or fails with CheckpointInvalid so the runner restarts a full sync. */
export const readCheckpoint = (checkpoint: Checkpoint, profile: QuirkProfile): Effect.Effect<ScimCheckpointState, ConnectorError> => {
  if (checkpoint.version !== CHECKPOINT_VERSION) {
    return Effect.fail(ConnectorErrors.checkpointInvalid({ message: `Checkpoint version '${checkpoint.version}' is not ${CHECKPOINT_VERSION}` }))
  }
  const exit = decodeState(checkpoint.state)
  if (Exit.isFailure(exit)) return Effect.fail(ConnectorErrors.checkpointInvalid({ message: "The SCIM checkpoint is not readable" }))
  const state = exit.value
  if (state.pagination !== profile.pagination) {
    return Effect.fail(
      ConnectorErrors.checkpointInvalid({ message: `The checkpoint was written with ${state.pagination} paging, the connection now uses ${profile.pagination}` })
    )
  }
  return Effect.succeed(state)
}

const record = {
  checkpoint: (state: ScimCheckpointState): ExtractRecord => ({ _tag: "checkpoint", checkpoint: { version: CHECKPOINT_VERSION, state } }),
  warning: (warning: RunWarning): ExtractRecord => ({ _tag: "warning", warning }),
  progress: (stream: string, page: PageResult, done: number): ExtractRecord => ({
    _tag: "progress",
    phase: "extract",
    stream,
    done,
    ...(page.reportedTotal === undefined ? {} : { total: page.reportedTotal })
  })
}

/** No Users endpoint at all means the base URL is wrong, which the user must fix: say so. */
export const usersEndpointMissing = (e: ConnectorError): ConnectorError =>
  e.code === "NotFound"
    ? ConnectorErrors.configInvalid(
        { field: "baseUrl", message: `There is no SCIM Users endpoint under the base URL (${e.message}); check baseUrl: it usually ends in /scim/v2` },
        e.context
      )
    : e

const emittedSoFar = (page: PageState, result: PageResult) => page.emitted + result.resources.length

/**
 * The extraction stream: `syncMode full`, then Users, Groups (with their members, or without and
 * then memberships through the per-user filter), each page followed by a checkpoint that resumes
 * after it. Memory holds one page at a time.
 */
export const extractStream = (options: ExtractOptions, checkpoint: Checkpoint | undefined): Stream.Stream<ExtractRecord, ConnectorError, ScimHttp> => {
  const { caps, profile, mapping } = options
  const pageOptions = (stream: string) => ({ pageSize: profile.pageSize, stream, maxPages: options.maxPages })

  const afterGroups = (memberRead: ScimCheckpointState["memberRead"], membersSeen: boolean, groups: number): { step: Step; warnings: Array<RunWarning> } => {
    if (memberRead === "per-user-filter") return { step: { phase: "memberships", principal: "user", page: firstPage(profile.pagination) }, warnings: [] }
    if (memberRead === "auto" && !membersSeen && groups > 0) {
      return {
        step: { phase: "memberships", principal: "user", page: firstPage(profile.pagination) },
        warnings: [
          {
            code: "scim.groupsWithoutMembers",
            message: `None of the ${groups} groups came with a members attribute; reading memberships with one filtered query per user and group (members.value eq "<id>")`,
            stream: "memberships"
          }
        ]
      }
    }
    return { step: { phase: "done" }, warnings: [] }
  }

  const step = (state: ScimCheckpointState): Effect.Effect<readonly [ReadonlyArray<ExtractRecord>, Option.Option<ScimCheckpointState>], ConnectorError, ScimHttp> =>
    Effect.gen(function* () {
      const out: Array<ExtractRecord> = []
      const s = state.step
      let next: Step
      switch (s.phase) {
        case "done":
          return [[], Option.none()] as const
        case "users": {
          const page = yield* fetchPage(caps.usersEndpoint, {}, s.page, pageOptions("users")).pipe(Effect.mapError(usersEndpointMissing))
          for (const user of page.resources) {
            const entity = userToEntity(user, mapping)
            if (entity === undefined) continue
            out.push({ _tag: "entity", entity })
            const manager = managerIdOf(user)
            if (options.managerRelations && manager !== undefined) out.push({ _tag: "relation", relation: managerRelation(manager, entity.sourceId, mapping) })
          }
          out.push(...page.warnings.map(record.warning), record.progress("users", page, emittedSoFar(s.page, page)))
          if (page.next !== undefined) next = { phase: "users", page: page.next }
          else if (caps.groupsEndpoint === undefined) next = { phase: "done" }
          else next = { phase: "groups", page: firstPage(profile.pagination), membersSeen: false }
          break
        }
        case "groups": {
          const query = state.memberRead === "per-user-filter" ? { excludedAttributes: "members" } : {}
          const page = yield* fetchPage(caps.groupsEndpoint ?? "/Groups", query, s.page, pageOptions("groups"))
          let membersSeen = s.membersSeen
          for (const group of page.resources) {
            const entity = groupToEntity(group, mapping)
            if (entity === undefined) continue
            out.push({ _tag: "entity", entity })
            const members = getCi(group, "members")
            if (members !== undefined) membersSeen = true
            if (state.memberRead === "per-user-filter") continue
            for (const m of asArray(members)) {
              const member = readMember(m)
              if (member !== undefined) out.push({ _tag: "relation", relation: memberRelation(member.id, member.kind, entity.sourceId, mapping) })
            }
          }
          out.push(...page.warnings.map(record.warning), record.progress("groups", page, emittedSoFar(s.page, page)))
          if (page.next !== undefined) next = { phase: "groups", page: page.next, membersSeen }
          else {
            const then = afterGroups(state.memberRead, membersSeen, emittedSoFar(s.page, page))
            out.push(...then.warnings.map(record.warning))
            next = then.step
          }
          break
        }
        case "memberships": {
          const endpoint = s.principal === "user" ? caps.usersEndpoint : (caps.groupsEndpoint ?? "/Groups")
          const outer = yield* fetchPage(endpoint, { attributes: "id" }, s.page, pageOptions(`memberships (${s.principal}s)`))
          let unsupported: ConnectorError | undefined
          for (const principal of outer.resources) {
            const id = resourceId(principal)
            if (id === undefined) continue
            let inner: PageState | undefined = firstPage(profile.pagination)
            while (inner !== undefined) {
              const result: Result.Result<PageResult, ConnectorError> = yield* Effect.result(
                fetchPage(caps.groupsEndpoint ?? "/Groups", { filter: eqFilter("members.value", id), excludedAttributes: "members" }, inner, {
                  ...pageOptions("memberships"),
                  trustShortLastPage: true
                })
              )
              if (result._tag === "Failure") {
                const e = result.failure
                if (e.code !== "Unsupported" && e.code !== "InvalidInput" && e.code !== "NotFound") return yield* e
                unsupported = e
                break
              }
              for (const group of result.success.resources) {
                const groupId = resourceId(group)
                if (groupId !== undefined) out.push({ _tag: "relation", relation: memberRelation(id, s.principal, groupId, mapping) })
              }
              inner = result.success.next
            }
            if (unsupported !== undefined) break
          }
          if (unsupported !== undefined) {
            out.push(
              record.warning({
                code: "scim.memberFilterUnsupported",
                message: `Group memberships could not be read: the server refused the filter members.value eq "<id>" (${unsupported.message})`,
                stream: "memberships"
              })
            )
            next = { phase: "done" }
            break
          }
          out.push(...outer.warnings.map(record.warning), record.progress(`memberships (${s.principal}s)`, outer, emittedSoFar(s.page, outer)))
          if (outer.next !== undefined) next = { phase: "memberships", principal: s.principal, page: outer.next }
          else if (s.principal === "user") next = { phase: "memberships", principal: "group", page: firstPage(profile.pagination) }
          else next = { phase: "done" }
          break
        }
      }
      const nextState: ScimCheckpointState = { ...state, step: next }
      // What the server was asked so far rides on the page's progress record (run progress, worker metrics).
      const usage = (yield* ScimHttp).usage()
      const records = out.map((r): ExtractRecord => (r._tag === "progress" ? { ...r, usage } : r))
      records.push(record.checkpoint(nextState))
      return [records, Option.some(nextState)] as const
    })

  return Stream.unwrap(
    Effect.gen(function* () {
      const start: ScimCheckpointState =
        checkpoint === undefined
          ? { memberRead: profile.memberRead, pagination: profile.pagination, step: { phase: "users", page: firstPage(profile.pagination) } }
          : yield* readCheckpoint(checkpoint, profile)
      const head: Array<ExtractRecord> = [{ _tag: "syncMode", mode: "full" }]
      if (checkpoint === undefined) {
        for (const note of caps.notes) head.push(record.warning({ code: note.code, message: note.message }))
      }
      return Stream.concat(Stream.fromIterable(head), Stream.paginate(start, step))
    })
  )
}
