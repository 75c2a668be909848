package idtoken

import (
	"errors"
	"strings"
	"testing"
)

func TestParseJWKSKeepsUsableKeys(t *testing.T) {
	ks, err := ParseJWKS(jwksJSON(
		rsaJWK("rsa1", "RS256"),
		ecJWK("ec1"),
		edJWK("ed1"),
		map[string]any{"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
		map[string]any{"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA", "kid": "k1"},
		map[string]any{"kty": "OKP", "crv": "X25519", "x": "AA", "kid": "x1"},
		map[string]any{"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB", "kid": "enc"},
		map[string]any{"kty": "RSA", "key_ops": []string{"encrypt"}, "n": "AQAB", "e": "AQAB", "kid": "ops"},
	))
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range ks.keys {
		kids = append(kids, k.kid+"/"+k.alg+"/"+k.family)
	}
	if got, want := strings.Join(kids, " "), "rsa1/RS256/RSA ec1//ES256 ed1//EdDSA"; got != want {
		t.Errorf("keys = %q, want %q", got, want)
	}
}

// The size bounds are inclusive: 2048 and 8192 bits are accepted.
func TestParseJWKSAcceptsRSASizeBounds(t *testing.T) {
	for _, bits := range []int{2048, 8192} {
		jwk := rsaJWK("rsa", "")
		jwk["n"] = b64.EncodeToString(append([]byte{0x80}, append(make([]byte, bits/8-2), 1)...))
		if _, err := ParseJWKS(jwksJSON(jwk)); err != nil {
			t.Errorf("%d bits: %v", bits, err)
		}
	}
}

func TestParseJWKSToleratesPadding(t *testing.T) {
	jwk := rsaJWK("rsa1", "")
	jwk["e"] = "AQAB"
	jwk["n"] = jwk["n"].(string) + "=="
	if _, err := ParseJWKS(jwksJSON(jwk)); err != nil {
		t.Fatal(err)
	}
}

func TestParseJWKSRejects(t *testing.T) {
	shortCoordinate := ecJWK("ec-short")
	shortCoordinate["x"] = b64.EncodeToString(make([]byte, 31))

	shortRSA := rsaJWK("rsa-1024", "")
	shortRSA["n"] = b64.EncodeToString(append([]byte{0x80}, make([]byte, 127)...))

	longRSA := rsaJWK("rsa-8193", "")
	longRSA["n"] = b64.EncodeToString(append([]byte{0x01}, append(make([]byte, 1023), 1)...))

	evenModulus := rsaJWK("rsa-even", "")
	evenModulus["n"] = b64.EncodeToString(append([]byte{0x80}, make([]byte, 255)...))

	evenExponent := rsaJWK("rsa-e", "")
	evenExponent["e"] = b64.EncodeToString([]byte{1, 0, 0})

	tests := []struct {
		name    string
		body    []byte
		wantErr string
	}{
		{"not JSON", []byte("<html>"), "jwks: the key set is not a valid JSON object"},
		{"no keys array", []byte(`{"keys_":[]}`), `jwks: the key set has no "keys" array`},
		{"empty keys", []byte(`{"keys":[]}`), "jwks: the key set has no RSA, EC or Ed25519 signing key"},
		{"only encryption keys", jwksJSON(map[string]any{"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}), "has no RSA, EC or Ed25519 signing key"},
		{"EC coordinate too short", jwksJSON(shortCoordinate), "EC coordinates for P-256 must be 32 bytes each"},
		{"RSA key too short", jwksJSON(shortRSA), `jwks: no usable signing key; key 0 (kid "rsa-1024"): RSA key has 1024 bits; 2048 to 8192 are accepted`},
		{"RSA key too long", jwksJSON(longRSA), "RSA key has 8193 bits; 2048 to 8192 are accepted"},
		{"RSA modulus even", jwksJSON(evenModulus), "RSA modulus n is even"},
		{"RSA exponent even", jwksJSON(evenExponent), "RSA exponent e is not a valid public exponent"},
		{"RSA modulus missing", jwksJSON(map[string]any{"kty": "RSA", "e": "AQAB"}), "RSA modulus n is missing"},
		{"RSA modulus not base64url", jwksJSON(map[string]any{"kty": "RSA", "n": "a+b/", "e": "AQAB"}), "RSA modulus n is not valid base64url"},
		{"Ed25519 key wrong size", jwksJSON(map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}), "Ed25519 key x must be 32 bytes"},
		{"key not an object", []byte(`{"keys":["x"]}`), "key 0 is not a valid JSON Web Key"},
		{"key member of the wrong type", []byte(`{"keys":[{"kty":"RSA","kid":7}]}`), "key 0 is not a valid JSON Web Key"},
		{"keys not an array", []byte(`{"keys":{}}`), "jwks: the key set is not a valid JSON object"},
		{"keys null", []byte(`{"keys":null}`), `jwks: the key set has no "keys" array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseJWKS(tt.body)
			if err == nil {
				t.Fatalf("accepted %d keys", len(ks.keys))
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestUnusableKeyIsReportedByKid(t *testing.T) {
	shortRSA := rsaJWK("old", "")
	shortRSA["n"] = b64.EncodeToString(append([]byte{0x80}, make([]byte, 127)...))
	ks, err := ParseJWKS(jwksJSON(shortRSA, rsaJWK("rsa1", "")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(makeToken(hdr("RS256", "old"), baseClaims(), signRS256), ks, baseOptions())
	if err == nil || errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `key "old" in the issuer's key set is unusable: RSA key has 1024 bits; 2048 to 8192 are accepted`) {
		t.Fatalf("err = %v", err)
	}
}
