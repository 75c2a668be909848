// The seed scenarios, as the short programs of examples/node run them with the installed package: (a) PKCE against
// an OIDC issuer (zitadel's OP and Dex), (b) a confidential client through the Strava preset whose secret is typed
// once at a terminal without echo and kept in the keyring, (c) the device flow, (d) client credentials for a cron
// job. Real servers, the real plugin, the real Secret Service.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { approveDevice, cli, entry, examples, forget, run, skip, world } from './world.mjs'

const service = `wasmlogin-node-examples-${process.pid}`
let w, op, dex, base

before(async () => {
  if (skip) return
  w = await world({
    opserver: 'internal/testop/cmd/opserver', autobrowser: 'internal/testop/cmd/autobrowser',
    dexserver: 'internal/dexop/cmd/dexserver', dexbrowser: 'internal/dexop/cmd/dexbrowser',
  })
  ;[op, dex] = await Promise.all([w.start('opserver'), w.start('dexserver')])
  base = { ...process.env, WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'config'), WASMLOGIN_KEYRING_SERVICE: service }
})
after(async () => {
  if (!w) return
  await forget(service, ['pkce-example', 'strava-example', 'device-example', 'cron-example', 'dex-device'])
  await w.close()
})
const example = (name, args, opts) => run([join(examples, name), ...args], opts)
const autobrowser = () => ({ ...base, BROWSER: w.tool('autobrowser'), TESTOP_USERNAME: op.username, TESTOP_PASSWORD: op.password })

test('(a) PKCE against zitadel\'s OP, then the stored sign-in on the next run', { skip }, async () => {
  const env = { ...autobrowser(), WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'a-zitadel') }
  const first = await example('pkce.mjs', ['--issuer', op.issuer, '--client-id', op.native_client_id], { env })
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stderr, /Signed in to /)
  const again = await example('pkce.mjs', ['--issuer', op.issuer, '--client-id', op.native_client_id], { env: { ...env, BROWSER: 'false' } })
  assert.equal(again.code, 0, again.stderr)
  assert.doesNotMatch(again.stderr, /Signed in to/) // no second sign-in
  assert.equal(JSON.parse(again.stdout).token, JSON.parse(first.stdout).token)
})

test('(a) PKCE against Dex, whose mock connector signs the user in', { skip }, async () => {
  const env = { ...base, BROWSER: w.tool('dexbrowser'), WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'a-dex'), WASMLOGIN_KEYRING_SERVICE: `${service}-dex` }
  const r = await example('pkce.mjs', ['--issuer', dex.issuer, '--client-id', dex.native_client_id], { env })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, new RegExp(`Signed in to ${dex.issuer}`))
  const s = await cli(env, 'status', '--json', '--profile', 'pkce-example')
  assert.equal(s.code, 0, s.stderr)
  assert.equal(JSON.parse(s.stdout).subject, dex.subject)
  const refreshed = await cli(env, 'token', '--json', '--force-refresh', '--profile', 'pkce-example')
  assert.equal(refreshed.code, 0, refreshed.stderr)
  assert.equal(JSON.parse(refreshed.stdout).refreshed, true)
  await forget(`${service}-dex`, ['pkce-example'])
})

test('Dex: the device flow with a browser opened at verification_uri_complete', { skip }, async () => {
  const env = { ...base, BROWSER: w.tool('dexbrowser'), WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'dex-device') }
  const r = await cli(env, 'login', '--device', '--issuer', dex.issuer, '--client-id', dex.native_client_id, '--scopes', 'openid email offline_access', '--profile', 'dex-device')
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /Signing in with the device flow/)
  assert.match(r.stderr, /Signed in to .* \(profile "dex-device"\)/)
  assert.equal((await cli(env, 'token', '--profile', 'dex-device')).code, 0)
})

// The secret is typed at a terminal: `script` (util-linux) gives the example a pseudo-terminal, and everything the
// terminal showed is in its output. With echo off the secret is not there.
test('(b) Strava preset: the secret asked once without echo, kept in the keyring, never asked again', { skip }, async () => {
  const env = { ...autobrowser(), WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'b') }
  // The preset points at the test OP (its secret-requiring web client) instead of Strava, as --issuer does for the
  // Go CLI; the rest is the preset's: the secret required and sent in the form body, scopes comma-separated.
  const args = ['--client-id', op.web_client_id, '--issuer', op.issuer, '--scopes', 'openid,offline_access']
  const command = [process.execPath, '--no-warnings', join(examples, 'strava.mjs'), ...args].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env })
  let shown = '', typed = false
  child.stdout.on('data', (chunk) => {
    shown += chunk
    if (!typed && /secret/i.test(shown)) { typed = true; child.stdin.write(`${op.web_client_secret}\r`) }
  })
  const code = await new Promise((resolve) => child.on('close', resolve))
  assert.equal(code, 0, shown)
  assert.ok(typed, `the example never asked for the secret: ${shown}`)
  assert.doesNotMatch(shown, new RegExp(op.web_client_secret), 'the secret was echoed')
  assert.match(shown, /"profile":"strava-example"/)
  // Kept with the sign-in in the keyring, under the profile's record.
  assert.match(await entry(service, 'profile/strava-example').getPassword(), new RegExp(op.web_client_secret))
  // The next run has no terminal and asks for nothing.
  const again = await example('strava.mjs', args, { env })
  assert.equal(again.code, 0, again.stderr)
  assert.doesNotMatch(again.stderr, /secret/i)
  assert.equal(JSON.parse(again.stdout).token, JSON.parse(shown.match(/\{"profile":"strava-example".*\}/)[0]).token)
})

test('(c) the device flow on a machine without a browser', { skip }, async () => {
  const env = { ...base, BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '', WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'c') }
  const child = spawn(process.execPath, ['--no-warnings', join(examples, 'device.mjs'), '--issuer', op.issuer, '--client-id', op.native_client_id], { env })
  let stderr = '', stdout = '', approved
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
    const uri = stderr.match(/open (\S+) and enter this code/)?.[1], code = stderr.match(/Code: (\S+)/)?.[1]
    approved ??= uri && code && approveDevice(op, uri, code).catch((e) => { child.kill(); return e })
  })
  const status = await new Promise((resolve) => child.on('close', resolve))
  const failure = await approved
  if (failure instanceof Error) throw failure
  assert.equal(status, 0, stderr)
  assert.match(stderr, /Signing in with the device flow/)
  assert.ok(JSON.parse(stdout).subject)
})

// The API is the OP's userinfo endpoint, which checks the token for real: it answers 401 to a token it does not
// know and 403 to a valid one that carries no user (a client's own token has no openid scope).
test('(d) client credentials for a cron job: the token reaches the API, every run', { skip }, async () => {
  const { userinfo_endpoint: api } = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()
  assert.equal((await fetch(api, { headers: { authorization: 'Bearer not-a-token' } })).status, 401) // the control
  const env = { ...base, CLIENT_SECRET: op.service_client_secret, WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'd') }
  for (let i = 0; i < 2; i++) {
    const r = await example('cron.mjs', ['--issuer', op.issuer, '--client-id', op.service_client_id, '--api', api], { env })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^403 /, r.stdout)
  }
  const t = await cli(env, 'token', '--json', '--profile', 'cron-example')
  assert.equal(t.code, 0, t.stderr)
  assert.equal((await fetch(api, { headers: { authorization: `Bearer ${JSON.parse(t.stdout).accessToken}` } })).status, 403)
})
