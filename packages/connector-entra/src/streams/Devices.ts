import * as Effect from "effect/Effect"
import { entity } from "../Mapping.ts"
import { forEachWindow, type Step } from "../Step.ts"

export const DEVICE_SELECT =
  "id,deviceId,displayName,operatingSystem,operatingSystemVersion,accountEnabled,trustType,isCompliant,isManaged,approximateLastSignInDateTime,registrationDateTime"
export const CONTACT_SELECT = "id,displayName,givenName,surname,mail,companyName,jobTitle,onPremisesSyncEnabled"

type Raw = Record<string, any>

const named = (raw: Raw): string => [raw.displayName, raw.mail, raw.id].find((v) => typeof v === "string" && v.trim() !== "")

/**
 * Devices (identity/device): they are members of groups and administrative units, so access
 * reviews need them as entities. Without Device.Read.All (or Directory.Read.All) this stream is
 * skipped and memberships still name the devices by id.
 */
export const devicesStep: Step = {
  name: "devices",
  run: (ctx) =>
    forEachWindow(ctx, `/devices?$select=${DEVICE_SELECT}&$top=999`, 999, (items) =>
      Effect.forEach(items, (raw) => ctx.entity(entity("device", raw.id, named(raw), raw)), { discard: true })
    ).pipe(Effect.asVoid)
}

/** Organizational contacts (identity/orgContact), members of mail-enabled groups. */
export const orgContactsStep: Step = {
  name: "orgContacts",
  run: (ctx) =>
    forEachWindow(ctx, `/contacts?$select=${CONTACT_SELECT}&$top=999`, 999, (items) =>
      Effect.forEach(items, (raw) => ctx.entity(entity("orgContact", raw.id, named(raw), raw)), { discard: true })
    ).pipe(Effect.asVoid)
}
