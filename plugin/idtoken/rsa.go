package idtoken

// RSA signature verification (RS256/384/512: RSASSA-PKCS1-v1_5; PS256/384/512:
// RSASSA-PSS with MGF1 and a salt as long as the hash, RFC 7518 3.3 and
// 3.5) on package modn.
//
// crypto/rsa is not used on purpose: in Go 1.26 it links the FIPS 140
// module (its self-tests, DRBG, SHA-3, HMAC and big-number code), about
// 150 kB of the Wasm plugin for a public-key operation that is a few lines.
// Verification handles only public values, so it need not run in constant
// time. The checks are those of crypto/rsa's VerifyPKCS1v15 and VerifyPSS
// (crypto/internal/fips140/rsa, Copyright The Go Authors, BSD licence in GO-LICENSE), in
// the same order; rsa_test.go holds the verdicts to crypto/rsa.

import (
	"bytes"

	"github.com/wasmlogin/wasmlogin/plugin/internal/modn"
)

// rsaPublicKey is a key whose size and exponent jwks.go has checked. The
// modulus is prepared at verification, as crypto/rsa does, so a key set
// costs nothing for keys that never sign a token.
type rsaPublicKey struct {
	n []byte // big-endian, without leading zeros
	e int    // odd, in [3, 2³¹-1]
}

// digestInfoPrefix is the DER encoding of the DigestInfo of RFC 8017 9.2,
// note 1, before the hash value, for SHA-256, SHA-384 or SHA-512 by digest
// size; nil for other sizes.
func digestInfoPrefix(size int) []byte {
	switch size {
	case 32:
		return []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	case 48:
		return []byte{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}
	case 64:
		return []byte{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}
	}
	return nil
}

// publicOp returns sig^e mod n as len(n) bytes (RSAVP1, RFC 8017 5.2.2),
// or false when the signature has the wrong length (8.2.2 step 1 and
// 8.1.2 step 1) or is not less than n, or the modulus is even (which
// crypto/rsa refuses too).
func (k *rsaPublicKey) publicOp(sig []byte) (*modn.Modulus, []byte, bool) {
	m := modn.NewModulus(k.n)
	if m == nil || len(sig) != m.Size() {
		return nil, nil, false
	}
	s, ok := m.FromBytes(sig)
	if !ok {
		return nil, nil, false
	}
	e := []byte{byte(k.e >> 24), byte(k.e >> 16), byte(k.e >> 8), byte(k.e)}
	return m, m.Bytes(m.Exp(s, e)), true
}

// verifyPKCS1v15 checks an RSASSA-PKCS1-v1_5 signature of digest (RFC 8017
// 8.2.2): the recovered block must equal, byte for byte, the encoding
// EMSA-PKCS1-v1_5 builds from the digest (9.2).
func (k *rsaPublicKey) verifyPKCS1v15(digest, sig []byte) bool {
	m, em, ok := k.publicOp(sig)
	if !ok {
		return false
	}
	prefix := digestInfoPrefix(len(digest))
	// EM = 0x00 || 0x01 || PS || 0x00 || T, PS at least 8 bytes of 0xff.
	size := m.Size()
	if prefix == nil || size < len(prefix)+len(digest)+2+8+1 {
		return false
	}
	want := make([]byte, size)
	want[1] = 1
	for i := 2; i < size-len(prefix)-len(digest)-1; i++ {
		want[i] = 0xff
	}
	copy(want[size-len(prefix)-len(digest):], prefix)
	copy(want[size-len(digest):], digest)
	return bytes.Equal(em, want)
}

// verifyPSS checks an RSASSA-PSS signature of digest whose salt is as long
// as the digest (RFC 8017 8.1.2 and EMSA-PSS-VERIFY, 9.1.2), with MGF1
// over the same hash.
func (k *rsaPublicKey) verifyPSS(digest, sig []byte) bool {
	m, em, ok := k.publicOp(sig)
	if !ok {
		return false
	}
	emBits := m.BitLen() - 1
	emLen := (emBits + 7) / 8
	// em has the size of n; when n's bit length is 1 mod 8, EM is a byte
	// shorter and the leading byte must be zero.
	for len(em) > emLen {
		if em[0] != 0 {
			return false
		}
		em = em[1:]
	}
	hLen, sLen := len(digest), len(digest)
	if digestInfoPrefix(hLen) == nil || emLen < hLen+sLen+2 || em[emLen-1] != 0xbc {
		return false
	}
	db := em[:emLen-hLen-1]
	h := em[emLen-hLen-1 : emLen-1]
	bitMask := byte(0xff >> (8*emLen - emBits))
	if em[0]&^bitMask != 0 {
		return false
	}
	mgf1XOR(db, h)
	db[0] &= bitMask
	psLen := emLen - hLen - sLen - 2
	for _, b := range db[:psLen] {
		if b != 0 {
			return false
		}
	}
	if db[psLen] != 0x01 {
		return false
	}
	salt := db[len(db)-sLen:]
	mPrime := append(append(make([]byte, 8, 8+hLen+sLen), digest...), salt...)
	return bytes.Equal(hashSum(hLen, mPrime), h)
}

// mgf1XOR XORs out with MGF1(seed, len(out)) (RFC 8017 B.2.1), the hash
// being the one whose size is len(seed).
func mgf1XOR(out, seed []byte) {
	var counter [4]byte
	for done := 0; done < len(out); {
		digest := hashSum(len(seed), append(append([]byte(nil), seed...), counter[:]...))
		for i := 0; i < len(digest) && done < len(out); i++ {
			out[done] ^= digest[i]
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
}
