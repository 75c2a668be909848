// The sandbox's other rules, without the plugin: which URLs open_browser hands to a program, which secrets an
// instance may touch, the profile lock that other processes (this host's, the Go CLI's) see, and the memory cap
// written into a module.
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, test } from 'node:test'
import { capMemory, mayUseSecret, openBrowser, withProfileLock } from 'wasmlogin/host'

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
    (e) => e.code === 'transient' && /another process holds .* nothing was changed/.test(e.message))
  const waiting = withProfileLock(dir, 'busy', () => 'mine')
  holder.stdin.end()
  assert.equal(await waiting, 'mine')
})

// A module of a header, then a type section (one type: no params, no results, so there is something before the
// memory), then a memory section with the given limits bytes, then a custom section (something after it).
const moduleWith = (...limits) => Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
  5, limits.length + 1, 1, ...limits, 0, 4, 3, 0x61, 0x62, 0x63])
const memoryOf = (wasm) => new WebAssembly.Instance(new WebAssembly.Module(Buffer.concat([wasm,
  Buffer.from([7, 7, 1, 3, 0x6d, 0x65, 0x6d, 2, 0])]))).exports.mem // an export section: (export "mem" (memory 0))

test('capMemory gives the module\'s memory a maximum: growing past it fails, everything else is kept', () => {
  for (const [limits, max] of [[[0, 2], 1024], [[0, 0x80, 0x01], 1024], [[1, 2, 10], 10], [[1, 2, 0x80, 0x10], 1024]]) {
    const capped = capMemory(moduleWith(...limits), 1024)
    assert.ok(WebAssembly.validate(capped), `limits ${limits}`)
    const mem = memoryOf(capped)
    const start = mem.buffer.byteLength / 65536
    assert.equal(mem.grow(max - start), start) // up to the maximum: fine
    assert.throws(() => mem.grow(1), RangeError) // one page more: refused
    assert.deepEqual(capped.subarray(0, 14), moduleWith(...limits).subarray(0, 14)) // header and type section
    assert.deepEqual(capped.subarray(-6), Buffer.from([0, 4, 3, 0x61, 0x62, 0x63])) // the custom section
  }
  // The cap is enforced where growing is unbounded without it.
  assert.equal(memoryOf(moduleWith(0, 1)).grow(2000), 1)
})

test('capMemory refuses what it cannot cap, saying why', () => {
  assert.throws(() => capMemory(Buffer.from('not wasm at all'), 1024), /not a WebAssembly module/)
  assert.throws(() => capMemory(moduleWith(0, 0x81, 0x08), 1024), /asks for 1025 pages of memory at start/)
  assert.throws(() => capMemory(moduleWith(3, 1, 2), 1024), /shared or 64-bit/)
  assert.throws(() => capMemory(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 1024), /defines no memory of its own/)
})
