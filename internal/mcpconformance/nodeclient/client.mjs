// A small MCP client for the official MCP conformance suite (npm @modelcontextprotocol/conformance): the official
// TypeScript SDK's client over its streamable HTTP transport, whose fetch is the Node package's mcpFetch (host/node),
// so every authorization step is the plugin's. It connects to the server URL given as its last argument, lists the
// tools and calls the first one.
//
// The suite says what a scenario needs in MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT (JSON: client_id,
// client_secret, private_key_pem, signing_algorithm, idp_*). This program only maps the context to mcpFetch's
// options, the way an application maps its settings (as internal/mcpconformance/goclient does for the Go library).
// Each run keeps its sign-in in memory and its profile index in a fresh temporary folder, so parallel scenarios share
// nothing. The browser is scripted: the suite's authorization servers redirect at once, so fetching the
// authorization URL and following its redirects reaches the loopback listener, as a browser would.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mcpFetch } from 'wasmlogin'

// The client ID metadata document the suite's authorization servers expect where they support them.
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json'

// options maps the scenario's context to the client an application would configure: a private key means
// private_key_jwt client credentials, an IdP ID token cross-app access, a client ID and secret a pre-registered
// client (for the client credentials grant where the scenario is about that grant); always a metadata document URL
// where no client ID is given.
function options(ctx, scenario) {
  const o = { client: { clientId: ctx.client_id, clientSecret: ctx.client_secret } }
  if (!ctx.client_id) o.client.clientMetadataUrl = CLIENT_METADATA_URL
  if (ctx.private_key_pem) {
    Object.assign(o, { grant: 'client_credentials', privateKeyPem: ctx.private_key_pem })
    o.client.signingAlg = ctx.signing_algorithm
  } else if (ctx.idp_id_token) {
    o.grant = 'cross_app_access'
    o.identityAssertion = { idpTokenEndpoint: ctx.idp_token_endpoint, idToken: ctx.idp_id_token, idpClientId: ctx.idp_client_id }
  } else if (scenario.includes('client-credentials')) {
    o.grant = 'client_credentials'
  }
  return o
}

// argumentsFor fills a tool's required arguments with placeholder values of their declared types.
function argumentsFor(tool) {
  const props = tool.inputSchema?.properties ?? {}
  return Object.fromEntries((tool.inputSchema?.required ?? []).map((name) => {
    const type = props[name]?.type
    return [name, type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : 'x']
  }))
}

// browser plays the user's browser: it follows the authorization URL's redirects to the loopback listener, in the
// background, as a browser would run.
const browser = (url) => {
  fetch(url, { signal: AbortSignal.timeout(30_000) }).then((r) => r.body?.cancel(), (e) => console.error('nodeclient: browser:', e.message))
}

async function main() {
  const serverURL = process.argv.at(-1)
  if (process.argv.length < 3) throw new Error('usage: client.mjs [flags...] SERVER_URL')
  let ctx = {}
  if (process.env.MCP_CONFORMANCE_CONTEXT) {
    try { ctx = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) } catch (e) { throw new Error(`MCP_CONFORMANCE_CONTEXT is not the JSON the suite sends: ${e.message}`) }
  }
  const dir = mkdtempSync(join(tmpdir(), 'nodeclient-'))
  const authFetch = mcpFetch({
    serverUrl: serverURL, ...options(ctx, process.env.MCP_CONFORMANCE_SCENARIO ?? ''), configDir: dir, store: 'memory',
    openBrowser: browser, onMessage: (level, message) => console.error(`[${level}] ${message}`),
  })
  const client = new Client({ name: 'wasmlogin-conformance', version: '1.0.0' })
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(serverURL), { fetch: authFetch }))
    const { tools } = await client.listTools()
    if (tools.length) {
      const res = await client.callTool({ name: tools[0].name, arguments: argumentsFor(tools[0]) })
      if (res.isError) throw new Error(`the tool ${tools[0].name} reported an error`)
    }
  } finally {
    await client.close().catch(() => {})
    await authFetch.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().then(() => process.exit(0), (e) => {
  console.error('nodeclient:', e?.message ?? e)
  process.exit(1)
})
