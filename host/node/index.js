// wasmlogin for Node.js: OAuth 2 and OpenID Connect sign-in whose every protocol decision is made by one sandboxed
// WebAssembly plugin (plugin.wasm, shipped in this package; contract wit/flow.wit). This module is the host: it
// lends the plugin HTTP to the origins it may reach, a browser, the OS keyring, the terminal, and node:crypto, and
// keeps a profile index. The functions mirror the wasmlogin CLI's commands.
import { isatty } from 'node:tty'
import { existsSync } from 'node:fs'
import { customOpener, openBrowser as systemOpener, whereWeRun } from './lib/browser.js'
import { WasmloginError } from './lib/errors.js'
import { withProfileLock } from './lib/lock.js'
import { applyPreset, lookupPreset, missingClientId, missingSecret } from './lib/presets.js'
import { checkName, defaultConfigDir, deriveProfile, loadIndex, updateIndex } from './lib/profiles.js'
import { customPrompt } from './lib/prompt.js'
import { openPlugin } from './lib/runtime.js'
import { Sandbox } from './lib/sandbox.js'
import { keyringStore, memoryStore } from './lib/secrets.js'
import { browserSignIn, deviceSignIn, stdinLines } from './lib/signin.js'
import { origin } from './lib/urls.js'

export { WasmloginError, keyringStore, memoryStore }
export { mcpFetch } from './lib/mcp.js'

// ---- options shared by every function ----

// resolveStore: a store object as given, 'memory' for a fresh one, else the OS keyring (service from the option,
// WASMLOGIN_KEYRING_SERVICE, or wasmlogin-node).
function resolveStore(store, service) {
  if (store && typeof store === 'object') return store
  if (store === 'memory') return memoryStore()
  if (store && store !== 'keyring') throw new WasmloginError('bad_input', `store ${JSON.stringify(store)}: give "keyring", "memory" or a store object`)
  return keyringStore(service)
}

// hooks are the host functions an application may replace: its own browser opener (or none), prompt and messages.
function hooks(o) {
  const notify = o.onMessage ? ({ level, message }) => { o.onMessage(level, message); return {} } : undefined
  const openBrowser = typeof o.openBrowser === 'function' ? customOpener(o.openBrowser) : systemOpener
  return { notify, openBrowser, prompt: o.prompt ? customPrompt(o.prompt) : undefined }
}
const say = (o) => (level, message) => (o.onMessage ? o.onMessage(level, message) : process.stderr.write(`${message}\n`))

// withPlugin opens an instance for one sandbox, grant and store, runs fn, and always closes it (which ends the HTTP
// helper thread, if one started).
export async function withPlugin({ sandbox, grant, store }, o, fn) {
  const plugin = await openPlugin({ sandbox, grant: new Set(grant), store }, hooks(o))
  try { return await fn(plugin) } finally { await plugin.close() }
}

// ---- records: the plugin's snake_case JSON to this API's camelCase ----
const claimsObject = (claims) => (claims ? Object.fromEntries(Object.entries(claims)) : undefined)
const session = (s) => s && {
  profile: s.profile, issuer: s.issuer, clientId: s.client_id, subject: s.subject, scopes: s.scopes, expiresAt: s.expires_at,
  hasRefreshToken: !!s.has_refresh_token, claims: claimsObject(s.claims), resource: s.resource,
}
const tokenResult = (t) => ({ profile: t.profile, accessToken: t.access_token, tokenType: t.token_type, expiresAt: t.expires_at, refreshed: !!t.refreshed })
const drop = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== ''))

// providerOf is wit's `provider` from this API's options.
function providerOf(o) {
  const scopes = typeof o.scopes === 'string' ? o.scopes.split(/[\s,]+/).filter(Boolean) : o.scopes
  return drop({
    issuer: o.issuer, client_id: o.clientId, scopes, authorization_endpoint: o.authorizationEndpoint, token_endpoint: o.tokenEndpoint,
    jwks_uri: o.jwksUri, device_authorization_endpoint: o.deviceAuthorizationEndpoint, revocation_endpoint: o.revocationEndpoint,
    extra_auth_params: o.extraAuthParams, client_secret: o.clientSecret, prompt_client_secret: o.promptClientSecret || undefined,
    scope_separator: o.scopeSeparator, token_auth_method: o.tokenAuthMethod,
  })
}
const ENDPOINTS = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'device_authorization_endpoint', 'revocation_endpoint']

// checkProvider refuses what no sign-in can use, with what to give instead.
function checkProvider(p) {
  if (!p.client_id) throw new WasmloginError('bad_input', 'a client ID is needed (clientId, --client-id)')
  if (!p.issuer && !p.token_endpoint) throw new WasmloginError('bad_input', 'an issuer (with discovery) or a token endpoint is needed (issuer, --issuer; tokenEndpoint, --token-url)')
  for (const k of ENDPOINTS) if (p[k] && !origin(p[k])) throw new WasmloginError('bad_input', `${k} must be an https URL (http only on 127.0.0.1, ::1 or localhost), not ${JSON.stringify(p[k])}`)
}

// canAsk: a prompt can reach a person (the application's own, or a terminal).
const canAsk = (o) => !!o.prompt || isatty(0) || (process.platform !== 'win32' && existsSync('/dev/tty') && isatty(2))

// signedInBefore: the index has a sign-in with this client at this provider, whose secret the plugin stored.
function signedInBefore(ix, profile, p) {
  const e = ix.profiles[profile]
  if (e) return e.provider?.client_id === p.client_id
  return Object.values(ix.profiles).some((x) => x.provider?.client_id === p.client_id && x.provider?.issuer === p.issuer && x.provider?.token_endpoint === p.token_endpoint)
}

// The index entry of a sign-in: the provider without its secret, the origins the sandbox learned, the store.
const entryFor = (p, sandbox, store, extra = {}) => {
  const { client_secret: _secret, prompt_client_secret: _prompt, ...provider } = p
  return { issuer: p.issuer, client_id: p.client_id, provider, allowed_origins: sandbox.allowed, store: typeof store === 'object' ? store.name : store, ...extra }
}

// ---- the commands ----

/**
 * Sign in (the plugin chooses the flow, or `flow` asks for one): the browser with a loopback redirect, the device
 * flow, or the browser with a pasted redirect URL. Stores the sign-in and makes it the default profile.
 */
export async function login(o = {}) {
  const dir = o.configDir ?? defaultConfigDir()
  const ix = await loadIndex(dir)
  let p = providerOf(o), presetOrigins = [], redirectHost
  if (o.profile && !p.client_id && !p.issuer && !p.token_endpoint && ix.profiles[o.profile]) p = { ...ix.profiles[o.profile].provider, ...p }
  if (o.provider) {
    const ps = lookupPreset(o.provider)
    ;({ provider: p, origins: presetOrigins, redirectHost } = applyPreset(ps, p, { tenant: o.tenant }))
    if (!p.client_id) throw new WasmloginError('bad_input', missingClientId(ps))
    if (ps.secret_required && !p.client_secret && !p.prompt_client_secret && !(o.flow === 'device' && ps.device_without_secret)) {
      if (!signedInBefore(ix, o.profile ?? deriveProfile(p), p) && !canAsk(o)) throw new WasmloginError('bad_input', missingSecret(ps))
      p.prompt_client_secret = true
    }
  } else if (o.tenant) {
    throw new WasmloginError('bad_input', 'a tenant goes with provider "microsoft"')
  }
  checkProvider(p)
  const name = o.profile ?? deriveProfile(p)
  const bad = !ix.profiles[name] && checkName(name)
  if (bad) throw new WasmloginError('bad_input', o.profile ? `profile ${JSON.stringify(name)} cannot be used: ${bad}` : `the profile name made from the issuer and client, ${JSON.stringify(name)}, cannot be used: ${bad}; name the profile`)
  if (o.flow && !['browser', 'device', 'paste'].includes(o.flow)) throw new WasmloginError('bad_input', `flow ${JSON.stringify(o.flow)}: give "browser", "device" or "paste"`)

  // The host gives every origin it knows up front; the issuer's own discovery document may add its endpoints.
  const sandbox = new Sandbox({ issuer: p.issuer, allowed: [...ENDPOINTS.map((k) => p[k]).filter(Boolean), ...presetOrigins] })
  const store = resolveStore(o.store, o.keyringService)
  const notify = say(o)
  const where = whereWeRun(process.env, process.platform, typeof o.openBrowser === 'function')
  const ref = { profile: name, provider: p }
  const result = await withPlugin({ sandbox, grant: [name], store }, o, async (plugin) => {
    const choice = await plugin.call('login_choose', {
      ...ref, prefer: o.flow === 'paste' ? 'browser' : o.flow, browser_usable: where.browserUsable, remote: where.remote,
    })
    notify('info', `Signing in with the ${choice.flow} flow: ${choice.reason}.`)
    const open = where.browserUsable && o.openBrowser !== false && o.flow !== 'paste'
    if (choice.flow === 'device') return deviceSignIn(plugin, ref, { open })
    const paste = o.flow === 'paste' || where.remote
    const pasted = paste ? (o.pasted ?? stdinLines()) : undefined
    const redirect = { host: o.redirect?.host ?? redirectHost, port: o.redirect?.port, path: o.redirect?.path }
    const { session: s } = await browserSignIn(plugin, { args: ref }, { open, redirect, timeoutMs: o.timeoutMs, pasted, notify })
    return s
  })
  await updateIndex(dir, (ix) => {
    ix.profiles[result.profile] = entryFor(p, sandbox, store)
    ix.default = result.profile
  })
  const who = result.claims?.email ?? result.subject
  notify('info', `Signed in to ${result.issuer ?? p.issuer ?? p.token_endpoint}${who ? ` as ${who}` : ''} (profile "${result.profile}").`)
  return session(result)
}

// profileEntry finds the profile to use (the one named, else the default) in the index, or says to sign in.
async function profileEntry(o) {
  const dir = o.configDir ?? defaultConfigDir()
  const ix = await loadIndex(dir)
  const name = o.profile ?? ix.default
  if (!name || !Object.hasOwn(ix.profiles, name))
    throw new WasmloginError('login_required', name ? `no sign-in is stored for profile "${name}"; run login first` : 'no sign-in is stored; run login first')
  const entry = ix.profiles[name]
  const sandbox = new Sandbox({ issuer: entry.issuer, allowed: entry.allowed_origins ?? [] })
  if (entry.mcp_server) sandbox.setMCPServer(entry.mcp_server)
  return { dir, ix, name, entry, sandbox, store: resolveStore(o.store ?? entry.store, o.keyringService) }
}

// servedToken is the still-valid access token the plugin published under served/<profile> (wit: served-token),
// returned without loading the plugin while now is before its serve_until; null in every other case.
function servedToken(store, name) {
  let v
  try { v = JSON.parse(store.get(`served/${name}`) ?? 'null') } catch { return null }
  if (v?.profile !== name || typeof v.access_token !== 'string' || !(Date.now() / 1000 < v.serve_until)) return null
  return { profile: name, accessToken: v.access_token, tokenType: v.token_type, expiresAt: v.expires_at, refreshed: false }
}

/** A valid access token for the profile (default: the default profile), refreshed by the plugin when due. */
export async function token(o = {}) {
  const { dir, name, sandbox, store } = await profileEntry(o)
  if (!o.forceRefresh && o.served !== false) {
    const served = servedToken(store, name)
    store.forget?.()
    if (served) return served
  }
  const t = await withPlugin({ sandbox, grant: [name], store }, o, (plugin) =>
    withProfileLock(dir, name, () => plugin.call('token', { profile: name, force_refresh: !!o.forceRefresh })))
  return tokenResult(t)
}

/** Who is signed in for the profile: issuer, subject, expiry, scopes, ID token claims. No secrets. */
export async function status(o = {}) {
  const { name, sandbox, store } = await profileEntry(o)
  return session(await withPlugin({ sandbox, grant: [name], store }, o, (plugin) => plugin.call('status', { profile: name })))
}

/** Forget the profile's sign-in, revoking its tokens where the server can (RFC 7009). */
export async function logout(o = {}) {
  const { dir, name, sandbox, store } = await profileEntry(o)
  const r = await withPlugin({ sandbox, grant: [name], store }, o, (plugin) => withProfileLock(dir, name, () => plugin.call('logout', { profile: name })))
  await updateIndex(dir, (ix) => {
    delete ix.profiles[name]
    if (ix.default === name) delete ix.default
  })
  return { profile: r.profile, removed: !!r.removed, revoked: r.revoked ?? [], revocationNote: r.revocation_note }
}

/** Sign a confidential client in as itself (client credentials grant); `token` renews it later. */
export async function clientCredentials(o = {}) {
  const dir = o.configDir ?? defaultConfigDir()
  const p = providerOf(o)
  checkProvider(p)
  if (!p.client_secret) throw new WasmloginError('bad_input', 'the client credentials grant needs the client secret (clientSecret, --client-secret-env)')
  const name = o.profile ?? deriveProfile(p)
  const bad = checkName(name)
  if (bad) throw new WasmloginError('bad_input', `profile ${JSON.stringify(name)} cannot be used: ${bad}`)
  const sandbox = new Sandbox({ issuer: p.issuer, allowed: ENDPOINTS.map((k) => p[k]).filter(Boolean) })
  const store = resolveStore(o.store, o.keyringService)
  const t = await withPlugin({ sandbox, grant: [name], store }, o, (plugin) =>
    plugin.call('client_credentials', drop({ profile: name, provider: p, auth_method: o.authMethod })))
  await updateIndex(dir, (ix) => {
    ix.profiles[t.profile] = entryFor(p, sandbox, store, { grant: 'client_credentials' })
    ix.default = t.profile
  })
  return tokenResult(t)
}

/** The profiles this host knows, the default marked. Reads only the index: no secrets, no plugin. */
export async function profiles(o = {}) {
  const ix = await loadIndex(o.configDir ?? defaultConfigDir())
  return Object.keys(ix.profiles).sort().map((name) => {
    const e = ix.profiles[name]
    return drop({ profile: name, issuer: e.issuer ?? e.provider?.token_endpoint, clientId: e.client_id, mcpServer: e.mcp_server, default: name === ix.default })
  }).map((r) => ({ default: false, ...r }))
}

/** Make a profile the default for calls that name none. */
export async function use(profile, o = {}) {
  await updateIndex(o.configDir ?? defaultConfigDir(), (ix) => {
    if (!Object.hasOwn(ix.profiles, profile ?? '')) throw new WasmloginError('bad_input', `no profile ${JSON.stringify(profile)}; profiles() lists them`)
    ix.default = profile
  })
}

/**
 * fetch with the profile's access token: like the global fetch, with `Authorization: <type> <token>` added. On a
 * 401 the token is refreshed once (forced, the server may have revoked it early) and the request sent once more.
 * init.wasmlogin holds this package's options (profile, store, configDir, ...).
 */
export async function fetch(input, init = {}) {
  const { wasmlogin: o = {}, ...rest } = init
  const request = new Request(input, rest)
  const again = request.clone() // a body can be sent once: keep a copy for the retry
  const send = async (req, t) => {
    req.headers.set('authorization', `${t.tokenType && t.tokenType.toLowerCase() !== 'bearer' ? t.tokenType : 'Bearer'} ${t.accessToken}`)
    return globalThis.fetch(req)
  }
  const res = await send(request, await token(o))
  if (res.status !== 401) return res
  await res.body?.cancel()
  return send(again, await token({ ...o, forceRefresh: true }))
}
