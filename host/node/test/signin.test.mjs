// End to end: the real plugin.wasm, this Node host as a subprocess, the repository's test provider
// (internal/testop) and a BROWSER that signs in over HTTP, with the real Secret Service.
// Run inside a D-Bus session with an unlocked gnome-keyring (see README). Without a Secret Service these
// tests are skipped, except under CI=true, where they fail.
import { AsyncEntry } from '@napi-rs/keyring'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const LIFETIME = 300 // the provider's access token lifetime, seconds
const service = `wasmlogin-node-test-${process.pid}` // never touches a real profile

const entry = (key) => new AsyncEntry(service, key, { linux: { store: 'secret-service' } })
async function secretServiceProblem() {
  try {
    const e = entry('probe')
    await e.setPassword('probe', AbortSignal.timeout(5000))
    await e.deletePassword(AbortSignal.timeout(5000))
    return null
  } catch (e) {
    return `no Secret Service reachable (${e.message}); run the tests inside dbus-run-session with gnome-keyring (README)`
  }
}
const problem = await secretServiceProblem()
const skip = problem && process.env.CI !== 'true' ? problem : false

let dir, op, opInfo, env
before(async () => {
  if (skip) return // every test below is skipped, loudly, with the reason
  if (problem) assert.fail(problem) // CI=true: fail, do not skip
  dir = await mkdtemp(join(tmpdir(), 'wasmlogin-node-'))
  const build = (name) => promisify(execFile)('go', ['build', '-o', join(dir, name), `./internal/testop/cmd/${name}`], { cwd: repoRoot })
  await Promise.all([build('opserver'), build('autobrowser')])
  op = spawn(join(dir, 'opserver'), ['-access-token-lifetime', `${LIFETIME}s`], { stdio: ['pipe', 'pipe', 'inherit'] })
  const { value: line } = await createInterface({ input: op.stdout })[Symbol.asyncIterator]().next()
  opInfo = JSON.parse(line)
  env = {
    ...process.env, BROWSER: join(dir, 'autobrowser'), TESTOP_USERNAME: opInfo.username, TESTOP_PASSWORD: opInfo.password,
    AUTOBROWSER_LOG: join(dir, 'browser.log'), WASMLOGIN_NODE_CONFIG_DIR: join(dir, 'config'), WASMLOGIN_KEYRING_SERVICE: service,
  }
})

after(async () => {
  op?.stdin.end() // the provider serves until its stdin closes
  if (problem || !dir) return
  for (const profile of Object.keys((await index().catch(() => null))?.profiles ?? {}))
    for (const key of [`profile/${profile}`, `served/${profile}`]) await entry(key).deletePassword().catch(() => {})
  await entry('default-profile').deletePassword().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})
const index = async () => JSON.parse(await readFile(join(env.WASMLOGIN_NODE_CONFIG_DIR, 'profiles.json'), 'utf8'))

function run(...args) {
  return new Promise((resolve) => {
    const started = performance.now()
    execFile(process.execPath, ['--no-warnings', 'wasmlogin.mjs', ...args], { cwd: here, env, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code ?? 1 : 0, stdout, stderr, ms: performance.now() - started }))
  })
}
const login = (...args) => run('login', '--issuer', opInfo.issuer, '--client-id', opInfo.native_client_id, ...args)
const tokenJSON = async (...args) => {
  const r = await run('token', '--json', ...args)
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}
const authParams = async () => (await readFile(env.AUTOBROWSER_LOG, 'utf8')).trim().split('\n').map((u) => new URL(u).searchParams)

test('browser sign-in, then token from the store, then a refresh', { skip }, async (t) => {
  const r = await login()
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /Signed in to /)
  t.diagnostic(`login: ${r.ms.toFixed(0)} ms`)

  const first = await tokenJSON()
  const second = await tokenJSON()
  opInfo.profile = first.profile
  assert.ok(first.access_token)
  assert.equal(first.refreshed, false)
  assert.deepEqual(second, first) // from the store, no server round trip
  // The guest's clock is the real one: expires_at = its now + the lifetime.
  assert.ok(Math.abs(first.expires_at - (Date.now() / 1000 + LIFETIME)) < 15, `expires_at ${first.expires_at}, now ${Date.now() / 1000}`)

  const plain = await run('token', '--profile', first.profile)
  assert.equal(plain.stdout.trim(), first.access_token)
  t.diagnostic(`whole process \`token\`: ${plain.ms.toFixed(0)} ms`)

  const refreshed = await tokenJSON('--force-refresh') // needs the allowlist saved by login
  assert.equal(refreshed.refreshed, true)
  assert.notEqual(refreshed.access_token, first.access_token)
  assert.equal((await tokenJSON()).access_token, refreshed.access_token)
})

test('the guest has real randomness: two sign-ins, different state, nonce and PKCE challenge', { skip }, async () => {
  assert.equal((await login()).code, 0)
  const params = await authParams()
  assert.ok(params.length >= 2)
  const [a, b] = params.slice(-2)
  for (const name of ['state', 'nonce', 'code_challenge']) {
    assert.ok(a.get(name) && a.get(name).length >= 43, name)
    assert.notEqual(a.get(name), b.get(name), name)
  }
})

// The host module in this process, with the test's keyring service and config folder (read when it loads).
async function inProcess() {
  process.env.WASMLOGIN_KEYRING_SERVICE = service
  process.env.WASMLOGIN_NODE_CONFIG_DIR = env.WASMLOGIN_NODE_CONFIG_DIR
  return import('../wasmlogin.mjs')
}
// The scope `token` gives an instance for a signed-in profile: its issuer, its origins, that profile alone.
const scopeOf = async (profile) => {
  const { issuer, allowed_origins } = (await index()).profiles[profile]
  return { issuer, allowed: new Set(allowed_origins), grant: new Set([profile]) }
}

test('in process: load the plugin, call token, then refresh', { skip }, async (t) => {
  const { openPlugin } = await inProcess()
  const started = performance.now()
  const plugin = await openPlugin(await scopeOf(opInfo.profile))
  const loaded = performance.now()
  let t1, stored
  try {
    t1 = await plugin.call('token', { profile: opInfo.profile })
    stored = performance.now()
    assert.ok(t1.access_token)
    // A refresh needs HTTP, through the helper thread, on the same plugin; close() must end that thread too.
    const t2 = await plugin.call('token', { profile: opInfo.profile, force_refresh: true })
    assert.equal(t2.refreshed, true)
    assert.notEqual(t2.access_token, t1.access_token)
  } finally {
    await plugin.close()
  }
  t.diagnostic(`load ${(loaded - started).toFixed(0)} ms + token ${(stored - loaded).toFixed(0)} ms, then a refresh ${(performance.now() - stored).toFixed(0)} ms`)
})

test('an instance granted one profile cannot read another\'s sign-in', { skip }, async () => {
  assert.equal((await login('--profile', 'other')).code, 0)
  const { openPlugin } = await inProcess()
  const plugin = await openPlugin(await scopeOf('other'))
  try {
    await assert.rejects(plugin.call('token', { profile: opInfo.profile }), (e) => {
      assert.equal(e.code, 'storage_unavailable', e.message)
      assert.match(e.message, /may not get the secret "profile\//)
      return true
    })
    assert.ok((await plugin.call('token', { profile: 'other' })).access_token)
  } finally {
    await plugin.close()
  }
})

// N processes force a refresh of one profile at once. The provider rotates refresh tokens and refuses a used one
// (invalid_grant), so all N succeed only if they take turns, each refreshing with the token the previous stored.
test('concurrent forced refreshes of one profile take turns (the profile lock)', { skip }, async () => {
  assert.equal((await login('--profile', 'busy')).code, 0)
  const N = 4
  const results = await Promise.all(Array.from({ length: N }, () => run('token', '--json', '--force-refresh', '--profile', 'busy')))
  for (const r of results) assert.equal(r.code, 0, r.stderr)
  const tokens = results.map((r) => JSON.parse(r.stdout))
  assert.ok(tokens.every((t) => t.refreshed))
  assert.equal(new Set(tokens.map((t) => t.access_token)).size, N) // N refreshes, none answered twice
  assert.equal((await tokenJSON('--force-refresh', '--profile', 'busy')).refreshed, true) // the last rotation was stored
})

// The plugin tries the host's verify_signature on a known valid and a tampered signature before trusting it.
const PLUGIN = process.env.WASMLOGIN_PLUGIN ?? join(repoRoot, 'host/internal/wasm/plugin.wasm')
const oldPlugin = !WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(PLUGIN))).some((i) => i.name === 'verify_signature') &&
  `${PLUGIN} does not import verify_signature (built before interface crypto); point WASMLOGIN_PLUGIN at a newer build`
test('a host whose verify_signature lies is caught: untrusted_host', { skip: skip || (process.env.CI !== 'true' && oldPlugin) }, async () => {
  if (oldPlugin) assert.fail(oldPlugin)
  const { openPlugin } = await inProcess()
  for (const valid of [true, false]) {
    const profile = `liar-${valid}` // a sign-in of its own: a refused refresh may leave a rotated refresh token unstored
    assert.equal((await login('--profile', profile)).code, 0)
    const plugin = await openPlugin(await scopeOf(profile), { functions: { verify_signature: () => ({ valid }) } })
    try {
      await assert.rejects(plugin.call('token', { profile, force_refresh: true }), (e) => {
        assert.equal(e.code, 'untrusted_host', `a host that always answers valid:${valid}: ${e.code}: ${e.message}`)
        return true
      })
    } finally {
      await plugin.close()
    }
  }
})

test('unknown profile: login_required, exit status 1', { skip }, async () => {
  const r = await run('token', '--profile', 'nobody')
  assert.equal(r.code, 1)
  assert.match(r.stderr, /login_required/)
})

// The listener hands every GET /callback to login_complete. A stray one (a guessed code, a wrong state) is
// callback_rejected: it gets a 400 page, the login stays pending, and the browser's own redirect then signs in.
test('a stray callback before the browser\'s does not end the login; the real sign-in then succeeds', { skip }, async () => {
  // A local process that beats the browser to the listener, then the real (automatic) browser.
  const strayFirst = join(dir, 'stray-first.mjs')
  await writeFile(strayFirst, `import { spawnSync } from 'node:child_process'
const auth = process.argv.at(-1), back = new URL(new URL(auth).searchParams.get('redirect_uri'))
back.search = '?code=x&state=wrong'
const stray = await fetch(back)
console.error('STRAY', stray.status, JSON.stringify(await stray.text()))
process.exitCode = spawnSync(process.env.REAL_BROWSER, [auth], { stdio: 'inherit' }).status`)
  const saved = env.BROWSER
  Object.assign(env, { BROWSER: `${process.execPath} ${strayFirst}`, REAL_BROWSER: saved })
  try {
    const r = await login('--profile', 'stray')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /STRAY 400 ".*Not this sign-in.*wrong or missing state/)
    assert.match(r.stderr, /Ignored a redirect that is not this sign-in's: the redirect carried a wrong or missing state/)
    assert.match(r.stderr, /Signed in to .*profile "stray"/)
  } finally {
    env.BROWSER = saved
    delete env.REAL_BROWSER
  }
  assert.ok((await tokenJSON('--profile', 'stray')).access_token)
})

// A callback the plugin accepts as this login's but that carries the server's error (the user declined) ends the
// login: an escaped error page, and the listener is gone for a second callback.
test('a refused sign-in ends the login with an escaped page; the listener then closes', { skip }, async () => {
  const refuser = join(dir, 'refuser.mjs')
  await writeFile(refuser, `const auth = new URL(process.argv.at(-1)), back = new URL(auth.searchParams.get('redirect_uri'))
back.search = new URLSearchParams({ state: auth.searchParams.get('state'), iss: process.env.ISSUER,
  error: 'access_denied', error_description: '<b>no</b> & bye' })
const first = await fetch(back), page = await first.text()
const second = await fetch(back).then((r) => r.status, () => 'closed')
console.error('PAGE', first.status, JSON.stringify(page), 'SECOND', second)`)
  const saved = env.BROWSER
  Object.assign(env, { BROWSER: `${process.execPath} ${refuser}`, ISSUER: opInfo.issuer })
  try {
    const r = await login()
    assert.equal(r.code, 1)
    assert.match(r.stderr, /server_error: .*access_denied/)
    const [, status, page, second] = r.stderr.match(/PAGE (\d+) (".*") SECOND (\S+)/) ?? []
    assert.equal(status, '400', r.stderr)
    const html = JSON.parse(page)
    assert.match(html, /Sign-in failed.*&#60;b&#62;no&#60;\/b&#62; &#38; bye/)
    assert.doesNotMatch(html, /<b>/)
    assert.match(second, /^(404|closed)$/)
  } finally {
    env.BROWSER = saved
    delete env.ISSUER
  }
})

// Approves a device code the way internal/testop/autologin.ApproveDevice does: sign in at /device/login (which
// sets a cookie), then confirm with action=allowed.
async function approveDevice(verificationURI, userCode) {
  const post = (path, form, headers = {}) => fetch(`${verificationURI}/${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' })
  const login = await post('login', { user_code: userCode, username: opInfo.username, password: opInfo.password })
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  assert.ok(login.status === 200 && cookie, `device login: HTTP ${login.status} ${login.headers.get('location') ?? ''}`)
  const confirm = await (await post('confirm', { action: 'allowed' }, { cookie })).text()
  assert.match(confirm, /Device authorization allowed/)
}

test('device sign-in: approve the code elsewhere, then token works at userinfo', { skip }, async (t) => {
  const started = performance.now()
  const child = spawn(process.execPath, ['--no-warnings', 'wasmlogin.mjs', 'login', '--device', '--issuer', opInfo.issuer,
    '--client-id', opInfo.native_client_id, '--scopes', 'openid offline_access', '--profile', 'device'], { cwd: here, env })
  const killer = setTimeout(() => child.kill(), 60_000)
  let stderr = '', approved
  child.stderr.on('data', (chunk) => {
    stderr += chunk
    const uri = stderr.match(/open (\S+) and enter this code/)?.[1], code = stderr.match(/Code: (\S+)/)?.[1]
    approved ??= uri && code && approveDevice(uri, code).catch((e) => { child.kill(); return e })
  })
  const status = await new Promise((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  const failure = await approved
  if (failure instanceof Error) throw failure
  assert.equal(status, 0, stderr)
  assert.match(stderr, /Signed in to .*profile "device"/)
  t.diagnostic(`device login: ${(performance.now() - started).toFixed(0)} ms`)

  const r = await run('token', '--profile', 'device')
  assert.equal(r.code, 0, r.stderr)
  const { userinfo_endpoint } = await (await fetch(`${opInfo.issuer}/.well-known/openid-configuration`)).json()
  const ui = await fetch(userinfo_endpoint, { headers: { authorization: `Bearer ${r.stdout.trim()}` } })
  assert.equal(ui.status, 200)
  assert.ok((await ui.json()).sub)
})
