package idtoken

import (
	"errors"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/sigverify"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/knownanswer"
)

// recordingVerifier records what it is asked and answers with Go's crypto,
// or with fail when set.
type recordingVerifier struct {
	requests []api.VerifySignatureRequest
	fail     *api.Error
}

func (v *recordingVerifier) VerifySignature(req api.VerifySignatureRequest) (bool, *api.Error) {
	v.requests = append(v.requests, req)
	if v.fail != nil {
		return false, v.fail
	}
	return sigverify.Native{}.VerifySignature(req)
}

// The verifier gets the public key's defining members and nothing else:
// not the kid, use or alg this package has acted on, not a certificate
// chain, and never private members a misconfigured server published.
func TestVerifierGetsOnlyThePublicKey(t *testing.T) {
	rsa := rsaJWK("rsa1", "RS256")
	rsa["n"] = b64.EncodeToString(append([]byte{0}, rsaKey.N.Bytes()...)) + "=" // a leading zero and padding
	ec := ecJWK("ec1")
	ed := edJWK("ed1")
	for _, jwk := range []map[string]any{rsa, ec, ed} {
		jwk["d"], jwk["x5c"], jwk["key_ops"] = "c2VjcmV0", []string{"MIIB"}, []string{"verify"}
	}
	ks, err := ParseJWKS(jwksJSON(rsa, ec, ed))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token string
		want  api.PublicJWK
	}{
		{makeToken(hdr("RS256", "rsa1"), baseClaims(), signRS256),
			api.PublicJWK{Kty: "RSA", N: b64.EncodeToString(rsaKey.N.Bytes()), E: "AQAB"}},
		{makeToken(hdr("ES256", "ec1"), baseClaims(), signES256),
			api.PublicJWK{Kty: "EC", Crv: "P-256", X: ec["x"].(string), Y: ec["y"].(string)}},
		{makeToken(hdr("EdDSA", "ed1"), baseClaims(), signEdDSA),
			api.PublicJWK{Kty: "OKP", Crv: "Ed25519", X: ed["x"].(string)}},
	}
	for _, tt := range tests {
		v := &recordingVerifier{}
		opts := baseOptions()
		opts.Verifier = v
		if _, err := Verify(tt.token, ks, opts); err != nil {
			t.Fatalf("%s: %v", tt.want.Kty, err)
		}
		parts := strings.Split(tt.token, ".")
		want := api.VerifySignatureRequest{Alg: v.requests[0].Alg, JWK: tt.want,
			Message: b64.EncodeToString([]byte(parts[0] + "." + parts[1])), Signature: parts[2]}
		if len(v.requests) != 1 || v.requests[0] != want {
			t.Errorf("verifier asked %+v, want exactly %+v", v.requests, want)
		}
	}
}

// Every refusal that is this package's decision is made before the
// verifier is asked anything.
func TestRefusalsNeverReachTheVerifier(t *testing.T) {
	shortRSA := rsaJWK("short", "")
	shortRSA["n"] = b64.EncodeToString(append([]byte{0x80}, make([]byte, 127)...))
	ks, err := ParseJWKS(jwksJSON(rsaJWK("rsa1", ""), rsaJWK("rs256-only", "RS256"), ecJWK("ec1"), edJWK("ed1"), shortRSA))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"alg none":                        makeToken(hdr("none", ""), baseClaims(), unsigned),
		"HS256 keyed with the public key": makeToken(hdr("HS256", "rsa1"), baseClaims(), signHS256WithPublicKey),
		"crit header":                     makeToken(map[string]any{"alg": "RS256", "kid": "rsa1", "crit": []string{"x"}}, baseClaims(), signRS256),
		"ES256 on an RSA key":             makeToken(hdr("ES256", "rsa1"), baseClaims(), signES256),
		"RS256 on an EC key":              makeToken(hdr("RS256", "ec1"), baseClaims(), signRS256),
		"ES384 on a P-256 key":            makeToken(hdr("ES384", "ec1"), baseClaims(), signES256),
		"RS256 on an Ed25519 key":         makeToken(hdr("RS256", "ed1"), baseClaims(), signRS256),
		"PS256 on a key restricted to RS": makeToken(hdr("PS256", "rs256-only"), baseClaims(), signPS256),
		"a key too short":                 makeToken(hdr("RS256", "short"), baseClaims(), signRS256),
		"an unknown kid":                  makeToken(hdr("RS256", "rotated"), baseClaims(), signRS256),
		"no key for the alg and no kid":   makeToken(hdr("ES512", ""), baseClaims(), signES256),
		"JWE":                             "a.b.c.d.e",
	}
	for name, token := range tokens {
		v := &recordingVerifier{}
		opts := baseOptions()
		opts.Verifier = v
		if _, err := Verify(token, ks, opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if len(v.requests) != 0 {
			t.Errorf("%s: the verifier was asked %+v", name, v.requests)
		}
	}
}

// Whether an EC point lies on its curve is the platform's check; a key it
// refuses (bad_input) makes the token fail with the key named, and is not
// an unknown key (no JWKS refetch).
func TestKeyRefusedByTheVerifier(t *testing.T) {
	offCurve := ecJWK("ec-bad")
	y := must(b64.DecodeString(offCurve["y"].(string)))
	y[31] ^= 1
	offCurve["y"] = b64.EncodeToString(y)
	ks, err := ParseJWKS(jwksJSON(offCurve))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(makeToken(hdr("ES256", "ec-bad"), baseClaims(), signES256), ks, baseOptions())
	if err == nil || errors.Is(err, ErrUnknownKey) ||
		err.Error() != `id token: key "ec-bad" in the issuer's key set is unusable: the point is not on curve P-256` {
		t.Fatalf("err = %v", err)
	}
}

// A verifier that cannot answer (an untrusted or unavailable host) fails
// the token with its error, which callers can still inspect.
func TestVerifierFailureIsPassedOn(t *testing.T) {
	v := &recordingVerifier{fail: &api.Error{Code: api.CodeUntrustedHost, Message: "lies"}}
	opts := baseOptions()
	opts.Verifier = v
	_, err := Verify(makeToken(hdr("RS256", "rsa1"), baseClaims(), signRS256), testKeySet(t), opts)
	ae, ok := errors.AsType[*api.Error](err)
	if !ok || ae.Code != api.CodeUntrustedHost || !strings.Contains(err.Error(), "the signature could not be checked") {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifyNeedsAVerifier(t *testing.T) {
	opts := baseOptions()
	opts.Verifier = nil
	_, err := Verify(makeToken(hdr("RS256", "rsa1"), baseClaims(), signRS256), testKeySet(t), opts)
	if err == nil || !strings.Contains(err.Error(), "Options.Verifier is not set") {
		t.Fatalf("err = %v", err)
	}
}

// The plugin trusts its host for an algorithm only after that algorithm's
// known answers: every algorithm accepted here needs a vector.
func TestEveryAcceptedAlgHasKnownAnswers(t *testing.T) {
	for alg := range acceptedAlgs {
		if _, ok := knownanswer.For(alg); !ok {
			t.Errorf("%s is accepted but has no known-answer vector (go generate ./plugin/internal/knownanswer)", alg)
		}
	}
}
