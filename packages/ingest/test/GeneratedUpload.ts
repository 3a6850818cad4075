import { once } from "node:events"
import { createWriteStream, statSync } from "node:fs"
import { join } from "node:path"

/**
 * Writes a generated upload into `dir`: `users` identities and `groups` connections in
 * entities.csv, and `relations` memberships (user i % users -> group floor(i / users), all
 * distinct) in relations.csv, each with metadata JSON. Used by the 1M-row test and the bench.
 */
export const writeGeneratedUpload = async (dir: string, sizes: { readonly users: number; readonly groups: number; readonly relations: number }) => {
  const { users, groups, relations } = sizes
  if (relations > users * groups) throw new Error("more relations than distinct user/group pairs")
  const entitiesPath = join(dir, "entities.csv")
  const relationsPath = join(dir, "relations.csv")
  await writeLines(entitiesPath, "App,Name*,Entity Type*,Source System*,Source ID*,Source Type*,Metadata Version,Metadata\n", users + groups, (i) =>
    i < users
      ? `azure,User ${i},identity,azure,${userId(i)},user,v1,"{""username"":""user${i}@contoso.example"",""department"":""Dept ${i % 40}""}"\n`
      : `azure,Group ${i - users},connection,azure,${groupId(i - users)},group,v1,\n`
  )
  await writeLines(
    relationsPath,
    "App,Parent Entity Source ID*,Parent Entity Type*,Entity Source ID*,Entity Type*,Source System,Metadata Version,Metadata\n",
    relations,
    (i) =>
      `azure,${userId(i % users)},identity,${groupId(Math.floor(i / users))},connection,azure,v1,"{""privilegeName"":""member"",""privilegeValue"":true,""connectionType"":""group""}"\n`
  )
  return { entitiesPath, relationsPath, relationsBytes: statSync(relationsPath).size }
}

const userId = (i: number) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-00000000cafe`
const groupId = (g: number) => `${g.toString(16).padStart(8, "0")}-1111-4000-8000-00000000beef`

const writeLines = async (path: string, header: string, count: number, line: (i: number) => string) => {
  const out = createWriteStream(path)
  out.write(header)
  let buffer = ""
  for (let i = 0; i < count; i++) {
    buffer += line(i)
    if (buffer.length > 64 * 1024) {
      if (!out.write(buffer)) await once(out, "drain")
      buffer = ""
    }
  }
  out.end(buffer)
  await once(out, "finish")
}
