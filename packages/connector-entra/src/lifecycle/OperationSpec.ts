import type { ConnectorError } from "@idconnect/core/ConnectorError"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { GraphClient } from "../GraphClient.ts"
import type { DirectoryLookup } from "./DirectoryLookup.ts"
import type { Draft } from "./Draft.ts"

/**
 * Where an operation runs in a plan's safe order (lower first; the request order breaks ties):
 * objects are created before anything refers to them; a leaver's account is disabled (no new
 * sign-ins) and then its sessions revoked (no old ones) before its access is removed; access is
 * added before it is removed (so an owner can be replaced without leaving a group ownerless);
 * objects are deleted last.
 */
export const PHASE = {
  create: 0,
  block: 1,
  endSessions: 2,
  update: 3,
  grant: 4,
  revoke: 5,
  remove: 6
} as const
export type Phase = (typeof PHASE)[keyof typeof PHASE]

/**
 * What the operations planned earlier in the same plan will have done, so later ones can count on
 * it: a user or group created by the plan (referenced by UPN, display name or mailNickname) and
 * owners added to or removed from a group (`groupId|ownerId`). Apply plans each operation after the
 * earlier ones ran, so it starts empty.
 */
export interface PlanContext {
  readonly now: number
  readonly pendingUsers: Map<string, string>
  readonly pendingGroups: Map<string, string>
  readonly ownersAdded: Set<string>
  readonly ownersRemoved: Set<string>
}

export const emptyContext = (now: number): PlanContext => ({
  now,
  pendingUsers: new Map(),
  pendingGroups: new Map(),
  ownersAdded: new Set(),
  ownersRemoved: new Set()
})

/** A placeholder id for an object the plan creates, shown in planned calls. */
export const placeholder = (label: string): string => `{id of new ${label}}`

/**
 * One lifecycle operation: its parameters (a Schema, validated before anything runs), its place in
 * the safe order, and how to plan it against the directory's current state. Apply carries out a
 * plan's `calls`; it never needs anything but the plan, which is what makes re-planning the way to
 * decide whether a write whose answer was lost took effect.
 */
export interface OperationSpec<P = any> {
  readonly name: string
  readonly params: Schema.Codec<P, any, never, never>
  readonly phase: Phase
  /** Extra validation a Schema cannot express (e.g. "at least one field"); returns the bad field and why. */
  readonly validate?: (params: P) => { readonly field: string; readonly message: string } | undefined
  readonly plan: (params: P, ctx: PlanContext) => Effect.Effect<Draft, ConnectorError, DirectoryLookup | GraphClient>
}

/** Declares an operation with its params type inferred from the Schema. */
export const defineOperation = <P>(spec: OperationSpec<P>): OperationSpec<P> => spec
