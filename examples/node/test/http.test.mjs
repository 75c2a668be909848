// The http_request host function: the sandbox's network policy, against local servers.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { httpRequest } from '../wasmlogin.mjs'

// httpRequest blocks this thread until the answer is in, so the servers it talks to run in a worker thread.
// They note each request; GET /hits (never through httpRequest) lists what they saw.
function servers() {
  const { createServer } = require('node:http'), { parentPort } = require('node:worker_threads')
  const hits = []
  let base, other
  const a = createServer((req, res) => {
    if (req.url === '/hits') return res.end(JSON.stringify(hits))
    hits.push(req.url)
    switch (req.url) {
      case '/redirect': return res.writeHead(302, { location: `${other}/landed` }).end('moved')
      case '/big': return res.end('x'.repeat((1 << 20) + 1))
      case '/cap': return res.end('y'.repeat(1 << 20))
      case '/slow': return // never answers
      case '/echo': return req.pipe(res.writeHead(200, { 'set-cookie': ['a=1', 'b=2'], 'x-ua': req.headers['user-agent'] }))
      case '/.well-known/openid-configuration':
        return res.end(JSON.stringify({ issuer: base, token_endpoint: `${other}/token`, jwks_uri: 'http://example.com/keys', service_documentation: 'https://docs.example' }))
    }
    res.writeHead(404).end()
  })
  const b = createServer((req, res) => { hits.push(`other:${req.url}`); res.end('{}') })
  a.listen(0, '127.0.0.1', () => b.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${a.address().port}`
    other = `http://127.0.0.1:${b.address().port}`
    parentPort.postMessage({ base, other })
  }))
}

let base, other, worker
const hits = async () => (await fetch(`${base}/hits`)).json()
const opened = []
const open = (...args) => { const http = httpRequest(...args); opened.push(http); return http }

before(async () => {
  worker = new Worker(`(${servers})()`, { eval: true })
  ;({ base, other } = await once(worker, 'message').then(([m]) => m))
})
after(async () => {
  await Promise.all(opened.map((http) => http.close())) // ends each helper thread
  await worker.terminate()
})

const fails = (fn, code) => assert.throws(fn, (e) => { assert.equal(e.code, code, e.message); return true })

test('only allowed origins, https or loopback http', async () => {
  const http = open(new Set([base, 'http://example.com']))
  fails(() => http({ method: 'GET', url: `${other}/x` }), 'disallowed_host')
  fails(() => http({ method: 'GET', url: 'http://example.com/' }), 'disallowed_host') // plain http off loopback
  fails(() => http({ method: 'GET', url: `http://user:pw@${base.slice(7)}/echo` }), 'disallowed_host')
  fails(() => http({ method: 'DELETE', url: `${base}/echo` }), 'denied')
  assert.deepEqual((await hits()).filter((h) => h.startsWith('other:')), [])
})

test('redirects are returned, not followed', async () => {
  const r = open(new Set([base, other]))({ method: 'GET', url: `${base}/redirect` })
  assert.equal(r.status, 302)
  assert.deepEqual(r.headers.location, [`${other}/landed`])
  assert.ok(!(await hits()).includes('other:/landed'))
})

test('body, headers and user agent', async () => {
  const r = open(new Set([base]))({ method: 'POST', url: `${base}/echo`, headers: { 'Content-Type': ['text/plain'] }, body: 'héllo' })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'héllo')
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2'])
  assert.deepEqual(r.headers['x-ua'], ['wasmlogin'])
})

test('size cap, timeout, connection failure', async () => {
  const http = open(new Set([base, 'http://127.0.0.1:1']), { timeoutMs: 300 })
  fails(() => http({ method: 'GET', url: `${base}/big` }), 'too_large')
  assert.equal(http({ method: 'GET', url: `${base}/cap` }).body.length, 1 << 20) // exactly the cap is fine
  fails(() => http({ method: 'GET', url: `${base}/slow` }), 'timeout')
  fails(() => http({ method: 'GET', url: 'http://127.0.0.1:1/' }), 'connect')
})

test('discovery allows the origins it names, and only acceptable ones', async () => {
  const allowed = new Set([base])
  const http = open(allowed)
  fails(() => http({ method: 'GET', url: `${other}/token` }), 'disallowed_host')
  http({ method: 'GET', url: `${base}/.well-known/openid-configuration` })
  assert.deepEqual([...allowed].sort(), [base, other].sort()) // not example.com (plain http), not service_documentation
  assert.equal(http({ method: 'POST', url: `${other}/token`, body: 'a=b' }).status, 200)
})

// Threads of this process, from /proc (Linux): a helper thread adds one.
const threads = () => readdirSync('/proc/self/task').length
test('one helper thread, started by the first request, reused, ended by close', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const idle = threads()
  const http = open(new Set([base]))
  fails(() => http({ method: 'GET', url: `${other}/x` }), 'disallowed_host') // refused before any thread is needed
  assert.equal(threads(), idle)
  assert.equal(http({ method: 'POST', url: `${base}/echo`, body: '0' }).body, '0')
  const busy = threads()
  assert.ok(busy > idle)
  for (const body of ['1', '2']) assert.equal(http({ method: 'POST', url: `${base}/echo`, body }).body, body)
  assert.equal(threads(), busy)
  await http.close()
  assert.equal(threads(), idle)
})
