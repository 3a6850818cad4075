import type * as Schema from "effect/Schema"
import type { OperationSpec } from "./OperationSpec.ts"
import { addAdministrativeUnitMember, removeAdministrativeUnitMember } from "./operations/AdministrativeUnits.ts"
import { grantAppRole, revokeAppRole } from "./operations/AppRoles.ts"
import { assignDirectoryRole, removeDirectoryRole } from "./operations/DirectoryRoles.ts"
import { addGroupMember, addGroupOwner, removeGroupMember, removeGroupOwner } from "./operations/GroupMembership.ts"
import { createGroup, deleteGroup } from "./operations/Groups.ts"
import { deleteUser, disableUser, enableUser, restoreUser, revokeSignInSessions } from "./operations/UserAccount.ts"
import { createUser, updateUser } from "./operations/UserProfile.ts"

/** Every lifecycle operation of the Entra plugin, by name. */
export const OPERATIONS: ReadonlyArray<OperationSpec> = [
  createUser,
  updateUser,
  disableUser,
  enableUser,
  deleteUser,
  restoreUser,
  revokeSignInSessions,
  addGroupMember,
  removeGroupMember,
  addGroupOwner,
  removeGroupOwner,
  createGroup,
  deleteGroup,
  grantAppRole,
  revokeAppRole,
  assignDirectoryRole,
  removeDirectoryRole,
  addAdministrativeUnitMember,
  removeAdministrativeUnitMember
]

export const operationByName: ReadonlyMap<string, OperationSpec> = new Map(OPERATIONS.map((o) => [o.name, o]))

/** The operations' parameter Schemas, as the lifecycle capability exposes them. */
export const operationSchemas: Readonly<Record<string, Schema.Top>> = Object.fromEntries(OPERATIONS.map((o) => [o.name, o.params]))
