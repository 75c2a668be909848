// verify_signature (wit/flow.wit, interface crypto): the plugin's JWS signature checks, done by node:crypto
// (OpenSSL). The plugin chooses the key and the algorithm; this module only answers whether the signature holds,
// and refuses a request that is itself unusable, since a hostile guest may send anything.
import { constants, createPublicKey, verify } from 'node:crypto'

export class BadInput extends Error {
  name = 'BadInput'
  code = 'bad_input'
}

// The JWS algorithms (RFC 7518 3.1, RFC 8037 3.1) and the key each needs. RSASSA-PSS uses MGF1 with the same hash
// and a salt as long as the hash (RFC 7518 3.5); ECDSA signatures are r || s, each as long as a coordinate (RFC
// 7518 3.4), which OpenSSL calls the IEEE P1363 encoding; Ed25519 hashes internally (algorithm null).
const pkcs1 = (hash) => ({ kty: 'RSA', hash, options: {} })
const pss = (hash, saltLength) => ({ kty: 'RSA', hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } })
const ecdsa = (hash, crv, size) => ({ kty: 'EC', crv, size, hash, options: { dsaEncoding: 'ieee-p1363' } })
const ALGS = {
  RS256: pkcs1('sha256'), RS384: pkcs1('sha384'), RS512: pkcs1('sha512'),
  PS256: pss('sha256', 32), PS384: pss('sha384', 48), PS512: pss('sha512', 64),
  ES256: ecdsa('sha256', 'P-256', 32), ES384: ecdsa('sha384', 'P-384', 48), ES512: ecdsa('sha512', 'P-521', 66),
  EdDSA: { kty: 'OKP', crv: 'Ed25519', size: 32, hash: null, options: {} },
}
const MEMBERS = { RSA: ['n', 'e'], EC: ['x', 'y'], OKP: ['x'] }

// base64url gives the bytes of unpadded base64url text (RFC 7515 2), or null for anything else: other
// characters, padding, a length no encoding has, or unused bits set (the text must be what encoding gives back).
export function base64url(text) {
  if (typeof text !== 'string') return null
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : null
}

// publicKey builds the key alg needs from the JWK members that define it (never `d`: a private key is not
// accepted in its place), or throws BadInput saying what is wrong. RSA keys must have 2048..8192 bits and an odd
// exponent in 3..2^31-1: a smaller modulus is breakable, a larger one or a huge exponent only costs time.
function publicKey(alg, spec, jwk) {
  if (jwk?.kty !== spec.kty || (spec.crv && jwk.crv !== spec.crv))
    throw new BadInput(`${alg} needs a ${spec.crv ?? spec.kty} key, not ${JSON.stringify(jwk?.crv ?? jwk?.kty ?? null)}`)
  const key = { kty: spec.kty, ...(spec.crv && { crv: spec.crv }) }
  for (const name of MEMBERS[spec.kty]) {
    const bytes = base64url(jwk[name])
    if (!bytes || (spec.size && bytes.length !== spec.size))
      throw new BadInput(`the key's "${name}" is not base64url${spec.size ? ` of ${spec.size} bytes` : ''}`)
    key[name] = jwk[name]
  }
  let made
  try {
    made = createPublicKey({ key, format: 'jwk' })
  } catch (e) {
    throw new BadInput(`the ${spec.crv ?? spec.kty} key is malformed (${e.message})`)
  }
  if (spec.kty === 'RSA') {
    const { modulusLength: bits, publicExponent: e } = made.asymmetricKeyDetails
    if (bits < 2048 || bits > 8192) throw new BadInput(`the RSA modulus has ${bits} bits; 2048 to 8192 are accepted`)
    if (e % 2n === 0n || e < 3n || e > 2n ** 31n - 1n) throw new BadInput(`the RSA exponent ${e} is not odd and in 3..2^31-1`)
  }
  return made
}

// verifySignature answers {valid} for {alg, jwk, message, signature}. An unusable request throws BadInput; a
// signature that is wrong in any way, malformed included, is {valid: false}, never an exception.
export function verifySignature({ alg, jwk, message, signature }) {
  const spec = Object.hasOwn(ALGS, alg) ? ALGS[alg] : null
  if (!spec) throw new BadInput(`unknown alg ${JSON.stringify(alg)}; expected one of ${Object.keys(ALGS).join(', ')}`)
  const key = publicKey(alg, spec, jwk)
  const data = base64url(message)
  if (!data) throw new BadInput('the message is not unpadded base64url')
  const sig = base64url(signature)
  if (!sig) return { valid: false }
  try {
    return { valid: verify(spec.hash, data, { key, ...spec.options }, sig) }
  } catch {
    return { valid: false } // OpenSSL refuses some malformed signatures by throwing; they are invalid all the same
  }
}
