// Types of the wasmlogin package (index.js). Field names are this API's (camelCase); the plugin's records are
// described in wit/flow.wit.

/** The flow-error codes of wit/flow.wit that callers act on, and the host's own. */
export type ErrorCode =
  | 'bad_input' | 'login_required' | 'server_error' | 'transient' | 'invalid_response' | 'callback_rejected'
  | 'id_token_invalid' | 'storage_unavailable' | 'unknown_flow' | 'untrusted_host' | 'internal'
  | 'disallowed_host' | 'timeout' | 'connect' | 'certificate' | 'too_large' | 'unavailable' | 'denied'
  | (string & {})

/** A failure with a stable code; branch on `code`, never on the message. */
export class WasmloginError extends Error {
  constructor(code: ErrorCode, message: string, extra?: { serverError?: string; serverDescription?: string; retryAfterSeconds?: number })
  readonly code: ErrorCode
  /** The authorization server's own `error` (RFC 6749 5.2), when it sent one. */
  readonly serverError?: string
  readonly serverDescription?: string
  readonly retryAfterSeconds?: number
}

/** A synchronous secret store: the plugin waits for it on the calling thread. */
export interface SecretStore {
  readonly name: string
  get(key: string): string | null
  set(key: string, value: string): void
  delete(key: string): void
  /** Drop cached handles; called after each plugin call. */
  forget?(): void
}
/** The OS keyring (service `wasmlogin-node`, or WASMLOGIN_KEYRING_SERVICE). */
export function keyringStore(service?: string): SecretStore
/** Secrets kept in this process only. */
export function memoryStore(): SecretStore

/** Options every function takes. */
export interface CommonOptions {
  /** Where the profile index and the profile locks live; default $WASMLOGIN_NODE_CONFIG_DIR or ~/.config/wasmlogin-node. */
  configDir?: string
  /** Where secrets go: 'keyring' (the default), 'memory', or a store of your own. */
  store?: 'keyring' | 'memory' | SecretStore
  keyringService?: string
  /** Messages for the user (the URL to open, the device code, progress); default: stderr. */
  onMessage?(level: 'info' | 'warn' | (string & {}), message: string): void
  /** Ask the user for a line, synchronously (the plugin waits); default: the terminal, without echo for secrets. */
  prompt?(message: string, options: { secret: boolean }): string
  /** Show a URL: your own opener, or false for none; default: $BROWSER, else the platform's opener. */
  openBrowser?: false | ((url: string) => boolean | void)
}

/** The authorization server and the client (wit's `provider`). */
export interface ProviderOptions {
  /** A preset: github, gitlab, google, microsoft, strava. Explicit options win over it. */
  provider?: 'github' | 'gitlab' | 'google' | 'microsoft' | 'strava' | (string & {})
  /** Microsoft's tenant: a tenant ID, organizations or common. */
  tenant?: string
  issuer?: string
  clientId?: string
  /** Space- (or comma-) separated, or a list. */
  scopes?: string | string[]
  authorizationEndpoint?: string
  tokenEndpoint?: string
  jwksUri?: string
  deviceAuthorizationEndpoint?: string
  revocationEndpoint?: string
  extraAuthParams?: Record<string, string>
  /** A confidential client's secret; the plugin keeps it with the sign-in. Never put it on a command line. */
  clientSecret?: string
  /** Let the plugin ask for the secret (once, without echo) when none is stored. */
  promptClientSecret?: boolean
  scopeSeparator?: ' ' | ','
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post'
}

export interface LoginOptions extends CommonOptions, ProviderOptions {
  /** The profile to store the sign-in under; default: issuer host and path, '#', client ID. */
  profile?: string
  /** Ask for a flow; default: the plugin chooses from what the host sees (a display, SSH). 'paste': the browser, with the redirect URL pasted. */
  flow?: 'browser' | 'device' | 'paste'
  /** The loopback listener: host 127.0.0.1 (or localhost, [::1]), port 0 (any), path /callback. */
  redirect?: { host?: string; port?: number; path?: string }
  /** How long to wait for the browser; default 5 minutes. */
  timeoutMs?: number
  /** Pasted redirect URLs (flow 'paste'); default: lines of standard input. */
  pasted?: AsyncIterable<string>
}

export interface Session {
  profile: string
  issuer?: string
  clientId: string
  subject?: string
  scopes?: string[]
  /** Unix seconds. */
  expiresAt?: number
  hasRefreshToken: boolean
  /** The validated ID token's claims. */
  claims?: Record<string, unknown>
  /** For an MCP server's sign-in: the resource its tokens are bound to (RFC 8707). */
  resource?: string
}

export interface TokenResult {
  profile: string
  accessToken: string
  tokenType: string
  /** Unix seconds. */
  expiresAt?: number
  refreshed: boolean
}

export interface ProfileOptions extends CommonOptions {
  /** Default: the default profile (the last signed in, or the one `use` picked). */
  profile?: string
}

export interface TokenOptions extends ProfileOptions {
  forceRefresh?: boolean
  /** false: always ask the plugin, never the token it published for serving (served/<profile>). */
  served?: boolean
}

export interface LogoutResult {
  profile: string
  removed: boolean
  /** Token kinds the server revoked (RFC 7009). */
  revoked: string[]
  revocationNote?: string
}

export interface ClientCredentialsOptions extends CommonOptions, ProviderOptions {
  profile?: string
  authMethod?: 'client_secret_basic' | 'client_secret_post'
}

export interface ProfileInfo {
  profile: string
  issuer?: string
  clientId?: string
  mcpServer?: string
  default: boolean
}

export function login(options: LoginOptions): Promise<Session>
export function token(options?: TokenOptions): Promise<TokenResult>
export function status(options?: ProfileOptions): Promise<Session>
export function logout(options?: ProfileOptions): Promise<LogoutResult>
export function clientCredentials(options: ClientCredentialsOptions): Promise<TokenResult>
export function profiles(options?: CommonOptions): Promise<ProfileInfo[]>
export function use(profile: string, options?: CommonOptions): Promise<void>

/** fetch with the profile's access token; on a 401 the token is refreshed once and the request sent once more. */
export function fetch(input: string | URL | Request, init?: RequestInit & { wasmlogin?: TokenOptions }): Promise<Response>

/** The OAuth client for an MCP server (wit's mcp-client). All optional. */
export interface McpClient {
  clientId?: string
  clientSecret?: string
  clientMetadataUrl?: string
  tokenAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'
  signingAlg?: 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA'
  clientName?: string
}

export interface McpFetchOptions extends CommonOptions {
  /** The MCP server: https, or http to a loopback host. */
  serverUrl: string
  client?: McpClient
  /** The client's private key (PEM) for private_key_jwt: kept in the secret store, where the plugin cannot read it. */
  privateKeyPem?: string
  grant?: 'authorization_code' | 'client_credentials' | 'cross_app_access'
  /** Cross-app access: the enterprise IdP's token endpoint and the user's ID token there. */
  identityAssertion?: { idpTokenEndpoint: string; idToken: string; idpClientId?: string; idpClientSecret?: string }
  scopes?: string[]
  redirect?: { host?: string; port?: number; path?: string }
  timeoutMs?: number
}

/**
 * A fetch for one MCP server that sends its access token and, when the server answers 401 (or 403 with a
 * challenge), has the plugin authorize (mcp_authorize) and sends the request again. For an MCP SDK client:
 * `new StreamableHTTPClientTransport(url, { fetch: mcpFetch({ serverUrl }) })`.
 */
export interface McpFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** The profile the server's sign-in is stored under: 'mcp:' and its canonical URL. */
  readonly profile: string
  /** Sign in ahead of any request. */
  login(): Promise<void>
  /** Release the plugin. */
  close(): Promise<void>
}
export function mcpFetch(options: McpFetchOptions): McpFetch
