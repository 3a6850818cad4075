import type { ConnectorError } from "@idconnect/core/ConnectorError"
import * as Effect from "effect/Effect"
import { kindOfODataType, type Kind, type Ref } from "../Mapping.ts"
import type { StepContext } from "../Step.ts"

type Raw = Record<string, any>

/**
 * Turns a directory object from a members/owners list into a relation end. Users, groups,
 * service principals, devices and org contacts are entities of their own streams; any other type
 * is kept as an identity of that type (emitted here, once per run) with a warning, never dropped
 * silently. `emitEntities: false` for removal entries.
 */
export const memberRef = (
  ctx: StepContext,
  stream: string,
  raw: Raw,
  seenUnknown: Set<string>,
  options: { readonly emitEntities?: boolean } = {}
): Effect.Effect<Ref | undefined, ConnectorError> =>
  Effect.gen(function* () {
    if (typeof raw?.id !== "string") return undefined
    const kind: Kind | undefined = kindOfODataType(raw["@odata.type"])
    if (kind !== undefined) return { kind, id: raw.id }
    const type = String(raw["@odata.type"] ?? "directoryObject").replace(/^#?microsoft\.graph\./u, "")
    if (!seenUnknown.has(type)) {
      seenUnknown.add(type)
      yield* ctx.warn(`${stream}.unmapped-member-type`, `Members of type '${type}' are kept as identities of source type '${type}'`, raw.id)
    }
    if ((options.emitEntities ?? true) && ctx.once(`object|${raw.id}`)) yield* ctx.entity({
      name: typeof raw.displayName === "string" && raw.displayName.trim() !== "" ? raw.displayName : raw.id,
      entityType: "identity",
      sourceSystem: "azure",
      sourceId: raw.id,
      sourceType: type,
      metadataVersion: "graph-v1.0",
      metadata: raw
    })
    return { kind: { entityType: "identity", sourceType: type }, id: raw.id }
  })

/** `$select` for member and owner lists: enough to type each object and name devices and contacts. */
export const MEMBER_SELECT = "$select=id,displayName"
