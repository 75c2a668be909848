// The http_request host function: the sandbox's network policy, against local servers.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import { httpRequest } from '../wasmlogin.mjs'

let base, other, hits
const listen = (handler) => new Promise((resolve) => {
  const s = createServer(handler).listen(0, '127.0.0.1', () => resolve(s))
})
const servers = []

before(async () => {
  hits = []
  const a = await listen((req, res) => {
    hits.push(req.url)
    switch (req.url) {
      case '/redirect': return res.writeHead(302, { location: `${other}/landed` }).end('moved')
      case '/big': return res.end('x'.repeat((1 << 20) + 1))
      case '/slow': return // never answers
      case '/echo': return req.pipe(res.writeHead(200, { 'set-cookie': ['a=1', 'b=2'], 'x-ua': req.headers['user-agent'] }))
      case '/.well-known/openid-configuration':
        return res.end(JSON.stringify({ issuer: base, token_endpoint: `${other}/token`, jwks_uri: 'http://example.com/keys', service_documentation: 'https://docs.example' }))
    }
    res.writeHead(404).end()
  })
  const b = await listen((req, res) => { hits.push(`other:${req.url}`); res.end('{}') })
  servers.push(a, b)
  base = `http://127.0.0.1:${a.address().port}`
  other = `http://127.0.0.1:${b.address().port}`
})
after(() => servers.forEach((s) => { s.closeAllConnections(); s.close() }))

const rejects = (promise, code) => assert.rejects(promise, (e) => { assert.equal(e.code, code, e.message); return true })

test('only allowed origins, https or loopback http', async () => {
  const http = httpRequest(new Set([base, 'http://example.com']))
  await rejects(http({ method: 'GET', url: `${other}/x` }), 'disallowed_host')
  await rejects(http({ method: 'GET', url: 'http://example.com/' }), 'disallowed_host') // plain http off loopback
  await rejects(http({ method: 'GET', url: `http://user:pw@${base.slice(7)}/echo` }), 'disallowed_host')
  await rejects(http({ method: 'DELETE', url: `${base}/echo` }), 'denied')
  assert.deepEqual(hits.filter((h) => h.startsWith('other:')), [])
})

test('redirects are returned, not followed', async () => {
  const r = await httpRequest(new Set([base, other]))({ method: 'GET', url: `${base}/redirect` })
  assert.equal(r.status, 302)
  assert.deepEqual(r.headers.location, [`${other}/landed`])
  assert.ok(!hits.includes('other:/landed'))
})

test('body, headers and user agent', async () => {
  const r = await httpRequest(new Set([base]))({ method: 'POST', url: `${base}/echo`, headers: { 'Content-Type': ['text/plain'] }, body: 'héllo' })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'héllo')
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2'])
  assert.deepEqual(r.headers['x-ua'], ['wasmlogin'])
})

test('size cap, timeout, connection failure', async () => {
  const http = httpRequest(new Set([base, 'http://127.0.0.1:1']), { timeoutMs: 300 })
  await rejects(http({ method: 'GET', url: `${base}/big` }), 'too_large')
  await rejects(http({ method: 'GET', url: `${base}/slow` }), 'timeout')
  await rejects(http({ method: 'GET', url: 'http://127.0.0.1:1/' }), 'connect')
})

test('discovery allows the origins it names, and only acceptable ones', async () => {
  const allowed = new Set([base])
  const http = httpRequest(allowed)
  await rejects(http({ method: 'GET', url: `${other}/token` }), 'disallowed_host')
  await http({ method: 'GET', url: `${base}/.well-known/openid-configuration` })
  assert.deepEqual([...allowed].sort(), [base, other].sort()) // not example.com (plain http), not service_documentation
  assert.equal((await http({ method: 'POST', url: `${other}/token`, body: 'a=b' })).status, 200)
})
