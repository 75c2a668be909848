// Types of wasmlogin/host: the host's own pieces, for embedders that drive the plugin's exports themselves.
import type { SecretStore, WasmloginError } from './index.js'
export { WasmloginError, keyringStore, memoryStore } from './index.js'
export type { SecretStore } from './index.js'

export const CONTRACT: string
export const MAX_MEMORY_PAGES: number
export const CALL_TIMEOUT_MS: number
export const MAX_BODY: number
export function pluginPath(): string

/** The origins the plugin may reach, learned only from checked documents (wit/EMBEDDING.md, "Sandbox"). */
export class Sandbox {
  constructor(options?: { issuer?: string; allowed?: Iterable<string> })
  allow(url: string): void
  has(origin: string): boolean
  readonly allowed: string[]
  readonly issuer: string
  setIssuer(issuer: string): void
  setMCPServer(serverUrl: string): void
  setMCPChallenge(wwwAuthenticate: string[]): void
  learn(request: { method: string; url: string }, response: { status: number; body: string }): void
}

export interface PluginInstance {
  /** Call an export with its JSON input; resolves to its `ok`, rejects with a WasmloginError for its `error`. */
  call(name: string, input: object): Promise<any>
  close(): Promise<void>
  readonly info: { version: string; contract: string }
}
export type HostFunction = (input: any) => object
export function openPlugin(
  scope: { sandbox: Sandbox; grant: Set<string>; store: SecretStore },
  options?: {
    callTimeoutMs?: number
    timeoutMs?: number
    functions?: Record<string, HostFunction>
    openBrowser?: HostFunction
    prompt?: HostFunction
    notify?: HostFunction
  },
): Promise<PluginInstance>
export function capMemory(wasm: Buffer, maxPages: number): Buffer
export function httpRequest(sandbox: Sandbox, options?: { timeoutMs?: number }): HostFunction & { close(): Promise<void> }
export function openBrowser(request: { url: string }): { opened: boolean }
export function browserURL(url: string): string
export function whereWeRun(env?: Record<string, string | undefined>, platform?: string, ownOpener?: boolean): { remote: boolean; browserUsable: boolean }
export function mayUseSecret(grant: Set<string>, op: 'get' | 'set' | 'delete', key: string, value: string | undefined, stored: () => string | null): boolean
export function secretFunctions(store: SecretStore, grant: Set<string>): Record<'secret_get' | 'secret_set' | 'secret_delete', HostFunction>
export function signer(store: SecretStore, grant: Set<string>): HostFunction
export function storeSigningKey(store: SecretStore, profile: string, pem: string): string
export function signingKey(profile: string): string
export function verifySignature(request: { alg: string; jwk: object; message: string; signature: string }): { valid: boolean }
export function base64url(text: string): Buffer | null
export class BadInput extends Error { readonly code: 'bad_input' }
export function withProfileLock<T>(dir: string, profile: string, fn: () => T | Promise<T>, options?: { waitMs?: number }): Promise<T>
export function withProfileLocks<T>(dir: string, profiles: string[], fn: () => T | Promise<T>): Promise<T>
export function lockPath(dir: string, profile: string): string
export function origin(url: string): string | null
export function discoveryURLs(issuer: string): string[]
export function isLoopback(host: string): boolean
export const mcpauth: {
  canonical(serverUrl: string): string
  profileOf(serverUrl: string): string
  checkURL(what: string, url: string): URL
  covers(prmResource: string, serverUrl: string): boolean
  resourceMetadataURLs(serverUrl: string): string[]
  metadataURLs(issuer: string): string[]
  sameDocument(a: string, b: string): boolean
  parseResourceMetadata(body: string, serverUrl: string): string[] | null
  parseChallenges(value: string): { scheme: string; params: Record<string, string>; token68: string }[]
  parseBearer(values: string[]): { resourceMetadata: string; scope: string[]; error: string } | null
}
export function exitCode(error: unknown): number
export function deriveProfile(provider: { issuer?: string; token_endpoint?: string; client_id: string }): string
export function checkName(name: string): string | null
export function defaultConfigDir(): string
export function loadIndex(dir: string): Promise<{ default?: string; profiles: Record<string, any> }>
export function applyPreset(preset: object, given: object, options?: { tenant?: string }): { provider: object; origins: string[]; redirectHost?: string }
export function lookupPreset(name: string): object
export function presetNames(): string[]
export function browserSignIn(
  plugin: PluginInstance,
  input: { call?: string; args: object },
  options?: { open?: boolean; redirect?: { host?: string; port?: number; path?: string }; timeoutMs?: number; pasted?: AsyncIterable<string>; notify?: (level: string, message: string) => void; locked?: <T>(fn: () => Promise<T>) => Promise<T> },
): Promise<{ session?: any; flowId?: string; answer?: any }>
export function deviceSignIn(plugin: PluginInstance, who: object, options?: { open?: boolean }): Promise<any>
export function listen(redirect?: { host?: string; port?: number; path?: string }): Promise<{ redirectURI: string; path: string }>
