// http_request: the sandbox's only way out. Allowed origins only (lib/sandbox.js), no redirects, a timeout, a size
// cap (wit/EMBEDDING.md, "Sandbox").
import { Worker } from 'node:worker_threads'
import { WasmloginError } from './errors.js'
import { origin } from './urls.js'

export const MAX_BODY = 1 << 20

// httpRequest performs one exchange for the plugin. It is synchronous, because the plugin runs on this thread and
// cannot wait for a promise: the fetch happens in a helper thread (httpHelper) while this one blocks in
// Atomics.wait. The helper starts on the first request, so a token served from the store never pays for it, and
// lives until close(). After each exchange the sandbox learns what the answer may teach (Sandbox.learn).
export function httpRequest(sandbox, { timeoutMs = 30_000 } = {}) {
  let helper
  const request = ({ method, url, headers = {}, body }) => {
    if (method !== 'GET' && method !== 'POST') throw new WasmloginError('denied', `the host only sends GET and POST, not ${method}`)
    const o = origin(url)
    if (!o || !sandbox.has(o)) throw new WasmloginError('disallowed_host', `refusing a request to ${o ?? 'a URL that is not https (or http on loopback)'}: ` +
      'it is neither a configured origin nor one that a checked metadata document named')
    const h = new Headers(Object.entries(headers ?? {}).flatMap(([name, values]) => values.map((v) => [name, v])))
    if (!h.has('user-agent')) h.set('user-agent', 'wasmlogin')
    if (!helper) {
      const fresh = helper = startHelper()
      fresh.worker.once('exit', () => { if (helper === fresh) helper = undefined }) // seen between calls only
    }
    // The helper enforces timeoutMs; the extra wait only covers its start and a helper that hangs or died.
    const res = helper.exchange({ method, url, headers: [...h], body: method === 'POST' ? body : undefined, timeoutMs }, timeoutMs + 5_000)
    if (!res) {
      helper.worker.terminate() // wedged or gone: the next request gets a fresh one
      helper = undefined
    }
    const { error, detail, status, headers: out, body: text } = res ?? { error: 'timeout' }
    if (error === 'too_large') throw new WasmloginError('too_large', `the response from ${o} is larger than ${MAX_BODY} bytes`)
    if (error === 'timeout') throw new WasmloginError('timeout', `${o} did not answer within ${timeoutMs / 1000} s; try again later`)
    if (error) throw new WasmloginError('connect', `could not reach ${o}: ${detail}`)
    sandbox.learn({ method, url }, { status, body: text })
    return { status, headers: out, body: text }
  }
  request.close = async () => { const w = helper?.worker; helper = undefined; await w?.terminate() }
  return request
}

// The helper's shared buffer: a 16-byte head (Int32: the number of the request last answered, body length,
// meta length), then room for the largest body allowed, then the meta JSON ({status, headers} or {error, detail}).
const HEAD = 16, MAX_META = 256 << 10
function startHelper() {
  const shared = new SharedArrayBuffer(HEAD + MAX_BODY + MAX_META), head = new Int32Array(shared, 0, 3)
  const worker = new Worker(`(${httpHelper})()`, { eval: true, workerData: { shared, HEAD, MAX_BODY, MAX_META } })
  worker.unref() // an idle helper never keeps the process alive; it works while this thread waits, ref'd or not
  worker.on('error', () => {}) // it catches everything itself; a crash shows up as a timeout, never as an exception here
  let seq = 0
  // exchange sends one request and blocks until the answer is in the buffer; null if none came within waitMs.
  const exchange = (req, waitMs) => {
    worker.postMessage({ ...req, seq: ++seq })
    for (const deadline = performance.now() + waitMs; ;) {
      const done = Atomics.load(head, 0), left = deadline - performance.now()
      if (done === seq) break
      if (left <= 0) return null
      Atomics.wait(head, 0, done, left)
    }
    const bodyLength = head[1], meta = JSON.parse(Buffer.from(shared, HEAD + MAX_BODY, head[2]).toString('utf8'))
    return meta.error ? meta : { ...meta, body: Buffer.from(shared, HEAD, bodyLength).toString('utf8') }
  }
  return { worker, exchange }
}

// httpHelper is the helper thread's whole program (it runs from its source text, so it may use nothing from this
// module): fetch as the plugin asked, the body straight into the shared buffer, then wake the waiting thread.
function httpHelper() {
  const { parentPort, workerData: { shared, HEAD, MAX_BODY, MAX_META } } = require('node:worker_threads')
  const head = new Int32Array(shared, 0, 3), body = new Uint8Array(shared, HEAD, MAX_BODY), meta = new Uint8Array(shared, HEAD + MAX_BODY, MAX_META)
  const tooLarge = Symbol('too large')
  parentPort.on('message', async ({ seq, method, url, headers, body: payload, timeoutMs }) => {
    let reply, size = 0
    try {
      const res = await fetch(url, { method, headers, body: payload, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      for await (const chunk of res.body ?? []) {
        if (size + chunk.length > MAX_BODY) throw tooLarge
        body.set(chunk, size)
        size += chunk.length
      }
      const out = {}
      for (const [name, value] of res.headers) (out[name] ??= []).push(value) // set-cookie comes one by one
      reply = { status: res.status, headers: out }
    } catch (e) {
      reply = e === tooLarge ? { error: 'too_large' } : e?.name === 'TimeoutError' ? { error: 'timeout' }
        : { error: 'connect', detail: String(e?.cause?.message ?? e?.message ?? e) }
    }
    let bytes = new TextEncoder().encode(JSON.stringify(reply))
    if (bytes.length > MAX_META) bytes = new TextEncoder().encode(JSON.stringify({ error: 'too_large' })) // headers, in fact
    meta.set(bytes)
    head[1] = reply.error ? 0 : size
    head[2] = bytes.length
    Atomics.store(head, 0, seq) // publishes the writes above
    Atomics.notify(head, 0)
  })
}
