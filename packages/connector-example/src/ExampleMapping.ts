import type { Entity } from "@idconnect/schemas/Entity"
import type { EntityRelation } from "@idconnect/schemas/EntityRelation"
import type { DirectoryGroup, DirectoryMembership, DirectoryUser } from "./ExampleClient.ts"

/** Written into every record so the store knows where data came from. */
export const SOURCE_SYSTEM = "example"
/** Bump when the shape of `metadata` changes, so consumers can tell old rows from new. */
const METADATA_VERSION = "1"

/** A directory user is an identity; reviewers act on `active`, so it is kept in metadata. */
export const userToEntity = (u: typeof DirectoryUser.Type): Entity => ({
  name: u.displayName,
  entityType: "identity",
  sourceSystem: SOURCE_SYSTEM,
  sourceId: u.id,
  sourceType: "user",
  metadataVersion: METADATA_VERSION,
  metadata: { userName: u.userName, email: u.email, active: u.active }
})

/** A group grants access, so it is a connection. */
export const groupToEntity = (g: typeof DirectoryGroup.Type): Entity => ({
  name: g.displayName,
  entityType: "connection",
  sourceSystem: SOURCE_SYSTEM,
  sourceId: g.id,
  sourceType: "group",
  metadataVersion: METADATA_VERSION,
  metadata: { description: g.description }
})

/** "Parent holds child": the member (user or nested group) holds the group. */
export const membershipToRelation = (m: typeof DirectoryMembership.Type): EntityRelation => ({
  parentSourceId: m.memberId,
  parentEntityType: m.memberType === "user" ? "identity" : "connection",
  parentSourceType: m.memberType,
  entitySourceId: m.groupId,
  entityType: "connection",
  entitySourceType: "group",
  sourceSystem: SOURCE_SYSTEM,
  metadataVersion: METADATA_VERSION,
  metadata: { privilegeName: "member", privilegeValue: true, connectionType: "group" }
})
