package idtoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers crypto.SHA256 for crypto.Hash.New
	_ "crypto/sha512"
	"hash/fnv"
	"math/big"
	"sync"
	"testing"
	"testing/cryptotest"
)

// FuzzSignaturesAgreeWithStdlib holds the hand-written verifiers to the
// standard library on arbitrary messages and signatures, where the fixed
// cases of rsa_test.go, ecdsa_test.go and ed25519_test.go cannot reach.
// Ours is called through verify, the dispatch jws.go uses (our SHA-2
// included), with keys parsed by jwkJSON.parse as ParseJWKS parses them.

// diffAlgs lists every algorithm acceptedAlgs accepts; the fuzz input
// picks one by index.
var diffAlgs = []struct {
	name string
	hash crypto.Hash // zero for EdDSA, which hashes internally
}{
	{"RS256", crypto.SHA256}, {"RS384", crypto.SHA384}, {"RS512", crypto.SHA512},
	{"PS256", crypto.SHA256}, {"PS384", crypto.SHA384}, {"PS512", crypto.SHA512},
	{"ES256", crypto.SHA256}, {"ES384", crypto.SHA384}, {"ES512", crypto.SHA512},
	{"EdDSA", 0},
}

// Mutation kinds. The raw kinds ignore the real signature: raw is taken
// as is (mostly the wrong length, so it tests the length checks), or
// copied into a buffer of the right length so that arbitrary values reach
// the arithmetic (s ≥ n, r = 0, non-canonical S, points off the curve).
const (
	mutNone = iota
	mutSignature
	mutMessage
	mutRaw
	mutRawFitted
	mutKinds
)

type diffKeySet struct {
	rsa *rsa.PrivateKey
	ec  map[string]*ecdsa.PrivateKey // by alg
	ed  ed25519.PrivateKey
	our map[string]key // by alg, as ParseJWKS would hold them
}

var (
	diffKeysOnce sync.Once
	diffKeys     *diffKeySet
)

// loadDiffKeys generates the keys once per process, from a fixed seed:
// each fuzz worker is its own process, and a crasher must reproduce in
// another worker, during minimisation, and under plain go test.
func loadDiffKeys(t *testing.T) *diffKeySet {
	diffKeysOnce.Do(func() {
		cryptotest.SetGlobalRandom(t, 1)
		ks := &diffKeySet{ec: map[string]*ecdsa.PrivateKey{}, our: map[string]key{}}
		ks.rsa = must(rsa.GenerateKey(rand.Reader, 2048))
		ks.our["RSA"] = parseDiffJWK(t, jwkJSON{Kty: "RSA", N: b64.EncodeToString(ks.rsa.N.Bytes()),
			E: b64.EncodeToString([]byte{1, 0, 1})})
		for _, c := range ecCurves {
			priv := must(ecdsa.GenerateKey(stdCurves[c.crv], rand.Reader))
			point := must(priv.PublicKey.Bytes()) // 0x04 || X || Y
			ks.ec[c.alg] = priv
			ks.our[c.alg] = parseDiffJWK(t, jwkJSON{Kty: "EC", Crv: c.crv,
				X: b64.EncodeToString(point[1 : 1+c.size]), Y: b64.EncodeToString(point[1+c.size:])})
		}
		_, ks.ed = must2(ed25519.GenerateKey(rand.Reader))
		ks.our["EdDSA"] = parseDiffJWK(t, jwkJSON{Kty: "OKP", Crv: "Ed25519",
			X: b64.EncodeToString(ks.ed.Public().(ed25519.PublicKey))})
		diffKeys = ks
	})
	if diffKeys == nil {
		t.Fatal("key generation failed in an earlier iteration")
	}
	return diffKeys
}

func parseDiffJWK(t *testing.T, j jwkJSON) key {
	k, err := j.parse()
	if err != nil {
		t.Fatalf("%s key refused: %v", j.Kty, err)
	}
	return k
}

func (ks *diffKeySet) sign(alg string, h crypto.Hash, msg []byte) []byte {
	if alg == "EdDSA" {
		return ed25519.Sign(ks.ed, msg)
	}
	digest := stdDigest(h, msg)
	switch alg[:2] {
	case "RS":
		return must(rsa.SignPKCS1v15(nil, ks.rsa, h, digest))
	case "PS":
		return must(rsa.SignPSS(rand.Reader, ks.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
	}
	r, s := must2(ecdsa.Sign(rand.Reader, ks.ec[alg], digest))
	size := ks.sigLen(alg) / 2
	return append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...) // RFC 7518 3.4
}

// sigLen is the length of alg's signatures, from the standard library's
// view of the keys.
func (ks *diffKeySet) sigLen(alg string) int {
	switch alg[:2] {
	case "RS", "PS":
		return ks.rsa.Size()
	case "ES":
		return 2 * ((ks.ec[alg].Curve.Params().BitSize + 7) / 8)
	}
	return ed25519.SignatureSize
}

// stdVerify is the verdict a JWS library built on the standard library
// gives: the hash of the alg, PSS salt as long as the hash (RFC 7518
// 3.5), and an ECDSA signature of exactly two curve-sized halves.
func (ks *diffKeySet) stdVerify(alg string, h crypto.Hash, msg, sig []byte) bool {
	if alg == "EdDSA" {
		return ed25519.Verify(ks.ed.Public().(ed25519.PublicKey), msg, sig)
	}
	digest := stdDigest(h, msg)
	switch alg[:2] {
	case "RS":
		return rsa.VerifyPKCS1v15(&ks.rsa.PublicKey, h, digest, sig) == nil
	case "PS":
		return rsa.VerifyPSS(&ks.rsa.PublicKey, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	}
	pub := &ks.ec[alg].PublicKey
	size := ks.sigLen(alg) / 2
	if len(sig) != 2*size {
		return false
	}
	r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, digest, r, s)
}

func stdDigest(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

func FuzzSignaturesAgreeWithStdlib(f *testing.F) {
	for a := range diffAlgs {
		for mut := range mutKinds {
			f.Add(uint8(a), []byte("header.payload"), uint8(mut), uint16(a*7+mut), uint8(1<<(mut%8)), []byte{0, 1, 2, 0xff})
		}
	}
	f.Add(uint8(9), []byte{}, uint8(mutMessage), uint16(0), uint8(0x80), []byte{}) // message edit on an empty message
	f.Add(uint8(8), []byte("x"), uint8(mutRawFitted), uint16(0), uint8(0), make([]byte, 200))
	f.Fuzz(func(t *testing.T, algIndex uint8, msg []byte, mut uint8, pos uint16, xor uint8, raw []byte) {
		ks := loadDiffKeys(t)
		alg := diffAlgs[int(algIndex)%len(diffAlgs)]
		// PSS salts and ECDSA nonces come from the input, so a failure
		// replays exactly.
		seed := fnv.New64a()
		seed.Write(msg)
		cryptotest.SetGlobalRandom(t, seed.Sum64())

		var sig []byte
		switch mut % mutKinds {
		case mutRaw: // no signing: RSA signing costs more than both verifications
			sig = raw
		case mutRawFitted:
			sig = make([]byte, ks.sigLen(alg.name))
			copy(sig, raw)
		case mutSignature:
			sig = ks.sign(alg.name, alg.hash, msg)
			sig[int(pos)%len(sig)] ^= xor
		case mutMessage:
			sig = ks.sign(alg.name, alg.hash, msg)
			msg = append([]byte(nil), msg...)
			if len(msg) == 0 {
				msg = append(msg, xor) // the edit that an empty message allows
			} else {
				msg[int(pos)%len(msg)] ^= xor
			}
		default:
			sig = ks.sign(alg.name, alg.hash, msg)
		}

		k := ks.our["RSA"]
		if alg.name[0] != 'R' && alg.name[0] != 'P' {
			k = ks.our[alg.name]
		}
		if !k.fits(alg.name) {
			t.Fatalf("%s: key does not fit, verify would not be reached", alg.name)
		}
		std := ks.stdVerify(alg.name, alg.hash, msg, sig)
		ours := verify(alg.name, k, msg, sig)
		if ours != std {
			t.Fatalf("%s, mutation %d: ours %v, standard library %v\nmessage %x\nsignature %x", alg.name, mut%mutKinds, ours, std, msg, sig)
		}
		if mut%mutKinds == mutNone && !std {
			t.Fatalf("%s: the standard library refused its own signature; the target checks nothing", alg.name)
		}
	})
}
