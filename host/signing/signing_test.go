package signing

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/sigverify"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func pemOf(t *testing.T, key any) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Every signature is checked by the host's own verifier (sigverify, which
// runs the Wycheproof vectors) against the public key, in the JWS form.
func TestSignedAsJWSWants(t *testing.T) {
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	b64 := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		alg, defaultAlg string
		key             any
		jwk             api.PublicJWK
	}{
		{"ES256", "ES256", ec256, api.PublicJWK{Kty: "EC", Crv: "P-256", X: b64(ec256.X.FillBytes(make([]byte, 32))), Y: b64(ec256.Y.FillBytes(make([]byte, 32)))}},
		{"ES384", "ES384", ec384, api.PublicJWK{Kty: "EC", Crv: "P-384", X: b64(ec384.X.FillBytes(make([]byte, 48))), Y: b64(ec384.Y.FillBytes(make([]byte, 48)))}},
		{"RS256", "RS256", rsaKey, api.PublicJWK{Kty: "RSA", N: b64(rsaKey.N.Bytes()), E: "AQAB"}},
		{"PS256", "RS256", rsaKey, api.PublicJWK{Kty: "RSA", N: b64(rsaKey.N.Bytes()), E: "AQAB"}},
		{"EdDSA", "EdDSA", edKey, api.PublicJWK{Kty: "OKP", Crv: "Ed25519", X: b64(edKey.Public().(ed25519.PublicKey))}},
	}
	for _, c := range cases {
		store := secretstore.Memory()
		alg, err := StoreKey(store, "p", pemOf(t, c.key))
		if err != nil || alg != c.defaultAlg {
			t.Fatalf("%s: StoreKey = %q, %v", c.alg, alg, err)
		}
		msg := b64([]byte("header.claims"))
		sig, err := Signer(store, "p")(api.SignRequest{Alg: c.alg, Profile: "p", Message: msg})
		if err != nil {
			t.Fatalf("%s: %v", c.alg, err)
		}
		valid, err := sigverify.Verify(api.VerifySignatureRequest{Alg: c.alg, JWK: c.jwk, Message: msg, Signature: sig})
		if err != nil || !valid {
			t.Errorf("%s: the signature does not verify (%v)", c.alg, err)
		}
	}
}

func TestSignerRefusals(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	store := secretstore.Memory()
	if _, err := StoreKey(store, "p", pemOf(t, key)); err != nil {
		t.Fatal(err)
	}
	sign := Signer(store, "p")
	msg := base64.RawURLEncoding.EncodeToString([]byte("m"))
	if _, err := sign(api.SignRequest{Alg: "ES256", Profile: "other", Message: msg}); !errors.Is(err, secretstore.ErrDenied) {
		t.Errorf("another profile: %v", err)
	}
	if _, err := Signer(store, "q")(api.SignRequest{Alg: "ES256", Profile: "q", Message: msg}); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "--private-key-file") {
		t.Errorf("no key: %v", err)
	}
	for _, alg := range []string{"RS256", "ES384", "HS256", "none", ""} {
		if _, err := sign(api.SignRequest{Alg: alg, Profile: "p", Message: msg}); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%q with a P-256 key: %v", alg, err)
		}
	}
	if _, err := sign(api.SignRequest{Alg: "ES256", Profile: "p", Message: "not base64!"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("bad message: %v", err)
	}
}

func TestStoreKeyRefusals(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	for name, c := range map[string]struct {
		pem  []byte
		want string
	}{
		"not PEM":     {[]byte("hello"), "not PEM"},
		"certificate": {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "not a private key"},
		"encrypted":   {pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), "decrypt it first"},
		"small RSA":   {pemOf(t, small), "at least 2048"},
		"P-224":       {pemOf(t, p224), "not P-256, P-384, RSA or Ed25519"},
	} {
		store := secretstore.Memory()
		if _, err := StoreKey(store, "p", c.pem); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if _, found, _ := store.Get(secretstore.SigningKey("p")); found {
			t.Errorf("%s: stored anyway", name)
		}
	}
}
