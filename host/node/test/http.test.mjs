// The http_request host function: the sandbox's network policy, against local servers.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { httpRequest, Sandbox } from 'wasmlogin/host'

// Metadata documents, by path: the issuer's own, and the ones that must teach nothing.
function docs(base, other) {
  return {
    '/.well-known/openid-configuration': { issuer: base, token_endpoint: `${other}/token`, jwks_uri: 'http://example.com/keys',
      registration_endpoint: 'https://unlisted.example/register', service_documentation: 'https://docs.example' },
    '/.well-known/oauth-authorization-server/tenant': { issuer: `${base}/tenant`, jwks_uri: 'https://keys.example/jwks',
      userinfo_endpoint: 'https://userinfo.example/', revocation_endpoint: 'https://revoke.example/',
      device_authorization_endpoint: 'https://device.example/', pushed_authorization_request_endpoint: 'https://par.example/' },
    '/evil/.well-known/openid-configuration': { issuer: base, token_endpoint: 'https://crafted.example/token' },
    '/.well-known/openid-configuration/x': { issuer: base, token_endpoint: 'https://crafted.example/token' },
    '/liar/.well-known/openid-configuration': { issuer: base, token_endpoint: 'https://liar.example/token' },
    '/list/.well-known/openid-configuration': [{ issuer: `${base}/list`, token_endpoint: 'https://list.example/token' }],
    '/odd/.well-known/openid-configuration': { issuer: `${base}/odd`, token_endpoint: 5, jwks_uri: ['https://x.example/'],
      userinfo_endpoint: null, revocation_endpoint: { a: 1 } },
  }
}

// httpRequest blocks this thread until the answer is in, so the servers it talks to run in a worker thread (which
// gets docs too). They note each request; GET /hits (never through httpRequest) lists what they saw.
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
    }
    if (docs(base, other)[req.url]) return res.end(JSON.stringify(docs(base, other)[req.url]))
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
const open = (sandbox, opts) => { const http = httpRequest(sandbox, opts); opened.push(http); return http }
// sandbox: the allowlist with the given origins, learning from the issuer's discovery document when one is given.
const sandbox = (allowed, issuer) => new Sandbox({ issuer, allowed })

before(async () => {
  worker = new Worker(`const docs = ${docs}; (${servers})()`, { eval: true })
  ;({ base, other } = await once(worker, 'message').then(([m]) => m))
})
after(async () => {
  await Promise.all(opened.map((http) => http.close())) // ends each helper thread
  await worker.terminate()
})

const fails = (fn, code) => assert.throws(fn, (e) => { assert.equal(e.code, code, e.message); return true })

test('only allowed origins, https or loopback http', async () => {
  const http = open(sandbox([base, 'http://example.com']))
  fails(() => http({ method: 'GET', url: `${other}/x` }), 'disallowed_host')
  fails(() => http({ method: 'GET', url: 'http://example.com/' }), 'disallowed_host') // plain http off loopback
  fails(() => http({ method: 'GET', url: `http://user:pw@${base.slice(7)}/echo` }), 'disallowed_host')
  fails(() => http({ method: 'DELETE', url: `${base}/echo` }), 'denied')
  assert.deepEqual((await hits()).filter((h) => h.startsWith('other:')), [])
})

test('redirects are returned, not followed', async () => {
  const r = open(sandbox([base, other]))({ method: 'GET', url: `${base}/redirect` })
  assert.equal(r.status, 302)
  assert.deepEqual(r.headers.location, [`${other}/landed`])
  assert.ok(!(await hits()).includes('other:/landed'))
})

test('body, headers and user agent', async () => {
  const r = open(sandbox([base]))({ method: 'POST', url: `${base}/echo`, headers: { 'Content-Type': ['text/plain'] }, body: 'héllo' })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'héllo')
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2'])
  assert.deepEqual(r.headers['x-ua'], ['wasmlogin'])
})

test('size cap, timeout, connection failure', async () => {
  const http = open(sandbox([base, 'http://127.0.0.1:1']), { timeoutMs: 300 })
  fails(() => http({ method: 'GET', url: `${base}/big` }), 'too_large')
  assert.equal(http({ method: 'GET', url: `${base}/cap` }).body.length, 1 << 20) // exactly the cap is fine
  fails(() => http({ method: 'GET', url: `${base}/slow` }), 'timeout')
  fails(() => http({ method: 'GET', url: 'http://127.0.0.1:1/' }), 'connect')
})

test('the issuer\'s discovery document teaches the origins of the endpoints the plugin uses', async () => {
  const allowed = sandbox([base], base)
  const http = open(allowed)
  fails(() => http({ method: 'GET', url: `${other}/token` }), 'disallowed_host')
  http({ method: 'GET', url: `${base}/.well-known/openid-configuration` })
  // Not example.com (plain http), not registration_endpoint (not among the endpoints), not service_documentation.
  assert.deepEqual(allowed.allowed, [base, other].sort())
  assert.equal(http({ method: 'POST', url: `${other}/token`, body: 'a=b' }).status, 200)
})

test('RFC 8414: the well-known path goes before the issuer\'s path; every endpoint field is learned', () => {
  const allowed = sandbox([base], `${base}/tenant`)
  open(allowed)({ method: 'GET', url: `${base}/.well-known/oauth-authorization-server/tenant` })
  assert.deepEqual(allowed.allowed, [base, 'https://device.example', 'https://keys.example', 'https://par.example',
    'https://revoke.example', 'https://userinfo.example'].sort())
})

test('nothing else teaches an origin', () => {
  const learnsNothing = (issuer, path, why) => {
    const allowed = sandbox([base], issuer)
    assert.equal(open(allowed)({ method: 'GET', url: `${base}${path}` }).status, 200, why)
    assert.deepEqual(allowed.allowed, [base], why)
  }
  learnsNothing(base, '/evil/.well-known/openid-configuration', 'a well-known path that is not the issuer\'s')
  learnsNothing(base, '/.well-known/openid-configuration/x', 'a path below the discovery URL')
  learnsNothing(`${base}/liar`, '/liar/.well-known/openid-configuration', 'a document naming another issuer')
  learnsNothing(`${base}/list`, '/list/.well-known/openid-configuration', 'JSON that is not an object')
  learnsNothing(`${base}/odd`, '/odd/.well-known/openid-configuration', 'endpoints that are not strings')
  learnsNothing(undefined, '/.well-known/openid-configuration', 'no configured issuer')
  learnsNothing(`${base}/`, '/.well-known/openid-configuration', 'an issuer that differs by a trailing slash')
})

// Threads of this process, from /proc (Linux): a helper thread adds one.
const threads = () => readdirSync('/proc/self/task').length
test('one helper thread, started by the first request, reused, ended by close', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const idle = threads()
  const http = open(sandbox([base]))
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
