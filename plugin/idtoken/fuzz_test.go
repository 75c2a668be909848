package idtoken

import (
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/sigverify"
)

// FuzzVerify: any compact token against a real key set; no panic, and
// nothing is accepted, since no fuzzer can forge a signature. A valid seed
// proves the target can accept at all.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	claims := map[string]any{"iss": "https://idp.example", "aud": "cli", "sub": "alice",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": "n"}
	f.Add(makeToken(map[string]any{"alg": "RS256", "kid": "rsa1"}, claims, signRS256))
	f.Add(makeToken(map[string]any{"alg": "none"}, claims, unsigned))
	f.Add(makeToken(map[string]any{"alg": "HS256", "kid": "rsa1"}, claims, signHS256WithPublicKey))
	f.Add("a.b.c")
	f.Add("e30.e30.")
	keys := testKeySet(f)
	opts := Options{Verifier: sigverify.Native{}, Issuer: "https://idp.example", ClientID: "cli", Nonce: "n", Now: now, Skew: time.Minute}
	// RS256 (PKCS #1 v1.5) signatures are deterministic: this is the one
	// acceptable token, the first seed.
	accepted := makeToken(map[string]any{"alg": "RS256", "kid": "rsa1"}, claims, signRS256)
	if _, err := Verify(accepted, keys, opts); err != nil {
		f.Fatalf("the valid seed is refused, so the target could accept nothing: %v", err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Verify(raw, keys, opts)
		if err == nil && raw != accepted {
			t.Fatalf("accepted a token that was not signed by the key set: %+v", c)
		}
	})
}

// FuzzParseJWKS: any key set document; no panic.
func FuzzParseJWKS(f *testing.F) {
	f.Add(jwksJSON(rsaJWK("rsa1", "RS256"), ecJWK("ec1"), edJWK("ed1")))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ParseJWKS(body)
	})
}
