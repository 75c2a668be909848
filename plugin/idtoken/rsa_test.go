package idtoken

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"math/big"
	"sync"
	"testing"
)

// The verifier in rsa.go is held to crypto/rsa: the same verdict on valid,
// tampered, malformed and hand-built signatures, for moduli whose bit
// length is a multiple of 8 and ones where it is not (PSS then drops a
// byte), and for the small exponent 3.

// rsaTestKeys are generated once: 2048 and 3072 bits, 2049 bits (the PSS
// encoding is a byte shorter than the modulus) and 2051 bits, plus a
// 2048-bit key with e = 3.
var rsaTestKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := []*rsa.PrivateKey{rsaKey}
	for _, bits := range []int{2049, 2051, 3072} {
		keys = append(keys, must(rsa.GenerateKey(rand.Reader, bits)))
	}
	return append(keys, exponent3Key())
})

// exponent3Key builds a 2048-bit key with e = 3, which rsa.GenerateKey
// does not make.
func exponent3Key() *rsa.PrivateKey {
	three := big.NewInt(3)
	one := big.NewInt(1)
	for {
		p := must(rand.Prime(rand.Reader, 1024))
		q := must(rand.Prime(rand.Reader, 1024))
		pm1, qm1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		n := new(big.Int).Mul(p, q)
		d := new(big.Int).ModInverse(three, phi)
		if d == nil || n.BitLen() != 2048 || p.Cmp(q) == 0 {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 3}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if k.Validate() == nil {
			return k
		}
	}
}

func ourRSAKey(pub *rsa.PublicKey) *rsaPublicKey {
	return &rsaPublicKey{n: pub.N.Bytes(), e: pub.E}
}

var rsaHashes = []struct {
	hash crypto.Hash
	sum  func([]byte) []byte
}{
	{crypto.SHA256, func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
	{crypto.SHA384, func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }},
	{crypto.SHA512, func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
}

// agreeRSA checks both schemes' verdicts against crypto/rsa and want.
func agreeRSA(t *testing.T, what string, pub *rsa.PublicKey, hash crypto.Hash, digest, sig []byte, wantPKCS1, wantPSS bool) {
	t.Helper()
	ours := ourRSAKey(pub)
	std := rsa.VerifyPKCS1v15(pub, hash, digest, sig) == nil
	if got := ours.verifyPKCS1v15(digest, sig); got != std || got != wantPKCS1 {
		t.Errorf("%d bits, e=%d, %v, %s: PKCS #1 v1.5 ours %v, crypto/rsa %v, want %v", pub.N.BitLen(), pub.E, hash, what, got, std, wantPKCS1)
	}
	std = rsa.VerifyPSS(pub, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	if got := ours.verifyPSS(digest, sig); got != std || got != wantPSS {
		t.Errorf("%d bits, e=%d, %v, %s: PSS ours %v, crypto/rsa %v, want %v", pub.N.BitLen(), pub.E, hash, what, got, std, wantPSS)
	}
}

// rawSign applies the private exponent to an encoded message, so tests can
// sign encodings that no conforming signer would produce.
func rawSign(priv *rsa.PrivateKey, em []byte) []byte {
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), priv.D, priv.N)
	return s.FillBytes(make([]byte, priv.Size()))
}

// rawOpen applies the public exponent: the encoded message of a signature.
func rawOpen(pub *rsa.PublicKey, sig []byte) []byte {
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(pub.E)), pub.N)
	return m.FillBytes(make([]byte, (pub.N.BitLen()+7)/8))
}

func TestRSAVerifyAgreesWithStdlib(t *testing.T) {
	for _, priv := range rsaTestKeys() {
		pub := &priv.PublicKey
		for _, h := range rsaHashes {
			digest := h.sum([]byte("header.payload"))
			pkcs1 := must(rsa.SignPKCS1v15(nil, priv, h.hash, digest))
			pss := must(rsa.SignPSS(rand.Reader, priv, h.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
			agreeRSA(t, "PKCS #1 v1.5 signature", pub, h.hash, digest, pkcs1, true, false)
			agreeRSA(t, "PSS signature", pub, h.hash, digest, pss, false, true)

			for _, sig := range [][]byte{pkcs1, pss} {
				for _, bit := range []int{0, 7, 8*len(sig) - 1, 8 * len(sig) / 2} {
					bad := append([]byte(nil), sig...)
					bad[bit/8] ^= 1 << (bit % 8)
					agreeRSA(t, "flipped signature bit", pub, h.hash, digest, bad, false, false)
				}
				other := append([]byte(nil), digest...)
				other[0] ^= 1
				agreeRSA(t, "other digest", pub, h.hash, other, sig, false, false)
				agreeRSA(t, "leading zero added", pub, h.hash, digest, append([]byte{0}, sig...), false, false)
				agreeRSA(t, "last byte cut", pub, h.hash, digest, sig[:len(sig)-1], false, false)
				for _, k := range rsaTestKeys() {
					if k != priv {
						agreeRSA(t, "other key", &k.PublicKey, h.hash, digest, sig, false, false)
					}
				}
			}
			// PSS with other salt lengths than the hash's.
			for _, salt := range []int{0, 20, len(digest) + 1, rsa.PSSSaltLengthAuto} {
				sig := must(rsa.SignPSS(rand.Reader, priv, h.hash, digest, &rsa.PSSOptions{SaltLength: salt}))
				agreeRSA(t, "PSS with another salt length", pub, h.hash, digest, sig, false, false)
			}
		}
		// The other hashes' signatures of the same message, verified as SHA-256.
		d256 := rsaHashes[0].sum([]byte("m"))
		for _, h := range rsaHashes[1:] {
			d := h.sum([]byte("m"))
			agreeRSA(t, "signed with "+h.hash.String(), pub, crypto.SHA256, d256, must(rsa.SignPKCS1v15(nil, priv, h.hash, d)), false, false)
		}
	}
}

func TestRSAVerifyOutOfRange(t *testing.T) {
	priv := rsaKey
	pub := &priv.PublicKey
	digest := rsaHashes[0].sum([]byte("x"))
	size := priv.Size()
	n := pub.N.FillBytes(make([]byte, size))
	nPlus1 := new(big.Int).Add(pub.N, big.NewInt(1)).FillBytes(make([]byte, size))
	ones := make([]byte, size)
	for i := range ones {
		ones[i] = 0xff
	}
	for _, c := range []struct {
		name string
		sig  []byte
	}{
		{"zero", make([]byte, size)},
		{"one", append(make([]byte, size-1), 1)},
		{"n", n},
		{"n+1", nPlus1},
		{"all ones", ones},
		{"empty", nil},
	} {
		agreeRSA(t, c.name, pub, crypto.SHA256, digest, c.sig, false, false)
	}
}

// TestRSAVerifyHandBuiltEncodings signs encodings that differ from the
// expected one in a single place.
func TestRSAVerifyHandBuiltEncodings(t *testing.T) {
	for _, priv := range rsaTestKeys() {
		pub := &priv.PublicKey
		for _, h := range rsaHashes {
			digest := h.sum([]byte("hand-built"))
			valid := rawOpen(pub, must(rsa.SignPKCS1v15(nil, priv, h.hash, digest)))
			if !ourRSAKey(pub).verifyPKCS1v15(digest, rawSign(priv, valid)) {
				t.Fatalf("rawSign does not reproduce a valid signature")
			}
			k := len(valid)
			tLen := len(digestInfoPrefix(len(digest))) + len(digest)
			mutations := map[string]func(em []byte){
				"block type 2":          func(em []byte) { em[1] = 2 },
				"first byte not zero":   func(em []byte) { em[0] = 1 },
				"padding byte not 0xff": func(em []byte) { em[5] = 0xfe },
				"separator not zero":    func(em []byte) { em[k-tLen-1] = 0xff },
				"DigestInfo changed":    func(em []byte) { em[k-tLen+14] ^= 1 }, // the hash OID's last byte
				"DigestInfo length":     func(em []byte) { em[k-tLen+1]++ },
				"digest changed":        func(em []byte) { em[k-1] ^= 0x80 },
				"SHA-1 prefix": func(em []byte) {
					sha1 := []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
					copy(em[k-tLen:], sha1)
				},
				"no DigestInfo": func(em []byte) {
					for i := 2; i < k-len(digest)-1; i++ {
						em[i] = 0xff
					}
					em[k-len(digest)-1] = 0
				},
			}
			for name, mutate := range mutations {
				em := append([]byte(nil), valid...)
				mutate(em)
				agreeRSA(t, name, pub, h.hash, digest, rawSign(priv, em), false, false)
			}

			pss := rawOpen(pub, must(rsa.SignPSS(rand.Reader, priv, h.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})))
			emLen := (pub.N.BitLen() - 1 + 7) / 8
			off := len(pss) - emLen // 1 when the modulus has 8k+1 bits
			pssMutations := map[string]func(em []byte){
				"trailer not 0xbc":  func(em []byte) { em[len(em)-1] = 0xbd },
				"H changed":         func(em []byte) { em[len(em)-2] ^= 1 },
				"masked DB changed": func(em []byte) { em[off+emLen/2] ^= 1 },
				"salt changed":      func(em []byte) { em[len(em)-len(digest)-2] ^= 1 },
				"top bit flipped":   func(em []byte) { em[off] ^= 0x80 },
			}
			if off == 1 {
				pssMutations["leading byte not zero"] = func(em []byte) { em[0] = 1 }
			}
			for name, mutate := range pssMutations {
				em := append([]byte(nil), pss...)
				mutate(em)
				if new(big.Int).SetBytes(em).Cmp(pub.N) >= 0 {
					continue // not a signature at all; covered by TestRSAVerifyOutOfRange
				}
				agreeRSA(t, name, pub, h.hash, digest, rawSign(priv, em), false, false)
			}
		}
	}
}

func TestRSAEvenModulusIsRefused(t *testing.T) {
	pub := &rsa.PublicKey{N: new(big.Int).Add(rsaKey.N, big.NewInt(1)), E: 65537}
	digest := rsaHashes[0].sum([]byte("x"))
	sig := must(rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, digest))
	agreeRSA(t, "even modulus", pub, crypto.SHA256, digest, sig, false, false)
}

func TestRSAKeyChecks(t *testing.T) {
	n := rsaKey.N.Bytes()
	for _, c := range []struct {
		name string
		n, e []byte
		ok   bool
	}{
		{"65537", n, []byte{1, 0, 1}, true},
		{"3", n, []byte{3}, true},
		{"leading zeros", append([]byte{0, 0}, n...), []byte{0, 0, 0, 0, 0, 1, 0, 1}, true},
		{"2^31-1", n, []byte{0x7f, 0xff, 0xff, 0xff}, true},
		{"2^31+1", n, []byte{0x80, 0, 0, 1}, false},
		{"2^32+1", n, []byte{1, 0, 0, 0, 1}, false},
		{"huge", n, append([]byte{1}, make([]byte, 255)...), false},
		{"1", n, []byte{1}, false},
		{"0", n, []byte{0}, false},
		{"even", n, []byte{1, 0, 0}, false},
		{"2047 bits", append([]byte{0x7f}, make([]byte, 255)...), []byte{1, 0, 1}, false},
		{"2048 bits after leading zeros", append([]byte{0, 0x80}, make([]byte, 255)...), []byte{1, 0, 1}, true},
	} {
		j := jwkJSON{Kty: "RSA", N: b64.EncodeToString(c.n), E: b64.EncodeToString(c.e)}
		k, err := j.rsaKey()
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v", c.name, err, c.ok)
		}
		if err == nil && (len(k.n) == 0 || k.n[0] == 0) {
			t.Errorf("%s: modulus keeps leading zeros", c.name)
		}
	}
}

// BenchmarkRSAVerify compares the modn verifier with crypto/rsa.
func BenchmarkRSAVerify(b *testing.B) {
	digest := rsaHashes[0].sum([]byte("header.payload"))
	sig := must(rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, digest))
	ours := ourRSAKey(&rsaKey.PublicKey)
	b.Run("RS256", func(b *testing.B) {
		for b.Loop() {
			if !ours.verifyPKCS1v15(digest, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("RS256/crypto-rsa", func(b *testing.B) {
		for b.Loop() {
			if rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.SHA256, digest, sig) != nil {
				b.Fatal("refused")
			}
		}
	})
}
