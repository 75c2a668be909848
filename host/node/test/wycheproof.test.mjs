// verify_signature against Project Wycheproof's signature vectors (shared/testdata/wycheproof, README there), and
// the requests it must refuse. Every "valid" case must verify, every "invalid" one must not; "acceptable" cases
// (legacy encodings a verifier may take or leave) must only not crash.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from './repo.mjs'
import { verifySignature } from 'wasmlogin/host'

// In CI the repository is cloned beside a copy of shared/.
const DIR = join(repoRoot, '../shared/testdata/wycheproof')
const missing = !existsSync(DIR) && `the Wycheproof vectors are not at ${DIR} (shared/ beside the repository)`
if (missing && process.env.CI === 'true') throw new Error(missing)
if (missing) console.log(`SKIPPING Wycheproof: ${missing}`)

const FILES = {
  'rsa_signature_2048_sha256_test.json': 'RS256', 'rsa_signature_2048_sha384_test.json': 'RS384',
  'rsa_signature_2048_sha512_test.json': 'RS512', 'rsa_signature_4096_sha256_test.json': 'RS256',
  'rsa_pss_2048_sha256_mgf1_32_test.json': 'PS256', 'rsa_pss_2048_sha384_mgf1_48_test.json': 'PS384',
  'rsa_pss_4096_sha512_mgf1_64_test.json': 'PS512',
  'ecdsa_secp256r1_sha256_p1363_test.json': 'ES256', 'ecdsa_secp384r1_sha384_p1363_test.json': 'ES384',
  'ecdsa_secp521r1_sha512_p1363_test.json': 'ES512', 'ed25519_test.json': 'EdDSA',
}
const b64 = (hex) => Buffer.from(hex, 'hex').toString('base64url')
const COORDINATE = { ES256: 32, ES384: 48, ES512: 66 }

// The group's JWK; a few ECDSA groups (edge-case keys) give only the coordinates, in hex.
function groupKey(alg, group) {
  const jwk = group.keyJwk ?? group.publicKeyJwk
  if (jwk) return jwk
  const coordinate = (hex) => b64(BigInt(`0x${hex}`).toString(16).padStart(COORDINATE[alg] * 2, '0'))
  return { kty: 'EC', crv: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg], x: coordinate(group.publicKey.wx), y: coordinate(group.publicKey.wy) }
}

const totals = { cases: 0, passed: 0, failed: 0, acceptable: 0, acceptedOfAcceptable: 0 }
for (const [file, alg] of Object.entries(FILES)) {
  test(`Wycheproof ${file} as ${alg}`, { skip: missing }, () => {
    const { testGroups, numberOfTests } = JSON.parse(readFileSync(join(DIR, file), 'utf8'))
    totals.cases += numberOfTests
    const failures = []
    for (const group of testGroups) {
      const jwk = groupKey(alg, group)
      for (const { tcId, comment, msg, sig, result } of group.tests) {
        const { valid } = verifySignature({ alg, jwk, message: b64(msg), signature: b64(sig) })
        if (result === 'acceptable') {
          totals.acceptable++
          if (valid) totals.acceptedOfAcceptable++
        } else if (valid === (result === 'valid')) totals.passed++
        else failures.push(`tcId ${tcId} (${comment}): want ${result}, got valid=${valid}`)
      }
    }
    totals.failed += failures.length
    assert.deepEqual(failures, [])
  })
}

test('Wycheproof summary', { skip: missing }, () => {
  console.log(`wycheproof: ${totals.passed} passed, ${totals.failed} failed ` +
    `(${Object.keys(FILES).length} files; ${totals.acceptable} acceptable run, ${totals.acceptedOfAcceptable} of them accepted)`)
  assert.equal(totals.passed + totals.failed + totals.acceptable, totals.cases) // every case ran
})
