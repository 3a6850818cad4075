import { Email, NonBlankString } from "@idconnect/schemas/Common"
import * as Schema from "effect/Schema"

/**
 * The lifecycle operations of SCIM mode and their parameters. A user is named by `userId` (the
 * SCIM id) or `userName`; a group by `groupId` or `groupName` (its displayName). Exactly one of
 * each pair is required; the plan says which one it resolved to.
 */
const UserRef = {
  userId: Schema.optionalKey(NonBlankString),
  userName: Schema.optionalKey(NonBlankString)
}
const GroupRef = {
  groupId: Schema.optionalKey(NonBlankString),
  groupName: Schema.optionalKey(NonBlankString)
}

/** Attributes the connector writes: core User attributes and the enterprise extension. */
export const UserAttributes = Schema.Struct({
  displayName: Schema.optionalKey(NonBlankString),
  givenName: Schema.optionalKey(NonBlankString),
  familyName: Schema.optionalKey(NonBlankString),
  /** The work e-mail; it replaces the user's `emails` with this one, primary. */
  email: Schema.optionalKey(Email),
  title: Schema.optionalKey(NonBlankString),
  userType: Schema.optionalKey(NonBlankString),
  externalId: Schema.optionalKey(NonBlankString),
  active: Schema.optionalKey(Schema.Boolean),
  employeeNumber: Schema.optionalKey(NonBlankString),
  department: Schema.optionalKey(NonBlankString),
  costCenter: Schema.optionalKey(NonBlankString),
  organization: Schema.optionalKey(NonBlankString),
  division: Schema.optionalKey(NonBlankString),
  /** The SCIM id of the manager (enterprise extension `manager.value`). */
  managerId: Schema.optionalKey(NonBlankString)
})
export type UserAttributes = typeof UserAttributes.Type

export const CreateUser = Schema.Struct({ userName: NonBlankString, ...UserAttributes.fields }).annotate({
  identifier: "ScimCreateUser",
  description: "Create a user; a user with the same userName already there is a no-op"
})
export const UpdateUser = Schema.Struct({
  ...UserRef,
  attributes: Schema.Struct({ userName: Schema.optionalKey(NonBlankString), ...UserAttributes.fields })
}).annotate({ identifier: "ScimUpdateUser", description: "Replace the given attributes; unchanged ones are not sent" })
export const DeactivateUser = Schema.Struct(UserRef).annotate({
  identifier: "ScimDeactivateUser",
  description: "Set active=false (a real boolean), the reversible way to remove access"
})
export const DeleteUser = Schema.Struct(UserRef).annotate({
  identifier: "ScimDeleteUser",
  description: "Delete the user; an absent user is a no-op"
})
export const AddGroupMember = Schema.Struct({ ...GroupRef, ...UserRef }).annotate({
  identifier: "ScimAddGroupMember",
  description: "Add a user to a group (PATCH add members)"
})
export const RemoveGroupMember = Schema.Struct({ ...GroupRef, ...UserRef }).annotate({
  identifier: "ScimRemoveGroupMember",
  description: "Remove a user from a group, one removal per PATCH with the filtered path members[value eq \"id\"]"
})

export const ScimOperations = {
  createUser: CreateUser,
  updateUser: UpdateUser,
  deactivateUser: DeactivateUser,
  deleteUser: DeleteUser,
  addGroupMember: AddGroupMember,
  removeGroupMember: RemoveGroupMember
} as const
export type ScimOperationName = keyof typeof ScimOperations

/**
 * The safe apply order: create before grant, grant and revoke before deactivate/delete (a deleted
 * user cannot be removed from a group afterwards on servers that keep dangling members).
 */
export const OPERATION_ORDER: Readonly<Record<ScimOperationName, number>> = {
  createUser: 0,
  updateUser: 1,
  addGroupMember: 2,
  removeGroupMember: 3,
  deactivateUser: 4,
  deleteUser: 5
}
