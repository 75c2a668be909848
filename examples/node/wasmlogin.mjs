#!/usr/bin/env -S node --no-warnings
// A Node.js host for the wasmlogin flow plugin (contract: wit/flow.wit). The
// plugin does OAuth; this file lends it seven host functions and a loopback
// listener. Usage:
//   node wasmlogin.mjs login [--device] --issuer URL --client-id ID [--scopes "openid ..."] [--profile P]
//   node wasmlogin.mjs token [--profile P] [--force-refresh] [--json]
import createPlugin from '@extism/extism'
import { AsyncEntry } from '@napi-rs/keyring'
import { spawn } from 'node:child_process'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { isIP } from 'node:net'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const PLUGIN = process.env.WASMLOGIN_PLUGIN ?? fileURLToPath(new URL('../../host/internal/wasm/plugin.wasm', import.meta.url))
const INDEX = join(process.env.WASMLOGIN_NODE_CONFIG_DIR ?? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'wasmlogin-node'), 'profiles.json')
const MAX_BODY = 1 << 20

export class FlowError extends Error {
  constructor(code, message) { super(message); this.code = code }
}

// ---- http_request: the sandbox's only way out ----
const isLoopback = (host) => host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'))
// origin gives the URL's origin when its transport is acceptable (https, or plain http on loopback), else null.
export function origin(raw) {
  const u = typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : null
  const ok = u && (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname))) && !u.username && !u.password
  return ok ? u.origin : null
}
const DISCOVERY = /\/\.well-known\/openid-configuration$|^\/\.well-known\/oauth-authorization-server/
// httpRequest performs one exchange for the plugin: allowed origins only, no redirects, a timeout, a size cap.
export function httpRequest(allowed, { timeoutMs = 30_000 } = {}) {
  return async ({ method, url, headers = {}, body }) => {
    if (method !== 'GET' && method !== 'POST') throw new FlowError('denied', `the host only sends GET and POST, not ${method}`)
    const o = origin(url)
    if (!o || !allowed.has(o)) throw new FlowError('disallowed_host', `refusing a request to ${o ?? 'a URL that is not https (or http on loopback)'}: ` +
      'it is neither the configured issuer nor an endpoint named in its discovery document')
    const h = new Headers(Object.entries(headers).flatMap(([name, values]) => values.map((v) => [name, v])))
    if (!h.has('user-agent')) h.set('user-agent', 'wasmlogin')
    let res, chunks = [], size = 0
    try {
      res = await fetch(url, { method, headers: h, body: method === 'POST' ? body : undefined, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      for await (const chunk of res.body ?? []) {
        if ((size += chunk.length) > MAX_BODY) throw new FlowError('too_large', `the response from ${o} is larger than ${MAX_BODY} bytes`)
        chunks.push(chunk)
      }
    } catch (e) {
      if (e instanceof FlowError) throw e
      if (e.name === 'TimeoutError') throw new FlowError('timeout', `${o} did not answer within ${timeoutMs / 1000} s; try again later`)
      throw new FlowError('connect', `could not reach ${o}: ${e.cause?.message ?? e.message}`)
    }
    const text = Buffer.concat(chunks).toString('utf8'), out = {}
    for (const [name, value] of res.headers) (out[name] ??= []).push(value) // set-cookie comes one by one
    if (method === 'GET' && res.status === 200 && DISCOVERY.test(new URL(url).pathname)) {
      // A discovery document from an allowed origin allows the origins it names.
      let doc
      try { doc = JSON.parse(text) } catch {}
      for (const [field, value] of Object.entries(doc ?? {}))
        if ((field === 'issuer' || field === 'jwks_uri' || field.endsWith('_endpoint')) && origin(value)) allowed.add(origin(value))
    }
    return { status: res.status, headers: out, body: text }
  }
}

// ---- the other host functions ----
async function openBrowser({ url }) {
  // $BROWSER wins (as for gh and git), split into words, with the URL as the last argument; never through a shell.
  const opener = { darwin: ['open'], win32: ['rundll32', 'url.dll,FileProtocolHandler'] }[process.platform] ?? ['xdg-open']
  const [cmd, ...args] = process.env.BROWSER?.trim() ? process.env.BROWSER.trim().split(/\s+/) : opener
  const child = spawn(cmd, [...args, url], { stdio: ['ignore', 2, 2] })
  const err = await new Promise((resolve) => child.once('spawn', () => resolve(null)).once('error', resolve))
  if (err) throw new FlowError('unavailable', `could not start ${cmd} (${err.code}); open the URL yourself`)
  child.unref()
  return { opened: true }
}
const notify = ({ message }) => { process.stderr.write(`${message}\n`); return {} }
const prompt = () => { throw new FlowError('unavailable', 'this host does not prompt; pass what is needed on the command line') }

// Secrets go to the OS keyring (Keychain, Credential Manager, Secret Service). On Linux the entry is pinned to
// the Secret Service: the default would fall back to the kernel keyring, which forgets everything at logout.
const SERVICE = process.env.WASMLOGIN_KEYRING_SERVICE || 'wasmlogin-node'
const keyring = (op) => async ({ key, value }) => {
  const entry = new AsyncEntry(SERVICE, key, { linux: { store: 'secret-service' } })
  try { return await op(entry, value, AbortSignal.timeout(10_000)) } catch (e) { throw new FlowError('unavailable', `OS keyring: ${e.message}`) }
}
const secrets = {
  secret_get: keyring(async (entry, _, signal) => {
    const value = await entry.getPassword(signal)
    return value == null ? { found: false } : { found: true, value }
  }),
  secret_set: keyring(async (entry, value, signal) => { await entry.setPassword(value, signal); return {} }),
  secret_delete: keyring(async (entry, _, signal) => { await entry.deletePassword(signal); return {} }),
}

// openPlugin loads plugin.wasm with WASI (real clock and randomness) in a worker thread: there the guest blocks
// on each host call while the main thread runs the (async) host function, so HTTP stays synchronous for it.
// Host functions reply with the {"ok"} / {"error"} envelope; nothing may throw out of one: it kills the worker.
export async function openPlugin(allowed, opts) {
  const impl = { http_request: httpRequest(allowed, opts), open_browser: openBrowser, notify, prompt, ...secrets }
  const wrap = (fn) => async (ctx, offset) => {
    let input, reply
    try { input = JSON.parse(ctx.read(offset).text()) } catch { reply = { error: { code: 'bad_input', message: 'the payload is not JSON' } } }
    try { reply ??= { ok: await fn(input) } } catch (e) { reply = { error: { code: e instanceof FlowError ? e.code : 'unavailable', message: e.message } } }
    try { return ctx.store(JSON.stringify(reply)) } catch { return 0n } // 0: "the host function returned nothing"
  }
  const plugin = await createPlugin({ wasm: [{ path: PLUGIN }] }, {
    useWasi: true, runInWorker: true,
    functions: { 'extism:host/user': Object.fromEntries(Object.entries(impl).map(([name, fn]) => [name, wrap(fn)])) },
  })
  const call = async (name, input) => {
    const reply = (await plugin.call(name, JSON.stringify(input)))?.json() ?? { error: { code: 'internal', message: `the plugin's ${name} returned nothing` } }
    if (reply.error) throw new FlowError(reply.error.code, reply.error.message)
    return reply.ok
  }
  return { call, close: () => plugin.close() }
}

// ---- sign-in and commands ----
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (res, status, title, text) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(
  `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>` +
  '<p>You can close this tab and return to the terminal.</p>')

// browserSignIn: authorization code + PKCE through a loopback redirect; exactly one GET /callback counts.
async function browserSignIn(plugin, who, timeoutMs = 5 * 60_000) {
  const server = createServer()
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const redirect_uri = `http://127.0.0.1:${server.address().port}/callback`
  let timer, answered = false
  try {
    const begun = plugin.call('login_begin', { ...who, redirect_uri, open_browser: true }) // the plugin opens the browser
    return await new Promise((resolve, reject) => {
      begun.catch(reject)
      timer = setTimeout(() => reject(new FlowError('timeout', 'no sign-in came back within 5 minutes')), timeoutMs)
      server.on('request', async (req, res) => {
        const url = new URL(req.url, redirect_uri)
        if (req.method !== 'GET' || url.pathname !== '/callback' || answered) return res.writeHead(404).end()
        answered = true
        try {
          const session = await plugin.call('login_complete', { flow_id: (await begun).flow_id, callback_url: url.href })
          page(res, 200, 'Signed in', 'You are signed in.')
          resolve(session)
        } catch (e) {
          page(res, 400, 'Sign-in failed', e.message)
          reject(e)
        }
      })
    })
  } finally {
    clearTimeout(timer)
    server.close()
    server.closeAllConnections()
  }
}

// deviceSignIn: the plugin prints the code and URL (for a browser elsewhere); we poll, waiting exactly wait_seconds
// between polls (an early poll gets slow_down), and retry a transient failure after the same wait.
async function deviceSignIn(plugin, who) {
  const { flow_id, interval } = await plugin.call('device_begin', { ...who, open_browser: false })
  for (let wait = interval; ; await sleep(wait * 1000)) {
    const p = await plugin.call('device_poll', { flow_id }).catch((e) => { if (e.code === 'transient') return { status: 'pending', wait_seconds: wait }; throw e })
    if (p.status === 'signed_in') return p.session
    if (p.status !== 'pending' && p.status !== 'slow_down') throw new FlowError(p.status, p.message || `the device sign-in was ${p.status}`)
    wait = p.wait_seconds
  }
}

// The profile index is this host's own, non-secret note of which origins each profile's plugin may reach.
const loadIndex = () => readFile(INDEX, 'utf8').then(JSON.parse, (e) => { if (e.code === 'ENOENT') return { profiles: {} }; throw e })
async function withPlugin(allowed, fn) {
  const plugin = await openPlugin(allowed)
  try { return await fn(plugin) } finally { await plugin.close() } // without close() Node never exits
}

const commands = {
  async login({ issuer, 'client-id': client_id, scopes, profile, device }) {
    if (!issuer || !client_id) throw new FlowError('bad_input', 'login needs --issuer and --client-id')
    if (!origin(issuer)) throw new FlowError('bad_input', '--issuer must be an https URL (or http on loopback)')
    const allowed = new Set([origin(issuer)])
    const provider = { issuer, client_id, scopes: scopes?.split(/[\s,]+/).filter(Boolean) }
    const session = await withPlugin(allowed, (plugin) => (device ? deviceSignIn : browserSignIn)(plugin, { profile, provider }))
    const index = await loadIndex()
    index.profiles[session.profile] = { issuer, client_id, allowed_origins: [...allowed] }
    index.default = session.profile
    await mkdir(dirname(INDEX), { recursive: true, mode: 0o700 })
    await writeFile(`${INDEX}.tmp`, JSON.stringify(index, null, 2), { mode: 0o600 })
    await rename(`${INDEX}.tmp`, INDEX) // atomic: a concurrent token run never reads half a file
    process.stderr.write(`Signed in to ${session.issuer ?? issuer}${session.subject ? ` as ${session.subject}` : ''} (profile "${session.profile}").\n`)
  },
  async token({ profile, 'force-refresh': force_refresh, json }) {
    const index = await loadIndex()
    profile ??= index.default
    const t = await withPlugin(new Set(index.profiles[profile]?.allowed_origins), (plugin) => plugin.call('token', { profile, force_refresh }))
    process.stdout.write(`${json ? JSON.stringify(t) : t.access_token}\n`)
  },
}

const str = { type: 'string' }, bool = { type: 'boolean' }
const options = { issuer: str, 'client-id': str, scopes: str, profile: str, device: bool, 'force-refresh': bool, json: bool }
export async function main(args) {
  try {
    const { positionals: [command, ...extra], values } = parseArgs({ args, options, allowPositionals: true })
    if (!Object.hasOwn(commands, command) || extra.length) throw new FlowError('bad_input', 'usage: wasmlogin.mjs login [--device] --issuer URL --client-id ID | token [--profile P]')
    await commands[command](values)
    return 0
  } catch (e) {
    process.stderr.write(`wasmlogin: ${e.code ? `${e.code}: ` : ''}${e.message}\n`)
    return 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2))
