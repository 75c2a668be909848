#!/usr/bin/env -S node --no-warnings
// A Node.js host for the wasmlogin flow plugin (contract: wit/flow.wit). The plugin does OAuth; this file lends it
// the host functions (HTTP, browser, messages, keyring, signature checks) and a loopback listener, and keeps the
// sandbox's rules: which origins it may reach, which URLs it may open, which secrets it may touch. Usage:
//   node wasmlogin.mjs login [--device] --issuer URL --client-id ID [--scopes "openid ..."] [--profile P]
//   node wasmlogin.mjs token [--profile P] [--force-refresh] [--json]
import createPlugin from '@extism/extism'
import { Entry } from '@napi-rs/keyring'
import fsExt from 'fs-ext'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { isIP } from 'node:net'
import { devNull, homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import vm from 'node:vm'
import { WASI } from 'node:wasi'
import { Worker } from 'node:worker_threads'
import { BadInput, verifySignature } from './signatures.mjs'

const PLUGIN = process.env.WASMLOGIN_PLUGIN ?? fileURLToPath(new URL('../../host/internal/wasm/plugin.wasm', import.meta.url))
const CONFIG = process.env.WASMLOGIN_NODE_CONFIG_DIR ?? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'wasmlogin-node')
const INDEX = join(CONFIG, 'profiles.json')
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

// discoveryURLs are where the plugin looks up the issuer's metadata: OpenID Connect Discovery 1.0 section 4 (the
// issuer, then the well-known path) and RFC 8414 section 3.1 (the well-known path between origin and issuer path).
export function discoveryURLs(issuer) {
  const { origin: o, pathname } = new URL(issuer)
  return [`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, `${o}/.well-known/oauth-authorization-server${pathname.replace(/\/$/, '')}`]
}
// The metadata fields (RFC 8414 2, OIDC Discovery 3, RFC 9126 5) that name where the plugin sends requests.
const ENDPOINT_FIELDS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint',
  'device_authorization_endpoint', 'pushed_authorization_request_endpoint']
// learnOrigins widens the allowlist, and nothing else does: only from the issuer's own metadata, fetched from one
// of its discovery URLs, that names the issuer exactly (RFC 8414 3.3), and only by the endpoints the plugin uses.
function learnOrigins(issuer, allowed, { method, url }, { status, body }) {
  if (!issuer || method !== 'GET' || status !== 200 || !discoveryURLs(issuer).includes(url)) return
  let doc
  try { doc = JSON.parse(body) } catch { return }
  if (doc?.constructor !== Object || doc.issuer !== issuer) return
  for (const field of ENDPOINT_FIELDS) if (origin(doc[field])) allowed.add(origin(doc[field]))
}

// httpRequest performs one exchange for the plugin: allowed origins only (see learnOrigins), no redirects, a
// timeout, a size cap. It is synchronous, because the plugin runs on this thread and cannot wait for a promise:
// the fetch happens in a helper thread (httpHelper) while this one blocks in Atomics.wait. The helper starts on
// the first request, so a token served from the store never pays for it, and lives until close().
export function httpRequest({ issuer, allowed }, { timeoutMs = 30_000 } = {}) {
  let helper
  const request = ({ method, url, headers = {}, body }) => {
    if (method !== 'GET' && method !== 'POST') throw new FlowError('denied', `the host only sends GET and POST, not ${method}`)
    const o = origin(url)
    if (!o || !allowed.has(o)) throw new FlowError('disallowed_host', `refusing a request to ${o ?? 'a URL that is not https (or http on loopback)'}: ` +
      'it is neither the configured issuer nor an endpoint named in its discovery document')
    const h = new Headers(Object.entries(headers).flatMap(([name, values]) => values.map((v) => [name, v])))
    if (!h.has('user-agent')) h.set('user-agent', 'wasmlogin')
    if (!helper) {
      const fresh = helper = startHelper()
      fresh.worker.once('exit', () => { if (helper === fresh) helper = undefined }) // seen between calls only
    }
    // The helper enforces timeoutMs; the extra wait only covers its start and a helper that hangs or died.
    const res = helper.exchange({ method, url, headers: [...h], body: method === 'POST' ? body : undefined, timeoutMs }, timeoutMs + 5_000)
    if (!res) {
      helper.worker.terminate() // wedged or gone: the next request gets a fresh one
      helper = undefined
    }
    const { error, detail, status, headers: out, body: text } = res ?? { error: 'timeout' }
    if (error === 'too_large') throw new FlowError('too_large', `the response from ${o} is larger than ${MAX_BODY} bytes`)
    if (error === 'timeout') throw new FlowError('timeout', `${o} did not answer within ${timeoutMs / 1000} s; try again later`)
    if (error) throw new FlowError('connect', `could not reach ${o}: ${detail}`)
    learnOrigins(issuer, allowed, { method, url }, { status, body: text })
    return { status, headers: out, body: text }
  }
  request.close = async () => { const w = helper?.worker; helper = undefined; await w?.terminate() }
  return request
}

// The helper's shared buffer: a 16-byte head (Int32: the number of the request last answered, body length,
// meta length), then room for the largest body allowed, then the meta JSON ({status, headers} or {error, detail}).
const HEAD = 16, MAX_META = 256 << 10
function startHelper() {
  const shared = new SharedArrayBuffer(HEAD + MAX_BODY + MAX_META), head = new Int32Array(shared, 0, 3)
  const worker = new Worker(`(${httpHelper})()`, { eval: true, workerData: { shared, HEAD, MAX_BODY, MAX_META } })
  worker.unref() // an idle helper never keeps the process alive; it works while this thread waits, ref'd or not
  worker.on('error', () => {}) // it catches everything itself; a crash shows up as a timeout, never as an exception here
  let seq = 0
  // exchange sends one request and blocks until the answer is in the buffer; null if none came within waitMs.
  const exchange = (req, waitMs) => {
    worker.postMessage({ ...req, seq: ++seq })
    for (const deadline = performance.now() + waitMs; ;) {
      const done = Atomics.load(head, 0), left = deadline - performance.now()
      if (done === seq) break
      if (left <= 0) return null
      Atomics.wait(head, 0, done, left)
    }
    const bodyLength = head[1], meta = JSON.parse(Buffer.from(shared, HEAD + MAX_BODY, head[2]).toString('utf8'))
    return meta.error ? meta : { ...meta, body: Buffer.from(shared, HEAD, bodyLength).toString('utf8') }
  }
  return { worker, exchange }
}

// httpHelper is the helper thread's whole program (it runs from its source text, so it may use nothing from this
// module): fetch as the plugin asked, the body straight into the shared buffer, then wake the waiting thread.
function httpHelper() {
  const { parentPort, workerData: { shared, HEAD, MAX_BODY, MAX_META } } = require('node:worker_threads')
  const head = new Int32Array(shared, 0, 3), body = new Uint8Array(shared, HEAD, MAX_BODY), meta = new Uint8Array(shared, HEAD + MAX_BODY, MAX_META)
  const tooLarge = Symbol('too large')
  parentPort.on('message', async ({ seq, method, url, headers, body: payload, timeoutMs }) => {
    let reply, size = 0
    try {
      const res = await fetch(url, { method, headers, body: payload, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      for await (const chunk of res.body ?? []) {
        if (size + chunk.length > MAX_BODY) throw tooLarge
        body.set(chunk, size)
        size += chunk.length
      }
      const out = {}
      for (const [name, value] of res.headers) (out[name] ??= []).push(value) // set-cookie comes one by one
      reply = { status: res.status, headers: out }
    } catch (e) {
      reply = e === tooLarge ? { error: 'too_large' } : e?.name === 'TimeoutError' ? { error: 'timeout' }
        : { error: 'connect', detail: String(e?.cause?.message ?? e?.message ?? e) }
    }
    let bytes = new TextEncoder().encode(JSON.stringify(reply))
    if (bytes.length > MAX_META) bytes = new TextEncoder().encode(JSON.stringify({ error: 'too_large' })) // headers, in fact
    meta.set(bytes)
    head[1] = reply.error ? 0 : size
    head[2] = bytes.length
    Atomics.store(head, 0, seq) // publishes the writes above
    Atomics.notify(head, 0)
  })
}

// ---- the other host functions ----
// browserURL refuses what a browser opener must never be handed: anything but https (or http on loopback), a URL
// with spaces or control characters (which a shell or opener could split), or a word an opener would take as an
// option. A hostile guest chooses this string.
function browserURL(url) {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || /[\s\x00-\x1f\x7f-\x9f]/.test(url) || !origin(url))
    throw new FlowError('denied', 'the host opens only https URLs (or http on loopback) without spaces or control characters')
  return url
}

export function openBrowser({ url }) {
  // $BROWSER wins (as for gh and git), split into words, with the URL as the last argument; never through a shell.
  const opener = { darwin: ['open'], win32: ['rundll32', 'url.dll,FileProtocolHandler'] }[process.platform] ?? ['xdg-open']
  const [cmd, ...args] = process.env.BROWSER?.trim() ? process.env.BROWSER.trim().split(/\s+/) : opener
  const child = spawn(cmd, [...args, browserURL(url)], { stdio: ['ignore', 2, 2] })
  // A command that could not start has no pid as soon as spawn returns; its 'error' event only comes on a later
  // tick, after this answer, and must not go unheard (it would crash the process).
  child.on('error', () => {})
  if (child.pid === undefined) throw new FlowError('unavailable', `could not start ${cmd}; open the URL yourself`)
  child.unref()
  return { opened: true }
}
const notify = ({ message }) => { process.stderr.write(`${message}\n`); return {} }
const prompt = () => { throw new FlowError('unavailable', 'this host does not prompt; pass what is needed on the command line') }

// mayUseSecret is the secret store's scope: an instance sees only the records of the profiles it was granted
// (`profile/<p>`, `served/<p>`) and `default-profile`, which it may read, and set or delete only when the value
// it writes, or the one it removes, names a granted profile. stored() reads the current value.
export function mayUseSecret(grant, op, key, value, stored) {
  const [, kind, profile] = /^(profile|served)\/(.*)$/s.exec(key) ?? []
  if (kind) return grant.has(profile)
  if (key !== 'default-profile') return false
  return op === 'get' || (op === 'set' && grant.has(value)) || (op === 'delete' && [null, ...grant].includes(stored()))
}

// Secrets go to the OS keyring (Keychain, Credential Manager, Secret Service). On Linux the entry is pinned to
// the Secret Service: the default would fall back to the kernel keyring, which forgets everything at logout.
// The calls are synchronous: the plugin waits for them on this thread.
const SERVICE = process.env.WASMLOGIN_KEYRING_SERVICE || 'wasmlogin-node'
function keyring(grant) {
  // Opening an entry costs about 10 ms on Linux (a D-Bus connection and an encrypted session) and one plugin call
  // may use a key twice (a refresh reads, then writes it), so entries are kept until forget(), which openPlugin
  // calls after each plugin call: a session kept longer could go stale (a restarted keyring daemon).
  const entries = new Map()
  const entry = (key) => {
    if (!entries.has(key)) entries.set(key, new Entry(SERVICE, key, { linux: { store: 'secret-service' } }))
    return entries.get(key)
  }
  const secret = (name, op) => ({ key, value }) => {
    try {
      if (mayUseSecret(grant, name, key, value, () => entry(key).getPassword() ?? null)) return op(entry(key), value)
    } catch (e) {
      throw new FlowError('unavailable', `OS keyring: ${e.message}`)
    }
    throw new FlowError('denied', `this instance may not ${name} the secret ${JSON.stringify(key)}: it serves only profile(s) ${[...grant].join(', ')}`)
  }
  const functions = {
    secret_get: secret('get', (entry) => {
      const value = entry.getPassword()
      return value == null ? { found: false } : { found: true, value }
    }),
    secret_set: secret('set', (entry, value) => { entry.setPassword(value); return {} }),
    secret_delete: secret('delete', (entry) => { entry.deletePassword(); return {} }), // false (there was nothing) is fine
  }
  return { functions, forget: () => entries.clear() }
}

// ---- the guest's bounds: memory, time, and a runtime that survives it ----
// As the Go host's (host/engine/runtime.go): 64 MiB of memory and 2 minutes per call, HTTP inside it included.
export const MAX_MEMORY_PAGES = 1024 // of 64 KiB
export const CALL_TIMEOUT_MS = 120_000

// capMemory returns the module with a maximum of maxPages on the memory it defines, so that growing past it fails
// inside the guest (Go's runtime then stops with "out of memory": a trap, and the host lives on). Neither Node nor
// @extism/extism 1.0.3 has a setting for it (2.0.0-rc13's memory.maxPages counts only Extism's own buffers, not the
// guest's memory), so the maximum is written into the module, in its memory section (WebAssembly Core
// Specification 5.5.8): a vector of limits (5.3.7: 0x00 min, or 0x01 min max, each an unsigned LEB128). A
// maximum the module already has is kept if it is lower. Every other byte is kept as it is.
export function capMemory(wasm, maxPages) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('the plugin file is not a WebAssembly module')
  const leb = (n) => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7 } while (n); return out }
  let at = 8
  const u32 = () => { let n = 0, shift = 0, b; do { b = wasm[at++]; n += (b & 0x7f) * 2 ** shift; shift += 7 } while (b & 0x80); return n }
  while (at < wasm.length) {
    const start = at, id = wasm[at++], size = u32(), end = at + size
    if (id === 5) {
      const count = u32(), body = leb(count)
      for (let i = 0; i < count; i++) {
        const flags = wasm[at++]
        if (flags > 1) throw new Error(`the plugin's memory has flags 0x${flags.toString(16)} (shared or 64-bit); this host caps only a plain 32-bit memory`)
        const min = u32(), max = flags === 1 ? u32() : Infinity
        if (min > maxPages) throw new Error(`the plugin asks for ${min} pages of memory at start, more than the cap of ${maxPages}`)
        body.push(1, ...leb(min), ...leb(Math.min(max, maxPages)))
      }
      return Buffer.concat([wasm.subarray(0, start), Buffer.from([5, ...leb(body.length), ...body]), wasm.subarray(end)])
    }
    at = end
  }
  throw new Error('the plugin defines no memory of its own, so this host cannot cap it')
}

// A plugin call runs synchronously on this thread (see openPlugin), and V8 stops running code only by terminating
// it. vm's timeout does exactly that: a watchdog thread calls V8's TerminateExecution, which also interrupts a Wasm
// loop and an Atomics.wait, and the script throws ERR_SCRIPT_EXECUTION_TIMEOUT here. It costs a watchdog thread
// per call, about 0.1 ms; a worker (runInWorker) costs a thread and a second compile, about 25 ms per start.
const bounded = new vm.Script('run()', { filename: 'wasmlogin: a bounded plugin call' })
const runBounded = (sandbox, run, timeoutMs) => {
  sandbox.run = run
  try { return bounded.runInContext(sandbox, { timeout: timeoutMs }) } finally { sandbox.run = null }
}

// guestWASI is WASI for the guest, from node:wasi: the real clocks and the OS's randomness, no files, no
// environment, and stdin, stdout and stderr on the null device (stdout may carry a token to a pipe). Each function
// goes to the guest wrapped in a plain function instead of as node:wasi's own: Wasm calls those as V8 "fast API"
// calls, and a garbage collection during one crashes the process with SIGSEGV (nodejs/node#46777). A guest near
// its memory cap makes exactly that happen (Go's runtime sleeps in poll_oneoff as it runs out of memory).
function guestWASI() {
  const fd = openSync(devNull, 'r+')
  const wasi = new WASI({ version: 'preview1', stdin: fd, stdout: fd, stderr: fd, returnOnExit: true })
  const imports = Object.fromEntries(Object.entries(wasi.wasiImport).map(([name, fn]) => [name, (_extism, ...args) => fn(...args)]))
  return { wasi, imports, close: () => closeSync(fd) }
}

// openPlugin loads plugin.wasm on this thread, for one configured issuer, the origins it may reach and the
// profiles it may touch (its grant), with its memory capped (capMemory) and each call bounded by callTimeoutMs.
// The guest calls the host functions synchronously and each must answer before returning: no promises, so no
// event loop during a call (the keyring is called synchronously, HTTP waits on a helper thread). A worker
// (runInWorker) would let them be async, but costs about 25 ms more at every start (README), and a token served
// from the store needs no network. Host functions reply with the {"ok"} / {"error"} envelope; nothing may throw
// out of one into the guest. `functions` replaces host functions (tests use it to play a dishonest host).
export async function openPlugin({ issuer, allowed, grant }, { functions, callTimeoutMs = CALL_TIMEOUT_MS, ...opts } = {}) {
  const http_request = httpRequest({ issuer, allowed }, opts), secrets = keyring(grant)
  // crypto.sign: this host keeps no private keys, so private_key_jwt is not offered.
  const sign = () => { throw new FlowError('unavailable', 'this host holds no private keys to sign with') }
  const impl = { http_request, open_browser: openBrowser, notify, prompt, ...secrets.functions, verify_signature: verifySignature, sign, ...functions }
  const wrap = (fn) => (ctx, offset) => {
    let input, reply
    try { input = JSON.parse(ctx.read(offset).text()) } catch {}
    if (input?.constructor !== Object) reply = { error: { code: 'bad_input', message: 'the payload is not a JSON object' } }
    try { reply ??= { ok: fn(input) } } catch (e) {
      reply = { error: { code: e instanceof FlowError || e instanceof BadInput ? e.code : 'unavailable', message: e.message } }
    }
    try { return ctx.store(JSON.stringify(reply)) } catch { return 0n } // 0: "the host function returned nothing"
  }
  const guest = guestWASI(), sandbox = vm.createContext({ run: null })
  let plugin, broken // why the instance may not be called again: a call that did not return leaves its state unknown
  const close = async () => { await http_request.close(); await plugin?.close(); guest.close() }
  try {
    // useWasi: false, because the WASI is guestWASI's; so this host runs the module's _initialize (Go's runtime and
    // package initialisation), under the same bound as a call.
    plugin = await createPlugin({ wasm: [{ data: capMemory(await readFile(PLUGIN), MAX_MEMORY_PAGES) }] }, {
      useWasi: false, runInWorker: false,
      functions: {
        'extism:host/user': Object.fromEntries(Object.entries(impl).map(([name, fn]) => [name, wrap(fn)])),
        wasi_snapshot_preview1: guest.imports,
      },
    })
    const instance = await plugin.getInstance()
    runBounded(sandbox, () => guest.wasi.initialize(instance), callTimeoutMs)
  } catch (e) {
    await close()
    throw stopped('loading', e, callTimeoutMs)
  }
  // plugin.call runs the guest to completion, host calls included, before it returns: concurrent calls take turns.
  const call = async (name, input) => {
    if (broken) throw new Error(`the flow plugin cannot take ${name}: ${broken}; start again`)
    let output
    try {
      output = await runBounded(sandbox, () => plugin.call(name, JSON.stringify(input)), callTimeoutMs)
    } catch (e) {
      broken = `its ${name} call failed`
      throw stopped(name, e, callTimeoutMs)
    } finally {
      secrets.forget()
    }
    const reply = output?.json() ?? { error: { code: 'internal', message: `the plugin's ${name} returned nothing` } }
    if (reply.error) throw new FlowError(reply.error.code, reply.error.message)
    return reply.ok
  }
  return { call, close }
}

// stopped describes a guest that did not answer: a trap, an exit, or the call timeout. It is a plain Error, not a
// FlowError: the plugin gave no answer, and the instance is not used again.
function stopped(what, e, timeoutMs) {
  if (e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
    return new Error(`the flow plugin was stopped in ${what}: it ran longer than ${timeoutMs / 1000} s; try again, and report it if it happens again`)
  const detail = typeof e === 'symbol' ? 'it exited' : e?.message ?? String(e) // node:wasi's proc_exit throws a symbol
  return new Error(`the flow plugin failed in ${what}: ${detail}`)
}

// ---- one refresh at a time per profile ----
// withProfileLock runs fn while holding the profile's lock, shared with every wasmlogin process that uses this
// config folder: an exclusive flock(2) (LockFileEx on Windows) on locks/<first 16 hex digits of sha256(profile)>.lock,
// the protocol of the Go CLI (host/profiles/lock.go). Two processes refreshing with one rotating refresh token
// would make the server revoke the session (RFC 9700 4.14.2); with the lock the second finds the first's token.
// flock is polled without blocking (10 ms apart) so that the event loop stays free and a stuck holder is reported.
const flock = promisify(fsExt.flock)
export async function withProfileLock(dir, profile, fn, { waitMs = 120_000 } = {}) {
  const path = join(dir, 'locks', `${createHash('sha256').update(profile).digest('hex').slice(0, 16)}.lock`)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const file = await open(path, 'a', 0o600)
  try {
    for (const deadline = Date.now() + waitMs; ;) {
      try { await flock(file.fd, 'exnb'); break } catch (e) { if (e.code !== 'EAGAIN' && e.code !== 'EWOULDBLOCK') throw e }
      if (Date.now() > deadline) throw new FlowError('timeout', `another wasmlogin process holds ${path} and did not finish within ${waitMs / 1000} s; try again`)
      await sleep(10)
    }
    return await fn()
  } finally {
    await file.close() // closing releases the lock
  }
}

// ---- sign-in and commands ----
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (res, status, title, text) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(
  `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>` +
  '<p>You can close this tab and return to the terminal.</p>')

// browserSignIn: authorization code + PKCE through a loopback redirect (RFC 8252 7.3). Every GET /callback goes to
// login_complete, one at a time. Any local process can send one, so callback_rejected means "not this login's":
// the plugin keeps the login pending, the sender gets a 400 page, and the listener keeps waiting until its
// deadline. Any other answer (a session, or an error such as the server's own) ends the login and the listener.
async function browserSignIn(plugin, who, timeoutMs = 5 * 60_000) {
  const server = createServer()
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const redirect_uri = `http://127.0.0.1:${server.address().port}/callback`
  let timer, ended = false, turn = Promise.resolve()
  try {
    // The plugin opens the browser. The call has run to its end when it returns (the plugin runs on this thread),
    // before the listener below is attached: an early callback waits in the listen backlog, it is not lost.
    const begun = plugin.call('login_begin', { ...who, redirect_uri, open_browser: true })
    return await new Promise((resolve, reject) => {
      begun.then(() => process.stderr.write(`Waiting for the browser to come back to ${redirect_uri} ...\n`), reject)
      timer = setTimeout(() => reject(new FlowError('timeout', 'no sign-in came back within 5 minutes; run login again')), timeoutMs)
      // One callback at a time reaches the plugin, in the order they came.
      const complete = async (url, res) => {
        if (ended) return page(res, 410, 'Already handled', 'This sign-in has already received its callback.')
        try {
          const session = await plugin.call('login_complete', { flow_id: (await begun).flow_id, callback_url: url.href })
          ended = true
          page(res, 200, 'Signed in', 'You are signed in.')
          resolve(session)
        } catch (e) {
          if (e.code === 'callback_rejected') {
            process.stderr.write(`Ignored a redirect that is not this sign-in's: ${e.message}\nStill waiting for the browser to come back to ${redirect_uri} ...\n`)
            return page(res, 400, 'Not this sign-in', `${e.message}. The terminal is still waiting for the sign-in it started.`)
          }
          ended = true
          page(res, 400, 'Sign-in failed', e.message)
          reject(e)
        }
      }
      server.on('request', (req, res) => {
        const url = new URL(req.url, redirect_uri)
        if (url.pathname !== '/callback') return res.writeHead(404).end()
        if (req.method !== 'GET') return res.writeHead(405, { allow: 'GET' }).end()
        turn = turn.then(() => complete(url, res))
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

// The profile index is this host's own, non-secret note of each profile's issuer and the origins its plugin may
// reach. Its folder also holds the profile locks.
const loadIndex = () => readFile(INDEX, 'utf8').then(JSON.parse, (e) => { if (e.code === 'ENOENT') return { profiles: {} }; throw e })
async function withPlugin(scope, fn) {
  const plugin = await openPlugin(scope)
  try { return await fn(plugin) } finally { await plugin.close() } // ends the HTTP helper thread, if one started
}
// profileName is what a sign-in without --profile is called: the plugin's own rule (issuer host and path, then the
// client), applied here so that the host, not the guest, decides which profile an instance may write.
export function profileName(issuer, clientId) {
  const { host, pathname } = new URL(issuer)
  return `${host}${pathname.replace(/\/$/, '')}#${clientId}`
}

const commands = {
  async login({ issuer, 'client-id': client_id, scopes, profile, device }) {
    if (!issuer || !client_id) throw new FlowError('bad_input', 'login needs --issuer and --client-id')
    if (!origin(issuer)) throw new FlowError('bad_input', '--issuer must be an https URL (or http on loopback)')
    profile ??= profileName(issuer, client_id)
    const scope = { issuer, allowed: new Set([origin(issuer)]), grant: new Set([profile]) }
    const provider = { issuer, client_id, scopes: scopes?.split(/[\s,]+/).filter(Boolean) }
    const session = await withPlugin(scope, (plugin) => (device ? deviceSignIn : browserSignIn)(plugin, { profile, provider }))
    const index = await loadIndex()
    index.profiles[profile] = { issuer, client_id, allowed_origins: [...scope.allowed] }
    index.default = profile
    await mkdir(CONFIG, { recursive: true, mode: 0o700 })
    await writeFile(`${INDEX}.tmp`, JSON.stringify(index, null, 2), { mode: 0o600 })
    await rename(`${INDEX}.tmp`, INDEX) // atomic: a concurrent token run never reads half a file
    process.stderr.write(`Signed in to ${session.issuer ?? issuer}${session.subject ? ` as ${session.subject}` : ''} (profile "${profile}").\n`)
  },
  // token holds the profile's lock around the plugin's token call, which reads the stored sign-in and may refresh it.
  async token({ profile, 'force-refresh': force_refresh, json }) {
    const index = await loadIndex()
    profile ??= index.default
    if (!Object.hasOwn(index.profiles, profile ?? '')) throw new FlowError('login_required', `no sign-in is stored for ${profile ? `profile "${profile}"` : 'any profile'}; run login first`)
    const { issuer, allowed_origins } = index.profiles[profile]
    const scope = { issuer, allowed: new Set(allowed_origins), grant: new Set([profile]) }
    const t = await withPlugin(scope, (plugin) => withProfileLock(CONFIG, profile, () => plugin.call('token', { profile, force_refresh })))
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
