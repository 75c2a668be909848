// The sandbox's other rules, without the plugin: which URLs open_browser hands to a program, which secrets an
// instance may touch, and the profile lock that other processes (this host's, the Go CLI's) see.
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, test } from 'node:test'
import { mayUseSecret, openBrowser, withProfileLock } from '../wasmlogin.mjs'

const dir = mkdtempSync(join(tmpdir(), 'wasmlogin-node-sandbox-'))
after(() => execFileSync('rm', ['-rf', dir]))

const denied = (fn) => assert.throws(fn, (e) => { assert.equal(e.code, 'denied', e.message); return true })

test('open_browser hands only https (or loopback http) URLs to the opener, as one argument', async () => {
  // A BROWSER that notes each argument list it was started with.
  const log = join(dir, 'opened.log'), recorder = join(dir, 'recorder.mjs')
  writeFileSync(recorder, `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n')\n`)
  const saved = process.env.BROWSER
  process.env.BROWSER = `${process.execPath} ${recorder}`
  try {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', '-flag', '--new-window=evil',
      'http://evil.example/', 'http://127.0.0.1.evil.example/', 'https://a.example/ b', 'https://a.example/\nb',
      'https://a.example/\tb', 'https://a.example/\u0085b', 'https:a.example', 'https://user:pw@a.example/', ' https://a.example/',
      '', 42, null, undefined])
      denied(() => openBrowser({ url }))
    const allowed = ['https://idp.example/authorize?a=1&b=%20', 'http://127.0.0.1:8080/cb', 'http://localhost/', 'http://[::1]:9/']
    for (const [i, url] of allowed.entries()) {
      assert.deepEqual(openBrowser({ url }), { opened: true })
      while (!existsSync(log) || readFileSync(log, 'utf8').trim().split('\n').length <= i) await sleep(20) // the opener runs detached
    }
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line)), allowed.map((url) => [url]))
  } finally {
    process.env.BROWSER = saved ?? ''
    if (saved === undefined) delete process.env.BROWSER
  }
})

test('secrets: only the granted profiles\' records, and default-profile naming one of them', () => {
  const grant = new Set(['a']), none = () => null, b = () => 'b', a = () => 'a'
  for (const op of ['get', 'set', 'delete']) {
    assert.equal(mayUseSecret(grant, op, 'profile/a', 'x', none), true, op)
    assert.equal(mayUseSecret(grant, op, 'served/a', 'x', none), true, op)
    for (const key of ['profile/b', 'served/b', 'profile/', 'profile/a/x', 'profile/a\n', 'PROFILE/a', 'a', 'origins', '', 'profile', 'served'])
      assert.equal(mayUseSecret(grant, op, key, 'a', a), false, `${op} ${JSON.stringify(key)}`)
  }
  assert.equal(mayUseSecret(grant, 'get', 'default-profile', undefined, b), true) // reading which one is the default
  assert.equal(mayUseSecret(grant, 'set', 'default-profile', 'a', b), true)
  assert.equal(mayUseSecret(grant, 'set', 'default-profile', 'b', a), false)
  assert.equal(mayUseSecret(grant, 'delete', 'default-profile', undefined, a), true)
  assert.equal(mayUseSecret(grant, 'delete', 'default-profile', undefined, none), true)
  assert.equal(mayUseSecret(grant, 'delete', 'default-profile', undefined, b), false)
  const exchange = new Set(['a', 'subject']) // a token exchange also reads its subject profile
  assert.equal(mayUseSecret(exchange, 'get', 'profile/subject', undefined, none), true)
  assert.equal(mayUseSecret(exchange, 'get', 'profile/b', undefined, none), false)
})

// util-linux flock(1) takes the same flock(2) lock that the Go CLI (gofrs/flock) and this host take.
const noFlock = spawnSync('flock', ['--version']).error ? 'needs flock(1) from util-linux to look at the lock from another process' : false
const flockHeld = (path) => spawn('flock', ['--nonblock', path, 'true']).on('error', () => {})
const exitCode = async (child) => (await once(child, 'exit'))[0]

test('the profile lock: flock(2) on locks/<sha256 prefix>.lock, 0600 in a 0700 folder, held exactly while fn runs', { skip: noFlock }, async () => {
  const path = join(dir, 'locks', `${createHash('sha256').update('me@example').digest('hex').slice(0, 16)}.lock`)
  let seenInside
  const result = await withProfileLock(dir, 'me@example', async () => {
    seenInside = await exitCode(flockHeld(path))
    return 'done'
  })
  assert.equal(result, 'done')
  assert.equal(seenInside, 1, 'another process could take the lock while it was held')
  assert.equal(await exitCode(flockHeld(path)), 0, 'the lock outlived the call')
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(statSync(join(dir, 'locks')).mode & 0o777, 0o700)
})

test('the profile lock waits for another process, and says so when it gives up', { skip: noFlock }, async () => {
  const path = join(dir, 'locks', `${createHash('sha256').update('busy').digest('hex').slice(0, 16)}.lock`)
  await withProfileLock(dir, 'busy', () => {}) // creates the folder and file
  const holder = spawn('flock', [path, 'cat'], { stdio: ['pipe', 'ignore', 'inherit'] }) // holds it until stdin ends
  while ((await exitCode(flockHeld(path))) === 0) await sleep(10) // until the holder has it
  await assert.rejects(withProfileLock(dir, 'busy', () => assert.fail('ran without the lock'), { waitMs: 50 }),
    (e) => e.code === 'timeout' && /another wasmlogin process holds/.test(e.message))
  const waiting = withProfileLock(dir, 'busy', () => 'mine')
  holder.stdin.end()
  assert.equal(await waiting, 'mine')
})
