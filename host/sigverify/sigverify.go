// Package sigverify answers the plugin's crypto.verify-signature import
// (wit/flow.wit) with Go's crypto packages: crypto/rsa for RS256..RS512
// (RSASSA-PKCS1-v1_5) and PS256..PS512 (RSASSA-PSS, RFC 7518 3.5),
// crypto/ecdsa for ES256..ES512 (RFC 7518 3.4) and crypto/ed25519 for
// EdDSA (RFC 8037 3.1).
//
// Why the host does the arithmetic: the plugin decides which key may sign
// and which algorithms are acceptable, but the mathematics of RSA, ECDSA and
// Ed25519 belongs in an implementation that is reviewed, maintained and
// tested as such, which every host's platform has (Go's crypto/*, Node's
// node:crypto, Python's cryptography), the way WebCrypto serves a browser
// sandbox. A copy compiled into the guest would be one more implementation
// to keep correct, and runs many times slower there. The plugin does not take
// the answer on faith: it checks each algorithm with a known valid and a
// known tampered signature before it trusts the host's verdicts.
//
// A hostile or broken guest may send anything, so Verify checks the request
// itself: an unknown alg, a key of the wrong type or curve, a malformed key,
// an RSA modulus outside 2048..8192 bits or an exponent that is not odd and in
// 3..2^31-1 make it return an error (the WIT's bad_input). A signature that
// does not verify, whatever its length or content, is valid == false.
package sigverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// RSA key sizes accepted: RFC 7518 3.3 and 3.5 require at least 2048 bits;
// the upper bound keeps a hostile key from costing unbounded work.
const (
	MinRSABits = 2048
	MaxRSABits = 8192
)

// algorithm is what one JWS alg needs: its key type (and curve) and how to
// check a signature with a key that fits.
type algorithm struct {
	kty, crv string
	hash     crypto.Hash // zero for EdDSA, which hashes internally
	scheme   string      // "pkcs1", "pss", "ecdsa" or "ed25519"
}

var algorithms = map[string]algorithm{
	"RS256": {"RSA", "", crypto.SHA256, "pkcs1"},
	"RS384": {"RSA", "", crypto.SHA384, "pkcs1"},
	"RS512": {"RSA", "", crypto.SHA512, "pkcs1"},
	"PS256": {"RSA", "", crypto.SHA256, "pss"},
	"PS384": {"RSA", "", crypto.SHA384, "pss"},
	"PS512": {"RSA", "", crypto.SHA512, "pss"},
	"ES256": {"EC", "P-256", crypto.SHA256, "ecdsa"},
	"ES384": {"EC", "P-384", crypto.SHA384, "ecdsa"},
	"ES512": {"EC", "P-521", crypto.SHA512, "ecdsa"},
	"EdDSA": {"OKP", "Ed25519", 0, "ed25519"},
}

// b64 is base64url without padding, as in JWS and JWK (RFC 7515 2), and
// strict: a value has one encoding, so unused trailing bits must be zero.
var b64 = base64.RawURLEncoding.Strict()

// Verify reports whether req.Signature is a valid req.Alg signature of
// req.Message under req.JWK. An error means the request is unusable and
// says why; a host reports it as bad_input.
func Verify(req api.VerifySignatureRequest) (valid bool, err error) {
	alg, ok := algorithms[req.Alg]
	if !ok {
		return false, fmt.Errorf("unknown alg %q; expected one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA", req.Alg)
	}
	if req.JWK.Kty != alg.kty || req.JWK.Crv != alg.crv {
		return false, fmt.Errorf("%s needs a %s key, not kty %q with crv %q", req.Alg, keyKind(alg), req.JWK.Kty, req.JWK.Crv)
	}
	msg, err := b64.DecodeString(req.Message)
	if err != nil {
		return false, errors.New("message is not base64url without padding")
	}
	// A signature that is not even base64url cannot be valid.
	sig, err := b64.DecodeString(req.Signature)
	if err != nil {
		return false, nil
	}
	switch alg.scheme {
	case "ed25519":
		pub, err := ed25519Key(req.JWK)
		if err != nil {
			return false, err
		}
		return ed25519.Verify(pub, msg, sig), nil
	case "ecdsa":
		pub, err := ecdsaKey(req.JWK)
		if err != nil {
			return false, err
		}
		return verifyECDSA(pub, digest(alg.hash, msg), sig), nil
	}
	pub, err := rsaKey(req.JWK)
	if err != nil {
		return false, err
	}
	if alg.scheme == "pss" {
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash} // RFC 7518 3.5
		return rsa.VerifyPSS(pub, alg.hash, digest(alg.hash, msg), sig, opts) == nil, nil
	}
	return rsa.VerifyPKCS1v15(pub, alg.hash, digest(alg.hash, msg), sig) == nil, nil
}

func keyKind(alg algorithm) string {
	if alg.crv == "" {
		return alg.kty
	}
	return alg.kty + " " + alg.crv
}

func digest(h crypto.Hash, msg []byte) []byte {
	w := h.New()
	w.Write(msg)
	return w.Sum(nil)
}

// member decodes a required base64url JWK member.
func member(value, name string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("jwk member %q is missing", name)
	}
	b, err := b64.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("jwk member %q is not base64url without padding", name)
	}
	return b, nil
}

// rsaKey checks the modulus size and the exponent before any arithmetic,
// so that a hostile key costs nothing: 3 ≤ e ≤ 2³¹-1 and odd, as
// crypto/rsa requires, and an odd modulus (an even one is not a product
// of two odd primes).
func rsaKey(jwk api.PublicJWK) (*rsa.PublicKey, error) {
	nb, err := member(jwk.N, "n")
	if err != nil {
		return nil, err
	}
	eb, err := member(jwk.E, "e")
	if err != nil {
		return nil, err
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return nil, fmt.Errorf("RSA modulus has %d bits; %d to %d are accepted", bits, MinRSABits, MaxRSABits)
	}
	if n.Bit(0) == 0 {
		return nil, errors.New("RSA modulus is even")
	}
	e := new(big.Int).SetBytes(eb)
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("RSA exponent must be odd and in 3..2^31-1")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

// ecdsaKey reads a point whose coordinates have exactly the curve's size
// (RFC 7518 6.2.1.2) and checks that it lies on the curve.
func ecdsaKey(jwk api.PublicJWK) (*ecdsa.PublicKey, error) {
	curve := curves[jwk.Crv]
	size := (curve.Params().BitSize + 7) / 8
	x, err := member(jwk.X, "x")
	if err != nil {
		return nil, err
	}
	y, err := member(jwk.Y, "y")
	if err != nil {
		return nil, err
	}
	if len(x) != size || len(y) != size {
		return nil, fmt.Errorf("%s coordinates must be %d bytes each, not %d and %d", jwk.Crv, size, len(x), len(y))
	}
	point := append(append([]byte{4}, x...), y...) // SEC 1 2.3.3, uncompressed
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("the point is not on curve %s", jwk.Crv)
	}
	return pub, nil
}

// verifyECDSA checks a JWS ECDSA signature: R and S as big-endian integers
// of the curve's size each, concatenated (IEEE P1363, RFC 7518 3.4), never
// ASN.1. Any other length is an invalid signature.
func verifyECDSA(pub *ecdsa.PublicKey, hashed, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, hashed, r, s)
}

func ed25519Key(jwk api.PublicJWK) (ed25519.PublicKey, error) {
	x, err := member(jwk.X, "x")
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("an Ed25519 key is %d bytes, not %d", ed25519.PublicKeySize, len(x))
	}
	return ed25519.PublicKey(x), nil
}

// Native is Verify as the plugin sees it through verify_signature: an
// unusable request comes back as an *api.Error with code bad_input. The
// plugin's packages use it in their native tests (it is an
// idtoken.Verifier), so they check signatures with the same code as the Go
// host.
type Native struct{}

func (Native) VerifySignature(req api.VerifySignatureRequest) (bool, *api.Error) {
	valid, err := Verify(req)
	if err != nil {
		return false, &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	return valid, nil
}
