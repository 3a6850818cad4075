import { randomUUID } from "node:crypto"

/** An Entra STS (token endpoint) error: OAuth `error` plus an AADSTS-coded description. */
export class StsError extends Error {
  readonly status: number
  readonly error: string
  readonly aadsts: number

  constructor(status: number, error: string, aadsts: number, description: string) {
    super(`AADSTS${aadsts}: ${description}`)
    this.status = status
    this.error = error
    this.aadsts = aadsts
  }
}

const stsTimestamp = (ms: number): string => new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z")

/** The JSON body Entra returns for token endpoint errors. */
export const stsErrorBody = (e: StsError, origin: string, correlationId: string | undefined, now = Date.now()): Record<string, unknown> => {
  const traceId = randomUUID()
  const correlation = correlationId ?? randomUUID()
  const ts = stsTimestamp(now)
  return {
    error: e.error,
    error_description: `${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${ts}`,
    error_codes: [e.aadsts],
    timestamp: ts,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `${origin}/error?code=${e.aadsts}`
  }
}

export const tenantNotFound = (tenant: string): StsError =>
  new StsError(
    400,
    "invalid_request",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`
  )

export const appNotFound = (clientId: string, directory: string): StsError =>
  new StsError(
    400,
    "unauthorized_client",
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
  )

export const invalidSecret = (clientId: string): StsError =>
  new StsError(
    401,
    "invalid_client",
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`
  )

export const expiredSecret = (clientId: string): StsError =>
  new StsError(
    401,
    "invalid_client",
    7000222,
    `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`
  )

export const missingCredential = (): StsError =>
  new StsError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")

export const missingParameter = (name: string): StsError =>
  new StsError(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`)

export const unsupportedGrant = (grant: string): StsError =>
  new StsError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`)

export const invalidScope = (scope: string): StsError =>
  new StsError(
    400,
    "invalid_scope",
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
  )

export const resourceNotFound = (resource: string, tenantName: string): StsError =>
  new StsError(
    400,
    "invalid_resource",
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`
  )

export const certificateNotRegistered = (thumbprint: string, clientId: string): StsError =>
  new StsError(
    401,
    "invalid_client",
    700027,
    `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`
  )

export const badAssertionSignature = (): StsError => new StsError(401, "invalid_client", 700027, "Client assertion failed signature validation.")

export const assertionExpired = (): StsError => new StsError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")

export const assertionSubjectMismatch = (): StsError =>
  new StsError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.")

export const malformedAssertion = (): StsError => new StsError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
