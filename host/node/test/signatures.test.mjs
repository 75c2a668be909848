// verify_signature refuses unusable requests with bad_input and answers valid:false for any bad signature, since
// a hostile guest may send anything.
import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { test } from 'node:test'
import { verifySignature } from 'wasmlogin/host'

const b64 = (bytes) => Buffer.from(bytes).toString('base64url')
const message = b64('header.payload')
const pair = (type, options) => {
  const { publicKey, privateKey } = generateKeyPairSync(type, options)
  return { jwk: publicKey.export({ format: 'jwk' }), privateKey }
}
const rsa = pair('rsa', { modulusLength: 2048 }), p256 = pair('ec', { namedCurve: 'P-256' }), ed = pair('ed25519')
const sigs = {
  RS256: b64(sign('sha256', Buffer.from(message, 'base64url'), rsa.privateKey)),
  PS256: b64(sign('sha256', Buffer.from(message, 'base64url'), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })),
  ES256: b64(sign('sha256', Buffer.from(message, 'base64url'), { key: p256.privateKey, dsaEncoding: 'ieee-p1363' })),
  EdDSA: b64(sign(null, Buffer.from(message, 'base64url'), ed.privateKey)),
}
const keys = { RS256: rsa.jwk, PS256: rsa.jwk, ES256: p256.jwk, EdDSA: ed.jwk }

const refused = (req, pattern) => assert.throws(() => verifySignature(req), (e) => {
  assert.equal(e.code, 'bad_input')
  assert.match(e.message, pattern)
  return true
})

test('good signatures verify; RS256 and PS256 are not interchangeable', () => {
  for (const alg of Object.keys(sigs)) assert.deepEqual(verifySignature({ alg, jwk: keys[alg], message, signature: sigs[alg] }), { valid: true }, alg)
  assert.equal(verifySignature({ alg: 'PS256', jwk: rsa.jwk, message, signature: sigs.RS256 }).valid, false)
  assert.equal(verifySignature({ alg: 'RS256', jwk: rsa.jwk, message, signature: sigs.PS256 }).valid, false)
})

test('a bad signature of any shape is valid:false, never an error', () => {
  for (const alg of Object.keys(sigs)) {
    const good = Buffer.from(sigs[alg], 'base64url')
    const flipped = Buffer.from(good)
    flipped[5] ^= 1
    for (const signature of [b64(flipped), '', b64(good.subarray(1)), b64(Buffer.concat([good, Buffer.of(0)])),
      b64(randomBytes(10_000)), 'not base64!', `${sigs[alg]}=`, sigs[alg].slice(0, -1), 42, null, undefined, { a: 1 }])
      assert.deepEqual(verifySignature({ alg, jwk: keys[alg], message, signature }), { valid: false }, `${alg} ${String(signature).slice(0, 20)}`)
    assert.deepEqual(verifySignature({ alg, jwk: keys[alg], message: b64('other'), signature: sigs[alg] }), { valid: false })
  }
})

test('unknown algorithms', () => {
  for (const alg of ['none', 'HS256', 'es256', 'RS1', 'ES256K', 'Ed25519', '', null, undefined, 'constructor', '__proto__'])
    refused({ alg, jwk: rsa.jwk, message, signature: sigs.RS256 }, /unknown alg/)
})

test('a key of another type or curve than the algorithm needs', () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })
  refused({ alg: 'ES256', jwk: rsa.jwk, message, signature: sigs.ES256 }, /needs a P-256 key/)
  refused({ alg: 'ES256', jwk: p384, message, signature: sigs.ES256 }, /needs a P-256 key, not "P-384"/)
  refused({ alg: 'ES384', jwk: p256.jwk, message, signature: sigs.ES256 }, /needs a P-384 key/)
  refused({ alg: 'ES512', jwk: p256.jwk, message, signature: sigs.ES256 }, /needs a P-521 key/)
  refused({ alg: 'RS256', jwk: p256.jwk, message, signature: sigs.RS256 }, /needs a RSA key/)
  refused({ alg: 'PS256', jwk: ed.jwk, message, signature: sigs.PS256 }, /needs a RSA key/)
  refused({ alg: 'EdDSA', jwk: p256.jwk, message, signature: sigs.EdDSA }, /needs a Ed25519 key/)
  refused({ alg: 'EdDSA', jwk: { ...ed.jwk, crv: 'Ed448' }, message, signature: sigs.EdDSA }, /needs a Ed25519 key/)
  for (const jwk of [null, undefined, 'RSA', [], {}]) refused({ alg: 'RS256', jwk, message, signature: sigs.RS256 }, /needs a RSA key/)
})

test('malformed keys', () => {
  const offCurve = { ...p256.jwk, y: p256.jwk.x }
  refused({ alg: 'ES256', jwk: offCurve, message, signature: sigs.ES256 }, /malformed/)
  refused({ alg: 'ES256', jwk: { ...p256.jwk, x: p256.jwk.x.slice(2) }, message, signature: sigs.ES256 }, /"x" is not base64url of 32 bytes/)
  refused({ alg: 'ES256', jwk: { ...p256.jwk, y: undefined }, message, signature: sigs.ES256 }, /"y"/)
  refused({ alg: 'EdDSA', jwk: { ...ed.jwk, x: b64(randomBytes(31)) }, message, signature: sigs.EdDSA }, /"x" is not base64url of 32 bytes/)
  refused({ alg: 'RS256', jwk: { ...rsa.jwk, n: `${rsa.jwk.n}=` }, message, signature: sigs.RS256 }, /"n" is not base64url/)
  refused({ alg: 'RS256', jwk: { ...rsa.jwk, n: `${rsa.jwk.n.slice(0, 9)}+${rsa.jwk.n.slice(10)}` }, message, signature: sigs.RS256 }, /"n"/)
  refused({ alg: 'RS256', jwk: { ...rsa.jwk, e: 7 }, message, signature: sigs.RS256 }, /"e"/)
})

test('a private key member is never used: only the public members count', () => {
  const priv = p256.privateKey.export({ format: 'jwk' })
  assert.ok(priv.d)
  assert.deepEqual(verifySignature({ alg: 'ES256', jwk: priv, message, signature: sigs.ES256 }), { valid: true })
})

test('RSA modulus from 2048 to 8192 bits, exponent odd and in 3..2^31-1', () => {
  const modulus = (bits) => { const n = randomBytes(bits / 8); n[0] |= 0x80; n[n.length - 1] |= 1; return b64(n) }
  const exponent = (e) => { const hex = e.toString(16); return b64(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')) }
  const key = (n, e = 'AQAB') => ({ kty: 'RSA', n, e })
  const req = (jwk) => ({ alg: 'RS256', jwk, message, signature: sigs.RS256 })
  refused(req(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), /1024 bits/)
  refused(req(key(modulus(2040))), /2040 bits/)
  refused(req(key(modulus(8200))), /8200 bits/)
  assert.deepEqual(verifySignature(req(key(modulus(8192)))), { valid: false }) // accepted size, wrong key
  for (const e of [1, 2, 65536, 2 ** 31 + 1, 2 ** 33 + 1]) refused(req(key(rsa.jwk.n, exponent(e))), /exponent/)
  for (const e of [3, 65537, 2 ** 31 - 1]) assert.equal(verifySignature(req(key(rsa.jwk.n, exponent(e)))).valid, e === 65537)
})

test('the message must be base64url', () => {
  refused({ alg: 'RS256', jwk: rsa.jwk, message: 'a+b', signature: sigs.RS256 }, /message/)
  refused({ alg: 'RS256', jwk: rsa.jwk, message: undefined, signature: sigs.RS256 }, /message/)
})
