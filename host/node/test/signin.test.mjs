// End to end against zitadel/oidc's OP (internal/testop): the installed package's bin as a subprocess and its API in
// this process, the real plugin, the real Secret Service, and autobrowser as $BROWSER playing the user over HTTP.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { approveDevice, bin, cli, forget, skip, world } from './world.mjs'

const LIFETIME = 300 // the provider's access token lifetime, seconds
const service = `wasmlogin-node-test-${process.pid}` // never touches a real profile
let w, op, env

before(async () => {
  if (skip) return // every test below is skipped, loudly, with the reason
  w = await world({ opserver: 'internal/testop/cmd/opserver', autobrowser: 'internal/testop/cmd/autobrowser' })
  op = await w.start('opserver', '-access-token-lifetime', `${LIFETIME}s`)
  env = {
    ...process.env, BROWSER: w.tool('autobrowser'), TESTOP_USERNAME: op.username, TESTOP_PASSWORD: op.password,
    AUTOBROWSER_LOG: join(w.dir, 'browser.log'), WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'config'), WASMLOGIN_KEYRING_SERVICE: service,
  }
  // The API in this process uses the same folder and keyring service.
  Object.assign(process.env, { WASMLOGIN_NODE_CONFIG_DIR: env.WASMLOGIN_NODE_CONFIG_DIR, WASMLOGIN_KEYRING_SERVICE: service })
})
after(async () => {
  if (!w) return
  await forget(service, Object.keys((await index().catch(() => null))?.profiles ?? {}))
  await w.close()
})
const index = async () => JSON.parse(await readFile(join(env.WASMLOGIN_NODE_CONFIG_DIR, 'profiles.json'), 'utf8'))
const login = (...args) => cli(env, 'login', '--issuer', op.issuer, '--client-id', op.native_client_id, ...args)
const tokenJSON = async (...args) => {
  const r = await cli(env, 'token', '--json', ...args)
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}
const authParams = async () => (await readFile(env.AUTOBROWSER_LOG, 'utf8')).trim().split('\n').map((u) => new URL(u).searchParams)

test('wasmlogin login (browser, PKCE), token from the store, status, a refresh, profiles, use, logout', { skip }, async (t) => {
  const r = await login()
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /Signing in with the browser flow: /)
  assert.match(r.stderr, /Signed in to .* \(profile "127\.0\.0\.1:\d+#/)
  t.diagnostic(`login: ${r.ms.toFixed(0)} ms`)

  const first = await tokenJSON()
  const second = await tokenJSON()
  assert.ok(first.accessToken)
  assert.equal(first.refreshed, false)
  assert.deepEqual(second, first) // from the store, no server round trip
  // The guest's clock is the real one: expires_at = its now + the lifetime.
  assert.ok(Math.abs(first.expiresAt - (Date.now() / 1000 + LIFETIME)) < 15, `expiresAt ${first.expiresAt}, now ${Date.now() / 1000}`)
  const plain = await cli(env, 'token', '--profile', first.profile)
  assert.equal(plain.stdout.trim(), first.accessToken)
  t.diagnostic(`whole process \`wasmlogin token\`: ${plain.ms.toFixed(0)} ms`)

  const s = await cli(env, 'status', '--json')
  assert.equal(s.code, 0, s.stderr)
  const session = JSON.parse(s.stdout)
  assert.equal(session.issuer, op.issuer)
  assert.ok(session.subject && session.hasRefreshToken && session.claims.sub === session.subject)
  assert.doesNotMatch(s.stdout, new RegExp(first.accessToken)) // status shows no secrets

  const refreshed = await tokenJSON('--force-refresh') // needs the allowlist saved by login
  assert.equal(refreshed.refreshed, true)
  assert.notEqual(refreshed.accessToken, first.accessToken)
  assert.equal((await tokenJSON()).accessToken, refreshed.accessToken)

  assert.equal((await login('--profile', 'second')).code, 0)
  const listed = JSON.parse((await cli(env, 'profiles', '--json')).stdout)
  assert.deepEqual(listed.map((p) => [p.profile, p.default]).sort(), [[first.profile, false], ['second', true]].sort())
  assert.equal((await cli(env, 'use', first.profile)).code, 0)
  assert.equal((await tokenJSON()).profile, first.profile)
  assert.equal((await cli(env, 'use', 'nobody')).code, 2)

  const out = await cli(env, 'logout', '--profile', 'second')
  assert.equal(out.code, 0, out.stderr)
  assert.match(out.stderr, /Signed out of profile "second"/)
  assert.equal((await cli(env, 'token', '--profile', 'second')).code, 3)
})

test('the exit codes: 2 usage, 3 login required', { skip }, async () => {
  const unknown = await cli(env, 'token', '--profile', 'nobody')
  assert.equal(unknown.code, 3)
  assert.match(unknown.stderr, /no sign-in is stored for profile "nobody"; run login first/)
  assert.equal((await cli(env, 'token', '--no-such-flag')).code, 2)
  assert.equal((await cli(env, 'frobnicate')).code, 2)
  const noClient = await cli(env, 'login', '--issuer', op.issuer)
  assert.equal(noClient.code, 2)
  assert.match(noClient.stderr, /client ID is needed/)
  const plainHTTP = await cli(env, 'login', '--issuer', 'http://login.example.com', '--client-id', 'x')
  assert.equal(plainHTTP.code, 2)
  assert.match(plainHTTP.stderr, /must be an https URL/)
})

test('the exit codes: 4 transient (the server is gone), 5 no secret storage (no Secret Service)', { skip }, async () => {
  const gone = await w.start('opserver')
  const r = await cli(env, 'login', '--issuer', gone.issuer, '--client-id', gone.native_client_id, '--profile', 'gone')
  assert.equal(r.code, 0, r.stderr)
  await gone.stop()
  const refresh = await cli(env, 'token', '--force-refresh', '--profile', 'gone')
  assert.equal(refresh.code, 4, refresh.stderr)
  const noKeyring = await cli({ ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(w.dir, 'no-bus')}` }, 'token', '--profile', 'gone')
  assert.equal(noKeyring.code, 5, noKeyring.stderr)
})

test('the guest has real randomness: two sign-ins, different state, nonce and PKCE challenge', { skip }, async () => {
  assert.equal((await login('--profile', 'random-a')).code, 0)
  assert.equal((await login('--profile', 'random-b')).code, 0)
  const [a, b] = (await authParams()).slice(-2)
  for (const name of ['state', 'nonce', 'code_challenge']) {
    assert.ok(a.get(name) && a.get(name).length >= 43, name)
    assert.notEqual(a.get(name), b.get(name), name)
  }
})

test('the API in process: login, token (served without the plugin, then from the plugin), a refresh, status, logout', { skip }, async (t) => {
  const { login: signIn, token, status, logout, profiles } = await import('wasmlogin')
  const browser = env.BROWSER
  process.env.BROWSER = browser
  Object.assign(process.env, { TESTOP_USERNAME: op.username, TESTOP_PASSWORD: op.password })
  const messages = []
  const s = await signIn({ issuer: op.issuer, clientId: op.native_client_id, profile: 'api', flow: 'browser', onMessage: (l, m) => messages.push(m) })
  assert.equal(s.profile, 'api')
  assert.ok(messages.some((m) => /Signed in to/.test(m)))
  const started = performance.now()
  const served = await token({ profile: 'api' })
  t.diagnostic(`token served from the keyring, in process: ${(performance.now() - started).toFixed(0)} ms`)
  const fromPlugin = await token({ profile: 'api', served: false })
  assert.equal(served.accessToken, fromPlugin.accessToken)
  const refreshed = await token({ profile: 'api', forceRefresh: true })
  assert.equal(refreshed.refreshed, true)
  assert.notEqual(refreshed.accessToken, served.accessToken)
  assert.equal((await token({ profile: 'api' })).accessToken, refreshed.accessToken) // the served entry was replaced
  assert.equal((await status({ profile: 'api' })).subject, s.subject)
  assert.ok((await profiles()).some((p) => p.profile === 'api' && p.default))
  assert.equal((await logout({ profile: 'api' })).removed, true)
  await assert.rejects(token({ profile: 'api' }), (e) => e.code === 'login_required')
})

test('fetch adds the token and, on a 401, refreshes once and retries once', { skip }, async () => {
  const { login: signIn, fetch: authFetch, token } = await import('wasmlogin')
  await signIn({ issuer: op.issuer, clientId: op.native_client_id, profile: 'fetch', flow: 'browser', onMessage: () => {} })
  const before = await token({ profile: 'fetch' })
  const { userinfo_endpoint: userinfo } = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()
  // A hand-written stand-in for an API whose server revoked the token early: it answers 401 to the first request
  // and hands the rest to the OP's userinfo endpoint, which checks the token for real.
  const seen = []
  const api = createServer(async (req, res) => {
    seen.push(req.headers.authorization)
    if (seen.length === 1) return res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
    const answer = await fetch(userinfo, { headers: { authorization: req.headers.authorization } })
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
  })
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve))
  try {
    const res = await authFetch(`http://127.0.0.1:${api.address().port}/me`, { wasmlogin: { profile: 'fetch' } })
    assert.equal(res.status, 200)
    assert.ok((await res.json()).sub)
    assert.equal(seen.length, 2)
    assert.equal(seen[0], `Bearer ${before.accessToken}`)
    assert.notEqual(seen[1], seen[0]) // a refreshed token
  } finally {
    api.close()
  }
})

test('an instance granted one profile cannot read another\'s sign-in', { skip }, async () => {
  assert.equal((await login('--profile', 'other')).code, 0)
  assert.equal((await login('--profile', 'mine')).code, 0)
  const { openPlugin, Sandbox, keyringStore } = await import('wasmlogin/host')
  const { profiles: ix } = await index()
  const plugin = await openPlugin({ sandbox: new Sandbox({ issuer: op.issuer, allowed: ix.other.allowed_origins }), grant: new Set(['other']), store: keyringStore(service) })
  try {
    await assert.rejects(plugin.call('token', { profile: 'mine' }), (e) => {
      assert.equal(e.code, 'storage_unavailable', e.message)
      assert.match(e.message, /may not get the secret "profile\/mine"/)
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
  const results = await Promise.all(Array.from({ length: N }, () => cli(env, 'token', '--json', '--force-refresh', '--profile', 'busy')))
  for (const r of results) assert.equal(r.code, 0, r.stderr)
  const tokens = results.map((r) => JSON.parse(r.stdout))
  assert.ok(tokens.every((t) => t.refreshed))
  assert.equal(new Set(tokens.map((t) => t.accessToken)).size, N) // N refreshes, none answered twice
  assert.equal((await tokenJSON('--force-refresh', '--profile', 'busy')).refreshed, true) // the last rotation was stored
})

// The plugin tries the host's verify_signature on a known valid and a tampered signature before trusting it.
test('a host whose verify_signature lies is caught: untrusted_host', { skip }, async () => {
  const { openPlugin, Sandbox, keyringStore } = await import('wasmlogin/host')
  for (const valid of [true, false]) {
    const profile = `liar-${valid}` // a sign-in of its own: a refused refresh may leave a rotated refresh token unstored
    assert.equal((await login('--profile', profile)).code, 0)
    const { allowed_origins: allowed } = (await index()).profiles[profile]
    const plugin = await openPlugin({ sandbox: new Sandbox({ issuer: op.issuer, allowed }), grant: new Set([profile]), store: keyringStore(service) },
      { functions: { verify_signature: () => ({ valid }) } })
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

// The listener hands every GET /callback to login_complete. A stray one (a guessed code, a wrong state) is
// callback_rejected: it gets a 400 page, the login stays pending, and the browser's own redirect then signs in.
test('a stray callback before the browser\'s does not end the login; the real sign-in then succeeds', { skip }, async () => {
  const strayFirst = join(w.dir, 'stray-first.mjs')
  await writeFile(strayFirst, `import { spawnSync } from 'node:child_process'
const auth = process.argv.at(-1), back = new URL(new URL(auth).searchParams.get('redirect_uri'))
back.search = '?code=x&state=wrong'
const stray = await fetch(back)
console.error('STRAY', stray.status, JSON.stringify(await stray.text()))
process.exitCode = spawnSync(process.env.REAL_BROWSER, [auth], { stdio: 'inherit' }).status`)
  const r = await cli({ ...env, BROWSER: `${process.execPath} ${strayFirst}`, REAL_BROWSER: env.BROWSER },
    'login', '--issuer', op.issuer, '--client-id', op.native_client_id, '--profile', 'stray')
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /STRAY 400 ".*Not this sign-in.*wrong or missing state/)
  assert.match(r.stderr, /Ignored a redirect that is not this sign-in's: the redirect carried a wrong or missing state/)
  assert.match(r.stderr, /Signed in to .*profile "stray"/)
  assert.ok((await tokenJSON('--profile', 'stray')).accessToken)
})

// A callback the plugin accepts as this login's but that carries the server's error (the user declined) ends the
// login: an escaped error page, exit 6 (refused by the server), and the listener is gone for a second callback.
test('a refused sign-in ends the login with an escaped page and exit 6; the listener then closes', { skip }, async () => {
  const refuser = join(w.dir, 'refuser.mjs')
  await writeFile(refuser, `const auth = new URL(process.argv.at(-1)), back = new URL(auth.searchParams.get('redirect_uri'))
back.search = new URLSearchParams({ state: auth.searchParams.get('state'), iss: process.env.ISSUER,
  error: 'access_denied', error_description: '<b>no</b> & bye' })
const first = await fetch(back), page = await first.text()
const second = await fetch(back).then((r) => r.status, () => 'closed')
console.error('PAGE', first.status, JSON.stringify(page), 'SECOND', second)`)
  const r = await cli({ ...env, BROWSER: `${process.execPath} ${refuser}`, ISSUER: op.issuer }, 'login', '--issuer', op.issuer, '--client-id', op.native_client_id)
  assert.equal(r.code, 6, r.stderr)
  assert.match(r.stderr, /access_denied/)
  const [, status, page, second] = r.stderr.match(/PAGE (\d+) (".*") SECOND (\S+)/) ?? []
  assert.equal(status, '400', r.stderr)
  const html = JSON.parse(page)
  assert.match(html, /Sign-in failed.*&#60;b&#62;no&#60;\/b&#62; &#38; bye/)
  assert.doesNotMatch(html, /<b>/)
  assert.match(second, /^(404|closed)$/)
})

// The browser runs on another machine: its redirect never reaches the listener, and the user pastes the address it
// ended on. Here the "browser" follows the sign-in but stops before the redirect, and hands the URL to stdin.
test('--no-browser: the redirect URL pasted on stdin completes the sign-in', { skip }, async () => {
  const child = spawn(process.execPath, ['--no-warnings', bin, 'login', '--no-browser', '--timeout', '60s', '--issuer', op.issuer, '--client-id', op.native_client_id, '--profile', 'pasted'],
    { env: { ...env, BROWSER: '' } })
  let stderr = ''
  const done = new Promise((resolve) => child.on('close', resolve))
  child.stderr.on('data', async (chunk) => {
    stderr += chunk
    const auth = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(stderr)?.[1]
    if (!auth || child.pasted) return
    child.pasted = true
    // Sign in at the OP as the user would, following redirects up to (not into) the loopback listener.
    child.stdin.write('not a url\n')
    const back = await followToRedirect(auth, new URL(auth).searchParams.get('redirect_uri'))
    child.stdin.write(`${back}\n`)
  })
  const code = await done
  assert.equal(code, 0, stderr)
  assert.match(stderr, /That is not the address this login waits for/)
  assert.match(stderr, /Signed in to .*profile "pasted"/)
})

// followToRedirect plays the user at testop's login page (as internal/testop/autologin does) and returns the URL the
// browser was sent back to, without requesting it.
async function followToRedirect(authURL, redirectURI) {
  let url = authURL, cookie = ''
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie } })
    cookie = [cookie, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].filter(Boolean).join('; ')
    const next = res.headers.get('location')
    if (next) {
      url = new URL(next, url).href
      if (url.startsWith(redirectURI)) return url
      continue
    }
    const html = await res.text()
    const form = /<form[^>]*action="([^"]*)"/.exec(html), id = /name="id" value="([^"]*)"/.exec(html)
    assert.ok(form && id, `no login form at ${url}`)
    const post = await fetch(new URL(form[1].replaceAll('&amp;', '&'), url), {
      method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id: id[1], username: op.username, password: op.password }),
    })
    url = new URL(post.headers.get('location'), url).href
    if (url.startsWith(redirectURI)) return url
  }
  throw new Error('the sign-in did not come back')
}

test('device sign-in: approve the code elsewhere, then the token works at userinfo', { skip }, async (t) => {
  const started = performance.now()
  const child = spawn(process.execPath, ['--no-warnings', bin, 'login', '--device', '--issuer', op.issuer,
    '--client-id', op.native_client_id, '--scopes', 'openid offline_access', '--profile', 'device'], { env })
  const killer = setTimeout(() => child.kill(), 60_000)
  let stderr = '', approved
  child.stderr.on('data', (chunk) => {
    stderr += chunk
    const uri = stderr.match(/open (\S+) and enter this code/)?.[1], code = stderr.match(/Code: (\S+)/)?.[1]
    approved ??= uri && code && approveDevice(op, uri, code).catch((e) => { child.kill(); return e })
  })
  const status = await new Promise((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  const failure = await approved
  if (failure instanceof Error) throw failure
  assert.equal(status, 0, stderr)
  assert.match(stderr, /Signing in with the device flow/)
  assert.match(stderr, /Signed in to .*profile "device"/)
  t.diagnostic(`device login: ${(performance.now() - started).toFixed(0)} ms`)

  const r = await cli(env, 'token', '--profile', 'device')
  assert.equal(r.code, 0, r.stderr)
  const { userinfo_endpoint } = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()
  const ui = await fetch(userinfo_endpoint, { headers: { authorization: `Bearer ${r.stdout.trim()}` } })
  assert.equal(ui.status, 200)
  assert.ok((await ui.json()).sub)
})
