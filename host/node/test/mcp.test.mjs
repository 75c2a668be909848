// The MCP profile's host rules without a network: the URL and header rules (the cases of the plugin's own tests,
// plugin/mcpauth), the sandbox's steps (each document teaches only when the host itself checked it), the secret
// scope that never serves a signing key, and sign with node:crypto.
import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, verify } from 'node:crypto'
import { test } from 'node:test'
import { mcpauth, memoryStore, Sandbox, secretFunctions, signer, storeSigningKey, verifySignature } from 'wasmlogin/host'

test('canonical server URLs and profiles (plugin/mcpauth resource_test.go)', () => {
  for (const [raw, want] of [
    ['https://MCP.example.com/', 'https://mcp.example.com'], ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp/', 'https://mcp.example.com/mcp/'], ['http://127.0.0.1:8080/mcp?x=1', 'http://127.0.0.1:8080/mcp?x=1'],
    ['http://localhost/mcp', 'http://localhost/mcp'], ['http://[::1]:9/a', 'http://[::1]:9/a'],
  ]) assert.equal(mcpauth.canonical(raw), want, raw)
  for (const bad of ['http://mcp.example.com/', 'https://u:p@mcp.example.com/', 'https://mcp.example.com/#f', 'ftp://mcp.example.com/', 'mcp.example.com', ''])
    assert.throws(() => mcpauth.canonical(bad), Error, bad)
  assert.equal(mcpauth.profileOf('https://MCP.example.com/'), 'mcp:https://mcp.example.com')
})

test('covers: same origin, and the document\'s path the server\'s or a whole-segment prefix', () => {
  const s = 'https://mcp.example.com/api/mcp'
  for (const r of ['https://mcp.example.com', 'https://mcp.example.com/', 'https://mcp.example.com/api', 'https://mcp.example.com/api/mcp']) assert.ok(mcpauth.covers(r, s), r)
  for (const r of ['https://other.example.com/api/mcp', 'https://mcp.example.com/ap', 'https://mcp.example.com/api/mcp/more', 'https://mcp.example.com/api?x', 'http://mcp.example.com/api']) assert.ok(!mcpauth.covers(r, s), r)
})

test('metadata locations, in MCP\'s order', () => {
  assert.deepEqual(mcpauth.resourceMetadataURLs('https://mcp.example.com/public/mcp'),
    ['https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp', 'https://mcp.example.com/.well-known/oauth-protected-resource'])
  assert.deepEqual(mcpauth.resourceMetadataURLs('https://mcp.example.com'), ['https://mcp.example.com/.well-known/oauth-protected-resource'])
  assert.deepEqual(mcpauth.metadataURLs('https://as.example.com/tenant1'), ['https://as.example.com/.well-known/oauth-authorization-server/tenant1',
    'https://as.example.com/.well-known/openid-configuration/tenant1', 'https://as.example.com/tenant1/.well-known/openid-configuration'])
  assert.deepEqual(mcpauth.metadataURLs('https://as.example.com'), ['https://as.example.com/.well-known/oauth-authorization-server', 'https://as.example.com/.well-known/openid-configuration'])
  assert.deepEqual(mcpauth.metadataURLs('https://as.example.com/?q'), [])
})

test('WWW-Authenticate: challenges and their parameters (plugin/mcpauth challenge_test.go)', () => {
  const b = (v) => mcpauth.parseBearer([v])
  assert.deepEqual(b('Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read files:write"'),
    { resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource', scope: ['files:read', 'files:write'], error: '' })
  assert.equal(b('Basic realm="x", Bearer error="insufficient_scope", scope="a"').error, 'insufficient_scope')
  assert.equal(b('bearer Error=invalid_token').error, 'invalid_token') // scheme and names are case-insensitive
  assert.equal(b('Bearer scope="a\\"b"').scope[0], 'a"b') // quoted-pair
  assert.equal(b('Bearer resource_metadata="first", resource_metadata="second"').resourceMetadata, 'first')
  assert.equal(b('Basic realm="only basic"'), null)
  assert.deepEqual(b('Bearer abc123=='), { resourceMetadata: '', scope: [], error: '' }) // token68: a Bearer challenge without parameters
  assert.deepEqual(mcpauth.parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"').map((c) => c.scheme), ['Newauth', 'Basic'])
  assert.equal(b('Bearer scope="unterminated').scope.length, 0) // read as far as it goes
})

// The steps of wit/EMBEDDING.md, "MCP servers", each fed one exchange as the host performed it.
test('the MCP sandbox learns step by step, only from documents it checked', () => {
  const server = 'https://mcp.example.com/mcp', prm = 'https://meta.example.com/prm'
  const sb = new Sandbox()
  sb.setMCPServer(server)
  assert.deepEqual(sb.allowed, ['https://mcp.example.com'])
  const get = (url, body, status = 200) => sb.learn({ method: 'GET', url }, { status, body: JSON.stringify(body) })
  const doc = { resource: server, authorization_servers: ['https://as.example.com/t'] }
  // 2. the challenge the host received names the metadata's location.
  sb.setMCPChallenge([`Bearer resource_metadata="${prm}"`])
  assert.ok(sb.has('https://meta.example.com'))
  // 3. resource metadata teaches only when it speaks for the server, is a 200 GET of a metadata location.
  get(prm, { ...doc, resource: 'https://other.example.com/mcp' })
  get('https://meta.example.com/not-a-location', doc)
  get(prm, doc, 404)
  sb.learn({ method: 'POST', url: prm }, { status: 200, body: JSON.stringify(doc) })
  assert.ok(!sb.has('https://as.example.com'))
  get(prm, doc)
  assert.ok(sb.has('https://as.example.com'))
  // 4. the issuer's metadata teaches its endpoints only from its locations, naming it byte for byte.
  const meta = { issuer: 'https://as.example.com/t', token_endpoint: 'https://token.example.com/t', registration_endpoint: 'https://reg.example.com/r', foo_endpoint: 'https://foo.example.com' }
  get('https://as.example.com/.well-known/oauth-authorization-server/t', { ...meta, issuer: 'https://as.example.com/t/' })
  get('https://as.example.com/.well-known/oauth-authorization-server/other', meta)
  assert.ok(!sb.has('https://token.example.com'))
  get('https://as.example.com/.well-known/openid-configuration/t', meta)
  assert.ok(sb.has('https://token.example.com') && sb.has('https://reg.example.com') && !sb.has('https://foo.example.com'))
  // The plugin's word is never a challenge: without setMCPServer nothing is learned from one.
  const bare = new Sandbox()
  bare.setMCPChallenge([`Bearer resource_metadata="${prm}"`])
  assert.deepEqual(bare.allowed, [])
})

test('sign: every algorithm with node:crypto, only for the granted profile, with a key the plugin never reads', () => {
  const store = memoryStore(), grant = new Set(['mcp:a'])
  const sign = signer(store, grant), secrets = secretFunctions(store, grant)
  const message = Buffer.from('header.payload').toString('base64url')
  assert.throws(() => sign({ alg: 'ES256', profile: 'mcp:a', message }), (e) => e.code === 'unavailable')
  const keys = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }), ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }), EdDSA: generateKeyPairSync('ed25519'),
  }
  for (const [alg, { privateKey, publicKey }] of Object.entries(keys)) {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' })
    assert.equal(storeSigningKey(store, 'mcp:a', pem), alg)
    const algs = alg === 'RS256' ? ['RS256', 'PS256'] : [alg]
    for (const a of algs) {
      const { signature } = sign({ alg: a, profile: 'mcp:a', message })
      // Checked with the host's own verify_signature (Wycheproof-tested), as the server would check it.
      assert.deepEqual(verifySignature({ alg: a, jwk: publicKey.export({ format: 'jwk' }), message, signature }), { valid: true }, a)
    }
    assert.throws(() => sign({ alg: alg === 'ES256' ? 'ES384' : 'ES256', profile: 'mcp:a', message }), (e) => e.code === 'bad_input')
  }
  storeSigningKey(store, 'mcp:a', keys.RS256.privateKey.export({ type: 'pkcs1', format: 'pem' })) // PKCS #1 PEM too
  const { signature } = sign({ alg: 'PS256', profile: 'mcp:a', message }) // RSA-PSS, salt as long as the hash
  assert.ok(verify('sha256', Buffer.from('header.payload'), { key: keys.RS256.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signature, 'base64url')))
  assert.throws(() => sign({ alg: 'PS256', profile: 'mcp:b', message }), (e) => e.code === 'denied')
  // The plugin's secret functions never serve the key, even for its granted profile.
  assert.throws(() => secrets.secret_get({ key: 'signing-key/mcp:a' }), (e) => e.code === 'denied')
  assert.throws(() => secrets.secret_set({ key: 'signing-key/mcp:a', value: 'x' }), (e) => e.code === 'denied')
  assert.throws(() => storeSigningKey(store, 'mcp:a', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' })), /at least 2048/)
  assert.throws(() => storeSigningKey(store, 'mcp:a', 'not a key'), /not PEM/)
})
