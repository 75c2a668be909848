// What the end-to-end tests share: the real servers of the repository (zitadel/oidc's OP, internal/testop; Dex,
// internal/dexop), each built with go and started as a subprocess on 127.0.0.1; the scripted browsers that sign
// in over HTTP; the installed package's bin; and the real Secret Service, under a keyring service of the run's own.
// Without a Secret Service the tests that need it are skipped, saying why, except under CI=true, where they fail.
import { AsyncEntry } from '@napi-rs/keyring'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { repoRoot } from './repo.mjs'

export const bin = join(dirname(fileURLToPath(import.meta.resolve('wasmlogin'))), 'bin', 'wasmlogin.js')
export const examples = fileURLToPath(new URL('../examples/', import.meta.url))

export const entry = (service, key) => new AsyncEntry(service, key, { linux: { store: 'secret-service' } })
async function secretServiceProblem() {
  try {
    const e = entry(`wasmlogin-node-probe-${process.pid}`, 'probe')
    await e.setPassword('probe', AbortSignal.timeout(5000))
    await e.deletePassword(AbortSignal.timeout(5000))
    return null
  } catch (e) {
    return `no Secret Service reachable (${e.message}); run the tests inside dbus-run-session with gnome-keyring (README)`
  }
}
export const keyringProblem = await secretServiceProblem()
// skip: the reason to skip tests that need the keyring, or false; under CI=true they run and fail instead.
export const skip = keyringProblem && process.env.CI !== 'true' ? `SKIPPED: ${keyringProblem}` : false

// world starts a scratch folder with the Go tools built into it; servers start on demand, and close() ends them and
// removes the folder (and the keyring entries of the service, which the caller names).
export async function world(tools) {
  if (keyringProblem) assert.fail(keyringProblem) // reached only under CI=true: fail, do not skip
  const dir = await mkdtemp(join(tmpdir(), 'wasmlogin-node-'))
  await Promise.all(Object.entries(tools).map(([name, pkg]) =>
    promisify(execFile)('go', ['build', '-o', join(dir, name), `./${pkg}`], { cwd: repoRoot })))
  const running = []
  return {
    dir,
    tool: (name) => join(dir, name),
    // start runs a server that prints one JSON line, then serves until its stdin closes.
    async start(name, ...args) {
      const proc = spawn(join(dir, name), args, { stdio: ['pipe', 'pipe', 'inherit'] })
      running.push(proc)
      const { value: line } = await createInterface({ input: proc.stdout })[Symbol.asyncIterator]().next()
      // stop() ends this server (it serves until its stdin closes) and resolves when it has exited.
      return Object.defineProperty(JSON.parse(line), 'stop', { value: () => { proc.stdin.end(); return new Promise((r) => proc.once('exit', r)) } })
    },
    async close() {
      for (const p of running) p.stdin.end()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

// run runs a program (the bin, an example) with node; it resolves to its exit code and output. input goes to stdin.
export function run(args, { env, cwd, input, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = execFile(process.execPath, ['--no-warnings', ...args], { env, cwd, timeout }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: performance.now() - started }))
    child.stdin.end(input ?? '')
  })
}
export const cli = (env, ...args) => run([bin, ...args], { env })

// approveDevice approves a device code at testop the way internal/testop/autologin.ApproveDevice does: sign in at
// /device/login (which sets a cookie), then confirm with action=allowed.
export async function approveDevice(op, verificationURI, userCode) {
  const post = (path, form, headers = {}) => fetch(`${verificationURI}/${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' })
  const login = await post('login', { user_code: userCode, username: op.username, password: op.password })
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  assert.ok(login.status === 200 && cookie, `device login: HTTP ${login.status} ${login.headers.get('location') ?? ''}`)
  assert.match(await (await post('confirm', { action: 'allowed' }, { cookie })).text(), /Device authorization allowed/)
}

// deleteService removes every keyring entry the tests may have made under service.
export async function forget(service, profiles) {
  for (const p of profiles) for (const k of [`profile/${p}`, `served/${p}`, `signing-key/${p}`]) await entry(service, k).deletePassword().catch(() => {})
  await entry(service, 'default-profile').deletePassword().catch(() => {})
}
