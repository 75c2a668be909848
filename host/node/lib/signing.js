// crypto.sign (wit/flow.wit): signing with a private key the host keeps for a profile, so that a client that
// authenticates with private_key_jwt (RFC 7523 2.2) never hands its key to the plugin. The plugin builds every claim;
// this module only signs, with node:crypto (OpenSSL): ES256 and ES384 in the JWS form r || s (RFC 7518 3.4), RS256
// and PS256 (RFC 7518 3.3, 3.5, salt as long as the hash), EdDSA (Ed25519, RFC 8037).
//
// The key lives in the host's secret store under `signing-key/<profile>`, a key the instance's scope
// (lib/secrets.js, mayUseSecret) never serves to the plugin, whatever the grant. The Go host does the same
// (host/signing, host/secretstore Scoped).
import { constants, createPrivateKey, sign } from 'node:crypto'
import { WasmloginError } from './errors.js'
import { base64url } from './signatures.js'

export const signingKey = (profile) => `signing-key/${profile}`
const MIN_RSA_BITS = 2048 // RFC 7518 3.3

// parse reads one PEM private key (PKCS #8, SEC 1 or PKCS #1) and returns it with the algorithms it signs, its
// default first; an encrypted key, another curve or a short RSA key is refused, saying what to give.
function parse(pem) {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) throw new Error('the private key is not PEM (-----BEGIN PRIVATE KEY----- ...)')
  if (pem.includes('ENCRYPTED PRIVATE KEY')) throw new Error('the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)')
  let key
  try { key = createPrivateKey(pem) } catch (e) { throw new Error(`the private key cannot be read: ${e.message}`) }
  const { asymmetricKeyType: type, asymmetricKeyDetails: d } = key
  if (type === 'ec' && d.namedCurve === 'prime256v1') return { key, algs: ['ES256'] }
  if (type === 'ec' && d.namedCurve === 'secp384r1') return { key, algs: ['ES384'] }
  if (type === 'ed25519') return { key, algs: ['EdDSA'] }
  if (type === 'rsa') {
    if (d.modulusLength < MIN_RSA_BITS) throw new Error(`the RSA key has ${d.modulusLength} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 3.3)`)
    return { key, algs: ['RS256', 'PS256'] }
  }
  throw new Error('the private key is not P-256, P-384, RSA or Ed25519')
}

const SIGN = {
  ES256: (key, data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }),
  ES384: (key, data) => sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' }),
  RS256: (key, data) => sign('sha256', data, key),
  PS256: (key, data) => sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }),
  EdDSA: (key, data) => sign(null, data, key),
}

// storeSigningKey checks a PEM private key and keeps it for profile; it returns the JWS algorithm the key signs
// with by default, for the caller to tell the plugin (mcp-client's signing-alg).
export function storeSigningKey(store, profile, pem) {
  const { algs } = parse(pem)
  store.set(signingKey(profile), pem)
  return algs[0]
}

// signer is the host function: it signs for the granted profiles only, with the key the store holds.
export function signer(store, grant) {
  return ({ alg, profile, message }) => {
    if (!grant.has(profile)) throw new WasmloginError('denied', `the host did not grant this instance profile ${JSON.stringify(profile)}, so it does not sign for it`)
    let pem
    try { pem = store.get(signingKey(profile)) } catch (e) { throw new WasmloginError('unavailable', `the secret store: ${e.message}`) }
    if (pem == null) throw new WasmloginError('unavailable', `no private key is stored for profile ${JSON.stringify(profile)}; give the client's private key (PEM)`)
    let parsed
    try { parsed = parse(pem) } catch (e) { throw new WasmloginError('unavailable', `the private key stored for profile ${JSON.stringify(profile)} is unusable: ${e.message}`) }
    if (!parsed.algs.includes(alg)) throw new WasmloginError('bad_input', `this key does not sign ${JSON.stringify(alg)}; it signs ${parsed.algs.join(', ')}`)
    const data = base64url(message)
    if (!data) throw new WasmloginError('bad_input', 'the message is not unpadded base64url')
    return { signature: SIGN[alg](parsed.key, data).toString('base64url') }
  }
}
