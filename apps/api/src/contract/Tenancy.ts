import { IsoDateTime, NonBlankString } from "@idconnect/schemas/Common"
import * as Schema from "effect/Schema"

/** Admin bootstrap: a new tenant and its first API key. */
export const CreateTenantRequest = Schema.Struct({
  name: NonBlankString,
  apiKeyName: Schema.optionalKey(NonBlankString)
}).annotate({ identifier: "CreateTenantRequest" })

export const TenantView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  createdAt: IsoDateTime
}).annotate({ identifier: "Tenant" })

export const ApiKeyView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  createdAt: IsoDateTime,
  lastUsedAt: Schema.NullOr(IsoDateTime),
  revokedAt: Schema.NullOr(IsoDateTime)
}).annotate({ identifier: "ApiKey" })

/** A new key pair. The secret is shown here once and never again (the store keeps a hash). */
export const ApiKeyCreated = Schema.Struct({
  id: Schema.String.annotate({ description: "Send as X-Api-Key-ID" }),
  secret: Schema.String.annotate({ description: "Send as X-Api-Key-Secret; shown once" }),
  name: Schema.String,
  createdAt: IsoDateTime
}).annotate({ identifier: "ApiKeyCreated" })

export const TenantCreated = Schema.Struct({
  tenant: TenantView,
  apiKey: ApiKeyCreated
}).annotate({ identifier: "TenantCreated" })

export const CreateApiKeyRequest = Schema.Struct({
  name: NonBlankString
}).annotate({ identifier: "CreateApiKeyRequest" })

export const ApiKeyList = Schema.Struct({ items: Schema.Array(ApiKeyView) }).annotate({ identifier: "ApiKeyList" })

export const KeyParams = Schema.Struct({ keyId: Schema.String })
