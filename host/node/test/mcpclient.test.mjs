// mcpFetch as the auth layer of the official MCP TypeScript SDK's client, against a protected MCP server that is
// the official Go SDK's behind its own bearer middleware, with zitadel's OP as its authorization server
// (internal/testmcp/cmd/mcpserver): the server's challenge starts the sign-in, the plugin discovers the OP from
// the server's metadata, autobrowser plays the user, and the request goes again with the token.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cli, forget, skip, world } from './world.mjs'

const service = `wasmlogin-node-mcp-${process.pid}`
let w, srv, env, opened = 0

before(async () => {
  if (skip) return
  w = await world({ mcpserver: 'internal/testmcp/cmd/mcpserver', autobrowser: 'internal/testop/cmd/autobrowser' })
  srv = await w.start('mcpserver')
  env = { ...process.env, WASMLOGIN_NODE_CONFIG_DIR: join(w.dir, 'config'), WASMLOGIN_KEYRING_SERVICE: service }
})
after(async () => {
  if (!w) return
  await forget(service, [`mcp:${srv.mcp_url}`])
  await w.close()
})

// browser runs autobrowser, which signs in at the OP's form and follows the redirect to the loopback listener.
const browser = (url) => {
  opened++
  spawn(w.tool('autobrowser'), [url], { stdio: 'ignore', env: { ...process.env, TESTOP_USERNAME: srv.username, TESTOP_PASSWORD: srv.password } }).unref()
}
const options = () => ({ serverUrl: srv.mcp_url, client: { clientId: srv.native_client_id }, openBrowser: browser, onMessage: () => {},
  configDir: env.WASMLOGIN_NODE_CONFIG_DIR, keyringService: service })

async function callEcho(authFetch) {
  const client = new Client({ name: 'wasmlogin-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(srv.mcp_url), { fetch: authFetch }))
  try {
    const res = await client.callTool({ name: 'echo', arguments: {} })
    return res.content[0].text
  } finally {
    await client.close()
  }
}

test('the SDK client signs in on the challenge and calls the tool; another program reuses the sign-in', { skip }, async () => {
  const { mcpFetch } = await import('wasmlogin')
  const authFetch = mcpFetch(options())
  try {
    assert.equal(authFetch.profile, `mcp:${srv.mcp_url}`)
    assert.equal(await callEcho(authFetch), 'hello')
    assert.equal(opened, 1)
  } finally {
    await authFetch.close()
  }
  const ix = JSON.parse(await readFile(join(env.WASMLOGIN_NODE_CONFIG_DIR, 'profiles.json'), 'utf8'))
  const entry = ix.profiles[authFetch.profile]
  assert.equal(entry.mcp_server, srv.mcp_url)
  assert.equal(entry.issuer, srv.issuer)
  assert.equal(entry.client_id, srv.native_client_id)
  assert.ok(entry.allowed_origins.includes(new URL(srv.issuer).origin))
  assert.equal(ix.default, undefined) // an MCP sign-in never becomes the default profile

  const again = mcpFetch(options())
  try {
    assert.equal(await callEcho(again), 'hello')
    assert.equal(opened, 1) // no second browser
  } finally {
    await again.close()
  }
  const s = await cli(env, 'status', '--json', '--profile', authFetch.profile)
  assert.equal(s.code, 0, s.stderr)
  assert.equal(JSON.parse(s.stdout).resource, srv.mcp_url)
})

test('the token goes to the MCP server\'s origin only', { skip }, async () => {
  const { mcpFetch } = await import('wasmlogin')
  const seen = []
  const other = createServer((req, res) => { seen.push(req.headers.authorization ?? null); res.end('ok') })
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve))
  const authFetch = mcpFetch(options())
  try {
    assert.equal(await callEcho(authFetch), 'hello') // signed in (from the store)
    const res = await authFetch(`http://127.0.0.1:${other.address().port}/elsewhere`)
    assert.equal(await res.text(), 'ok')
    assert.deepEqual(seen, [null])
  } finally {
    other.close()
    await authFetch.close()
  }
})

test('a server URL the profile refuses is a bad_input error that says why', { skip }, async () => {
  const { mcpFetch } = await import('wasmlogin')
  assert.throws(() => mcpFetch({ serverUrl: 'http://mcp.example.com/mcp' }), (e) => e.code === 'bad_input' && /must use https/.test(e.message))
  assert.throws(() => mcpFetch({ serverUrl: 'https://mcp.example.com/mcp#x' }), (e) => e.code === 'bad_input' && /fragment/.test(e.message))
})
