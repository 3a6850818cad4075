import type { Catalog } from "@idconnect/schemas/Catalog"

/** What `discover` answers: the entity and relation types the plugin emits, stream by stream. */
export const exampleCatalog: Catalog = {
  entityTypes: [
    { entityType: "identity", sourceType: "user", description: "A directory user" },
    { entityType: "connection", sourceType: "group", description: "A directory group" }
  ],
  relationTypes: [
    {
      privilegeName: "member",
      parentEntityType: "identity",
      parentSourceTypes: ["user"],
      entityType: "connection",
      entitySourceTypes: ["group"],
      description: "A user is a member of a group"
    },
    {
      privilegeName: "member",
      parentEntityType: "connection",
      parentSourceTypes: ["group"],
      entityType: "connection",
      entitySourceTypes: ["group"],
      description: "A group is nested in another group"
    }
  ],
  streams: [
    { name: "users", description: "All users", incremental: false, requires: ["directory.read"] },
    { name: "groups", description: "All groups", incremental: false, requires: ["directory.read"] },
    { name: "memberships", description: "Group memberships", incremental: false, requires: ["directory.read"] }
  ]
}
