import { deltaHandler } from "./Delta.ts"
import { Router } from "./Router.ts"
import { appsRoutes } from "./routes/AppsRoutes.ts"
import { directoryRoutes } from "./routes/DirectoryRoutes.ts"
import { groupsRoutes } from "./routes/GroupsRoutes.ts"
import { reportsRoutes } from "./routes/ReportsRoutes.ts"
import { rolesRoutes } from "./routes/RolesRoutes.ts"
import { usersRoutes } from "./routes/UsersRoutes.ts"

/** Every Graph v1.0 endpoint the simulator serves. */
export const graphRouter = (): Router =>
  new Router([
    ...usersRoutes(deltaHandler("users")),
    ...groupsRoutes(deltaHandler("groups")),
    ...rolesRoutes(),
    ...directoryRoutes(),
    ...appsRoutes(),
    ...reportsRoutes()
  ])
