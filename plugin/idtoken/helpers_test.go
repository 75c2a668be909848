package idtoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"testing"
)

// Keys are generated once per test binary: RSA generation dominates the
// run time otherwise.
var (
	rsaKey          = must(rsa.GenerateKey(rand.Reader, 2048))
	ecKey           = must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	edPub, edKey, _ = ed25519.GenerateKey(rand.Reader)
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func rsaJWK(kid, alg string) map[string]any {
	jwk := map[string]any{
		"kty": "RSA", "use": "sig", "kid": kid,
		"n": b64.EncodeToString(rsaKey.N.Bytes()),
		"e": b64.EncodeToString([]byte{1, 0, 1}),
	}
	if alg != "" {
		jwk["alg"] = alg
	}
	return jwk
}

func ecJWK(kid string) map[string]any {
	point := must(ecKey.PublicKey.Bytes()) // 0x04 || X || Y
	return map[string]any{
		"kty": "EC", "crv": "P-256", "kid": kid,
		"x": b64.EncodeToString(point[1:33]),
		"y": b64.EncodeToString(point[33:]),
	}
}

func edJWK(kid string) map[string]any {
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64.EncodeToString(edPub)}
}

func jwksJSON(keys ...map[string]any) []byte {
	return must(json.Marshal(map[string]any{"keys": keys}))
}

func testKeySet(t testing.TB) *KeySet {
	t.Helper()
	ks, err := ParseJWKS(jwksJSON(
		rsaJWK("rsa1", ""),
		rsaJWK("rsa-rs256-only", "RS256"),
		ecJWK("ec1"),
		edJWK("ed1"),
		map[string]any{"kty": "RSA", "use": "enc", "kid": "enc1", "n": "AQAB", "e": "AQAB"},
	))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// signer produces the signature bytes for a signing input.
type signer func(input []byte) []byte

func signRS256(input []byte) []byte {
	d := sha256.Sum256(input)
	return must(rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, d[:]))
}

func signPS256(input []byte) []byte {
	d := sha256.Sum256(input)
	return must(rsa.SignPSS(rand.Reader, rsaKey, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
}

func signES256(input []byte) []byte {
	d := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, ecKey, d[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

func signES256ASN1(input []byte) []byte {
	d := sha256.Sum256(input)
	return must(ecdsa.SignASN1(rand.Reader, ecKey, d[:]))
}

func signEdDSA(input []byte) []byte { return ed25519.Sign(edKey, input) }

// signHS256WithPublicKey is the key confusion attack: an HMAC keyed with
// the RSA public key, which anyone can fetch.
func signHS256WithPublicKey(input []byte) []byte {
	mac := hmac.New(sha256.New, must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)))
	mac.Write(input)
	return mac.Sum(nil)
}

func unsigned([]byte) []byte { return nil }

// makeToken encodes header and payload (any JSON value, or raw bytes) and
// signs them.
func makeToken(header map[string]any, payload any, sign signer) string {
	body, ok := payload.([]byte)
	if !ok {
		body = must(json.Marshal(payload))
	}
	input := b64.EncodeToString(must(json.Marshal(header))) + "." + b64.EncodeToString(body)
	return input + "." + b64.EncodeToString(sign([]byte(input)))
}
