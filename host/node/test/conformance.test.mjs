// The host conformance kit (host/conformance: guest.wasm, cases.json, the fault server) against this Node host.
// The guest is loaded exactly as the package loads the flow plugin (openPlugin: the same host functions, the same
// options), with one fresh host per case, and every case of cases.json is checked the way README.md there says.
// A failure shows what the host actually answered.
//
// The browser opener is this host's own (openBrowser: $BROWSER or the platform's opener, started with
// node:child_process); the runner replaces node:child_process's functions by recorders before the host is
// imported, so nothing is ever started and the runner sees every attempt. Secrets go to the real keyring under a
// service of this run's own; without a Secret Service the secrets cases are skipped, loudly, or fail under CI=true.
// The host stops the endless-loop case itself, at the kit's call timeout. Since a call runs on this host's main
// thread, a case that may hang runs in a child process of this file all the same, under a generous watchdog: a
// host that failed to stop it then fails the case instead of hanging the run.
import { Entry } from '@napi-rs/keyring'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { repoRoot } from './repo.mjs'
const kitDir = join(repoRoot, 'host/conformance')
const kit = JSON.parse(await readFile(join(kitDir, 'cases.json'), 'utf8'))
const child = process.env.CONFORMANCE_CHILD && JSON.parse(process.env.CONFORMANCE_CHILD)

// The guest takes the plugin's place (the host reads WASMLOGIN_PLUGIN when it loads a plugin), and secrets go to
// a keyring service of this run (a child process uses its parent's).
process.env.WASMLOGIN_PLUGIN = join(kitDir, 'guest.wasm')
process.env.WASMLOGIN_KEYRING_SERVICE = child?.service ?? `wasmlogin-node-conformance-${process.pid}`
const SERVICE = process.env.WASMLOGIN_KEYRING_SERVICE

// Every child process the host starts is recorded, not started. The runner keeps the real functions for itself.
const childProcess = createRequire(import.meta.url)('node:child_process')
const { spawn, execFile } = childProcess
const started = []
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[name] = (...args) => {
    started.push(args.flat().filter((a) => typeof a === 'string'))
    return Object.assign(new EventEmitter(), { pid: 2 ** 22, status: 0, unref() {}, ref() {}, kill() {} })
  }
}
syncBuiltinESMExports() // the ESM bindings of node:child_process now name the recorders too
const { openPlugin, Sandbox, keyringStore, WasmloginError } = await import('wasmlogin/host')

// ---- the host under test ----

// openHost starts one host as `login` does: for the configured issuer, with its origin allowed (the rest is learned
// by the host from the issuer's discovery document), granted the kit's profiles, secrets in the OS keyring, with
// the kit's HTTP timeout and call timeout; the memory cap is the host's own (64 MiB).
function openHost(cfg) {
  return openPlugin({ sandbox: new Sandbox({ issuer: cfg.issuer }), grant: new Set(cfg.profiles), store: keyringStore(SERVICE) },
    { timeoutMs: cfg.http_timeout_ms, callTimeoutMs: cfg.call_timeout_ms })
}

// callGuest runs one export on a fresh host: {reply} when the guest answered, {trap} when the call failed.
async function callGuest(cfg, name, input) {
  let host
  try {
    host = await openHost(cfg)
    return { reply: { ok: await host.call(name, input) } }
  } catch (e) {
    if (e instanceof WasmloginError) return { reply: { error: { code: e.code, message: e.message } } }
    return { trap: `${host ? 'the call failed' : 'the guest did not load'}: ${e?.message ?? e}` }
  } finally {
    await host?.close()
  }
}

const entry = (key) => new Entry(SERVICE, key, { linux: { store: 'secret-service' } })
const storeGet = (key) => entry(key).getPassword() ?? null
const storeDelete = (key) => { try { entry(key).deletePassword() } catch {} }

// ---- the kit ----

// fill replaces each {name} of every string in v; an unknown name is a mistake in cases.json.
function fill(v, vars) {
  if (typeof v === 'string') return v.replace(/\{([a-z0-9_]+)\}/g, (m, name) => {
    if (!Object.hasOwn(vars, name)) throw new Error(`unknown placeholder ${m}`)
    return vars[name]
  })
  if (Array.isArray(v)) return v.map((x) => fill(x, vars))
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]))
  return v
}

// resolve gives a case with its placeholders filled and its host configuration (the kit's, with its overrides).
function resolve(c, vars) {
  const issuer = fill(c.host?.issuer ?? kit.host.issuer, vars)
  return { ...fill(c, { ...vars, issuer }), config: { ...kit.host, issuer } }
}

const show = (o) => {
  const s = o.trap ?? `reply ${JSON.stringify(o.reply)}`
  return s.length > 600 ? `${s.slice(0, 600)}... (${s.length} bytes)` : s
}
// subset: every member of want is in got with the same value (recursively for objects).
const subset = (want, got) => want && typeof want === 'object' && !Array.isArray(want)
  ? got && typeof got === 'object' && Object.entries(want).every(([k, v]) => subset(v, got[k]))
  : JSON.stringify(want) === JSON.stringify(got)

function checkExpect({ expect: e }, o) {
  if (e.any) return []
  if (e.trap) return o.trap ? [] : [`expected the call to fail (a trap or a timeout); got ${show(o)}`]
  if (e.error) return o.reply?.error?.code === e.error ? [] : [`expected error "${e.error}"; got ${show(o)}`]
  if (e.ok) return o.reply && 'ok' in o.reply && subset(e.ok, o.reply.ok) ? [] : [`expected ok with ${JSON.stringify(e.ok)}; got ${show(o)}`]
  return ['the case expects nothing: a mistake in cases.json']
}

// runCase makes the call on a fresh host and checks everything the case expects; it returns the problems.
async function runCase(c, vars) {
  const secrets = c.export.startsWith('secret_')
  const touched = [...new Set([...Object.keys(c.config.store), ...Object.keys(c.store_after ?? {}), ...(secrets ? [c.input.key] : [])])]
  if (secrets) {
    touched.forEach(storeDelete)
    for (const [k, v] of Object.entries(c.config.store)) entry(k).setPassword(v)
  }
  started.length = 0
  try {
    const before = Date.now()
    const o = await callGuest(c.config, c.export, c.input)
    const after = Date.now()
    const problems = checkExpect(c, o)
    const text = o.trap ?? JSON.stringify(o.reply)
    for (const s of c.reply_excludes ?? []) if (text.includes(s)) problems.push(`the reply reveals "${s}": ${show(o)}`)
    if (c.clock_within_ms) {
      const ms = o.reply?.ok?.unix_ms, lo = before - c.clock_within_ms, hi = after + c.clock_within_ms
      if (!(ms >= lo && ms <= hi)) problems.push(`the guest's clock is not the host's: expected unix_ms in [${lo}, ${hi}]; got ${show(o)}`)
    }
    if (c.never_contacted) {
      const hits = await (await fetch(`${vars.base}/_fixture/hits`)).json()
      for (const u of c.never_contacted) if (hits.includes(u)) problems.push(`${u} was contacted; the host must refuse or not follow (outcome: ${show(o)})`)
    }
    if (c.browser_opened === false && started.length)
      problems.push(`the host started ${JSON.stringify(started)}; it must refuse before running anything (outcome: ${show(o)})`)
    if (typeof c.browser_opened === 'string' && !(started.length === 1 && started[0].at(-1) === c.browser_opened))
      problems.push(`expected one browser start with ${JSON.stringify(c.browser_opened)} as its last argument; the host started ${JSON.stringify(started)} (outcome: ${show(o)})`)
    for (const [key, want] of Object.entries(c.store_after ?? {})) {
      const got = storeGet(key)
      if (got !== want) problems.push(`the store holds ${JSON.stringify(key)} = ${JSON.stringify(got)}; expected ${JSON.stringify(want)} (outcome: ${show(o)})`)
    }
    if (c.differs_between_instances) {
      const second = await callGuest(c.config, c.export, c.input)
      if (o.trap || second.trap || JSON.stringify(o.reply) === JSON.stringify(second.reply))
        problems.push(`two instances must draw different values; first ${show(o)}, second ${show(second)}`)
    }
    if (c.host_survives) {
      const ping = await callGuest(c.config, 'ping', {})
      if (ping.reply?.ok !== 'pong') problems.push(`after the case, a fresh instance does not answer ping: ${show(ping)}`)
    }
    return problems
  } finally {
    if (secrets) touched.forEach(storeDelete)
  }
}

// runIsolated runs one case in a child process of this file. The watchdog only guards the run against a hung case;
// it is not what stops the call (the host's call timeout, far inside it, is), and not a measurement.
function runIsolated(c, vars) {
  const watchdogMs = kit.host.call_timeout_ms + 60_000
  return new Promise((resolve) => {
    const env = { ...process.env, CONFORMANCE_CHILD: JSON.stringify({ name: c.name, vars, service: SERVICE }) }
    const proc = spawn(process.execPath, ['--no-warnings', fileURLToPath(import.meta.url)], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.on('data', (d) => { out += d })
    const timer = setTimeout(() => proc.kill('SIGKILL'), watchdogMs)
    proc.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') return resolve([`the host did not stop the call within ${watchdogMs / 1000} s (the call timeout is ${kit.host.call_timeout_ms / 1000} s); the child process running it was killed`])
      try { resolve(JSON.parse(out).problems) } catch { resolve([`the child process running the case exited with ${code ?? signal} and no result: ${out.slice(0, 600)}`]) }
    })
  })
}

if (child) {
  // A child process: run the one case named, print its problems, and exit (a host that failed to stop the guest
  // leaves this thread unusable, which is what the parent's watchdog is for).
  const c = resolve(kit.cases.find((x) => x.name === child.name), child.vars)
  process.stdout.write(`${JSON.stringify({ problems: await runCase(c, child.vars) })}\n`)
  process.exit(0)
}

// ---- the runner ----

async function secretServiceProblem() {
  try {
    entry('probe').setPassword('probe')
    entry('probe').deletePassword()
    return null
  } catch (e) {
    return `no Secret Service reachable (${e.message}); run the tests inside dbus-run-session with gnome-keyring (README)`
  }
}
const keyringProblem = await secretServiceProblem()
const skipSecrets = keyringProblem && process.env.CI !== 'true' ? `SKIPPED: ${keyringProblem}` : false

let dir, server, vars
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmlogin-conformance-'))
  await new Promise((resolve, reject) => execFile('go', ['build', '-o', join(dir, 'faultserver'), './host/conformance/cmd/faultserver'],
    { cwd: repoRoot }, (err, _out, stderr) => (err ? reject(new Error(`building the fault server: ${stderr}`)) : resolve())))
  server = spawn(join(dir, 'faultserver'), [], { stdio: ['pipe', 'pipe', 'inherit'] })
  const { value: line } = await createInterface({ input: server.stdout })[Symbol.asyncIterator]().next()
  vars = { ...JSON.parse(line), host_file: join(dir, 'host-file'), host_file_content: kit.host_file_content }
  await writeFile(vars.host_file, kit.host_file_content)
})

let passed = 0, failed = 0, skipped = 0
after(async () => {
  server?.stdin.end() // the fault server serves until its stdin closes
  if (dir) await rm(dir, { recursive: true, force: true })
  console.log(`conformance: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
})

for (const raw of kit.cases) {
  const skip = raw.export.startsWith('secret_') && skipSecrets
  test(raw.name, { skip }, async () => {
    let ok = false
    try {
      if (raw.export.startsWith('secret_') && keyringProblem) assert.fail(keyringProblem) // CI=true: fail, do not skip
      const c = resolve(raw, vars)
      const problems = c.may_hang ? await runIsolated(c, vars) : await runCase(c, vars)
      if (problems.length) assert.fail(`${problems.join('\n')}\n[${c.rule}: ${c.why}]`)
      ok = true
    } finally {
      if (ok) passed++
      else failed++
    }
  })
  if (skip) skipped++
}
