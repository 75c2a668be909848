// The loopback listener's own duty (RFC 8252 7.3): a browser that comes back while the plugin's first call, or the
// profile lock around it, is still pending must not be lost. The plugin here is a stand-in that plays exactly
// that moment, as a hand-written double of the one ordering that matters: its mcp_authorize opens the "browser"
// (a request to the redirect URI) and returns only later; the real plugin, with a real server, runs in
// mcpclient.test.mjs and the conformance suite.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { browserSignIn } from 'wasmlogin/host'

test('a redirect that arrives before the first call has returned still reaches login_complete', async () => {
  const calls = []
  let browser
  const plugin = {
    async call(name, input) {
      calls.push(name)
      if (name === 'mcp_authorize') {
        browser = fetch(`${input.redirect_uri}?code=c&state=s`).then(async (r) => [r.status, await r.text()])
        await sleep(300) // the lock's release, a slow first call: the request is already at the listener
        return { profile: 'mcp:x', issuer: 'https://as.example', login: { flow_id: 'f1' } }
      }
      if (name === 'login_complete') {
        assert.equal(input.flow_id, 'f1')
        assert.match(input.callback_url, /\?code=c&state=s$/)
        return { profile: 'mcp:x' }
      }
      throw new Error(`unexpected call ${name}`)
    },
  }
  const held = []
  const locked = async (fn) => { held.push('lock'); return fn() }
  const result = await browserSignIn(plugin, { call: 'mcp_authorize', args: { server_url: 'http://127.0.0.1:1/mcp' } }, { locked, timeoutMs: 10_000 })
  assert.deepEqual(result, { session: { profile: 'mcp:x' }, flowId: 'f1' })
  assert.deepEqual(calls, ['mcp_authorize', 'login_complete'])
  assert.deepEqual(held, ['lock', 'lock']) // both calls that store a sign-in hold the profile lock
  const [status, html] = await browser
  assert.equal(status, 200)
  assert.match(html, /Signed in/)
})
