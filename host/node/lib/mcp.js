// mcpFetch: the auth layer of an MCP client (MCP authorization, revision 2025-11-25 and its 2025-03-26 predecessor).
// A fetch for one MCP server that sends the server's access token and, when the server refuses (401, or 403 with a
// challenge), hands the refusal to the plugin's mcp_authorize and sends the request again. Every protocol decision
// is the plugin's: what the challenge means, where the metadata is, which client and scopes, when to stop. The host
// lends it a sandbox that learns only from documents it checks itself (lib/sandbox.js, the MCP steps), a loopback
// listener, a browser, the secret store and signing with a private key it keeps (lib/signing.js). The token goes
// only to the server's origin. The Go host's equivalent is host/mcpclient.
import { browserSignIn } from './signin.js'
import { customOpener } from './browser.js'
import { WasmloginError } from './errors.js'
import { withProfileLock } from './lock.js'
import { canonical, checkURL, PROFILE_PREFIX } from './mcpauth.js'
import { defaultConfigDir, loadIndex, updateIndex } from './profiles.js'
import { customPrompt } from './prompt.js'
import { openPlugin } from './runtime.js'
import { Sandbox } from './sandbox.js'
import { keyringStore, memoryStore } from './secrets.js'
import { storeSigningKey } from './signing.js'

const SKEW_S = 30 // the plugin's AccessTokenSkew: a token this close to its expiry is not sent
const MAX_ATTEMPTS = 3 // the plugin stops after this many sign-ins in a row; this bound only guards a broken one

const drop = (o) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''))

// challengeOf is the refusal the plugin is asked about: every 401, and a 403 that carries a challenge (one without
// is a plain "forbidden"). fetch joins repeated WWW-Authenticate fields into one list value (RFC 9110 5.3), which
// reads the same.
function challengeOf(res) {
  const value = res.headers.get('www-authenticate')
  if (res.status === 401 || (res.status === 403 && value)) return { status: res.status, www_authenticate: value ? [value] : [] }
  return null
}

export function mcpFetch(o) {
  let server
  try { server = canonical(o.serverUrl) } catch (e) { throw new WasmloginError('bad_input', e.message) }
  const profile = PROFILE_PREFIX + server
  const serverOrigin = new URL(server).origin
  const dir = o.configDir ?? defaultConfigDir()
  const store = o.store && typeof o.store === 'object' ? o.store : o.store === 'memory' ? memoryStore() : keyringStore(o.keyringService)
  const notify = (level, message) => (o.onMessage ? o.onMessage(level, message) : process.stderr.write(`${level === 'warn' ? 'warning: ' : ''}${message}\n`))
  const client = drop({
    client_id: o.client?.clientId, client_secret: o.client?.clientSecret, client_metadata_url: o.client?.clientMetadataUrl,
    token_auth_method: o.client?.tokenAuthMethod, signing_alg: o.client?.signingAlg, client_name: o.client?.clientName,
  })
  if (o.privateKeyPem) {
    let alg
    try { alg = storeSigningKey(store, profile, o.privateKeyPem) } catch (e) { throw new WasmloginError('bad_input', `the private key: ${e.message}`) }
    client.signing_alg ??= alg
  }
  const ia = o.identityAssertion
  const identity = ia && drop({ idp_token_endpoint: ia.idpTokenEndpoint, id_token: ia.idToken, idp_client_id: ia.idpClientId, idp_client_secret: ia.idpClientSecret })
  if (identity?.idp_token_endpoint) {
    try { checkURL('the identity provider\'s token endpoint', identity.idp_token_endpoint) } catch (e) { throw new WasmloginError('bad_input', e.message) }
  }

  // The sandbox: the server's origin, what an earlier sign-in learned (the index), the IdP's token endpoint for
  // cross-app access; the rest only from checked documents.
  const sandbox = new Sandbox()
  sandbox.setMCPServer(server)
  if (identity?.idp_token_endpoint) sandbox.allow(identity.idp_token_endpoint)
  let plugin, cached = null, inARow = 0, signIn = Promise.resolve()
  const instance = async () => {
    if (plugin) return plugin
    for (const u of (await loadIndex(dir)).profiles[profile]?.allowed_origins ?? []) sandbox.allow(u)
    plugin = await openPlugin({ sandbox, grant: new Set([profile]), store }, {
      notify: ({ level, message }) => { notify(level, message); return {} },
      openBrowser: typeof o.openBrowser === 'function' ? customOpener(o.openBrowser) : undefined,
      prompt: o.prompt ? customPrompt(o.prompt) : undefined,
    })
    return plugin
  }
  // locked runs one plugin call that may rewrite the stored sign-in under the profile's lock (wit/EMBEDDING.md).
  const locked = (fn) => withProfileLock(dir, profile, fn)
  const remember = (t) => {
    cached = t && (!t.token_type || t.token_type.toLowerCase() === 'bearer') ? { token: t.access_token, expiresAt: t.expires_at } : null
  }
  const valid = () => cached && (!cached.expiresAt || Date.now() / 1000 + SKEW_S < cached.expiresAt) ? cached.token : ''

  // currentToken: the stored sign-in's token, refreshed by the plugin when due; '' when there is none. A server no
  // sign-in was recorded for has nothing in the store, so the store is not asked.
  const currentToken = async () => {
    if (valid()) return valid()
    if (!(await loadIndex(dir)).profiles[profile]) return ''
    const p = await instance()
    try {
      remember(await locked(() => p.call('token', { profile })))
    } catch (e) {
      if (e.code === 'login_required') return ''
      throw e
    }
    return valid()
  }

  // authorize asks the plugin to authorize for the challenge and finishes what it answers: a token at once, or a
  // browser step on a loopback listener, then the token. It records the sign-in in the index with the origins the
  // sandbox learned, so later processes reach the token endpoint before any challenge.
  const authorize = async (challenge, attempt) => {
    const p = await instance()
    const input = drop({
      server_url: server, challenge, attempt, client, grant: o.grant, identity_assertion: identity, scopes: o.scopes,
    })
    input.open_browser = o.openBrowser !== false
    let out
    if (!o.grant || o.grant === 'authorization_code') {
      const r = await browserSignIn(p, { call: 'mcp_authorize', args: input }, { open: input.open_browser, redirect: o.redirect, timeoutMs: o.timeoutMs, notify, locked })
      out = r.answer ?? { issuer: null, token: await locked(() => p.call('token', { profile })) }
    } else {
      out = await locked(() => p.call('mcp_authorize', input))
    }
    remember(out.token)
    const s = await p.call('status', { profile })
    await updateIndex(dir, (ix) => {
      ix.profiles[profile] = drop({ issuer: out.issuer ?? s.issuer, client_id: s.client_id, allowed_origins: sandbox.allowed, store: store.name, mcp_server: server })
    })
    return valid()
  }

  // reauthorize runs one sign-in for a challenge, one at a time: a caller that waited uses the token another one got.
  const reauthorize = (challenge, sent) => {
    const run = signIn.then(async () => {
      if (valid() && valid() !== sent) return valid()
      sandbox.setMCPChallenge(challenge.www_authenticate) // the host received it from the server itself
      return authorize(challenge, inARow++)
    })
    signIn = run.catch(() => {})
    return run
  }

  const send = (template, tok) => {
    const req = template.clone()
    if (tok) req.headers.set('authorization', `Bearer ${tok}`)
    else req.headers.delete('authorization')
    return globalThis.fetch(req)
  }

  const f = async (input, init) => {
    const template = new Request(input, init)
    if (new URL(template.url).origin !== serverOrigin) return globalThis.fetch(template) // never the token elsewhere
    let tok = await currentToken()
    let res = await send(template, tok)
    for (let tries = 0; ; tries++) {
      const challenge = challengeOf(res)
      if (!challenge) { inARow = 0; return res }
      await res.body?.cancel()
      if (tries > MAX_ATTEMPTS) throw new WasmloginError('server_error', `${server} kept refusing after ${tries} sign-ins`)
      tok = await reauthorize(challenge, tok)
      res = await send(template, tok)
    }
  }
  f.profile = profile
  // login signs in ahead of any request: the server is asked once without a token, so that its own challenge (its
  // metadata URL and scope) guides the sign-in.
  f.login = async () => {
    const res = await globalThis.fetch(server, {
      method: 'POST', body: '{"jsonrpc":"2.0","id":0,"method":"ping"}',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    })
    await res.body?.cancel()
    const challenge = challengeOf(res)
    const run = signIn.then(async () => {
      if (challenge) sandbox.setMCPChallenge(challenge.www_authenticate)
      await authorize(challenge ?? undefined, 0)
    })
    signIn = run.catch(() => {})
    await run
  }
  f.close = async () => { await plugin?.close(); plugin = undefined }
  return f
}
