package engine

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// httpFunc answers the plugin's requests in process: a stand-in for the
// network in a benchmark, not for a server under test.
type httpFunc func(api.HTTPRequest) *api.HTTPResponse

func (f httpFunc) Do(_ context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	return api.Reply[api.HTTPResponse]{OK: f(req)}
}

// benchSigner signs ID tokens with one key of each type.
type benchSigner struct {
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	ed   ed25519.PrivateKey
	jwks string
}

func newBenchSigner(b *testing.B) *benchSigner {
	s := &benchSigner{}
	var err error
	if s.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		b.Fatal(err)
	}
	if s.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		b.Fatal(err)
	}
	var edPub ed25519.PublicKey
	if edPub, s.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		b.Fatal(err)
	}
	b64 := base64.RawURLEncoding
	point, _ := s.ec.PublicKey.Bytes()
	keys, _ := json.Marshal(map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa", "n": b64.EncodeToString(s.rsa.N.Bytes()), "e": "AQAB"},
		{"kty": "EC", "kid": "ec", "crv": "P-256", "x": b64.EncodeToString(point[1:33]), "y": b64.EncodeToString(point[33:])},
		{"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64.EncodeToString(edPub)},
	}})
	s.jwks = string(keys)
	return s
}

func (s *benchSigner) token(alg string, claims map[string]any) string {
	b64 := base64.RawURLEncoding
	kid := map[string]string{"RS256": "rsa", "PS256": "rsa", "ES256": "ec", "EdDSA": "ed"}[alg]
	header, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid})
	payload, _ := json.Marshal(claims)
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch alg {
	case "RS256":
		sig, _ = rsa.SignPKCS1v15(nil, s.rsa, crypto.SHA256, digest[:])
	case "PS256":
		sig, _ = rsa.SignPSS(rand.Reader, s.rsa, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES256":
		r, ss, _ := ecdsa.Sign(rand.Reader, s.ec, digest[:])
		sig = append(r.FillBytes(make([]byte, 32)), ss.FillBytes(make([]byte, 32))...)
	case "EdDSA":
		sig = ed25519.Sign(s.ed, []byte(input))
	}
	return input + "." + b64.EncodeToString(sig)
}

// BenchmarkIDTokenVerification is a refresh through the real plugin in
// wazero whose token response carries an ID token signed with each alg:
// the plugin reads the JWKS, chooses the key, has the host verify the
// signature (Go's crypto, host/sigverify) and checks the claims, then
// stores the sign-in. "none" is the same refresh without an ID token, the
// cost of everything else. The host's self-test for each alg runs once per
// instance, before the timer.
func BenchmarkIDTokenVerification(b *testing.B) {
	const issuer, client = "https://idp.example", "cli"
	signer := newBenchSigner(b)
	alg, nonce := "RS256", ""
	claims := func() map[string]any {
		c := map[string]any{"iss": issuer, "aud": client, "sub": "alice",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		if nonce != "" {
			c["nonce"] = nonce
		}
		return c
	}
	// Tokens are signed before the timer runs; the plugin accepts the same
	// one on every refresh.
	tokens := map[string]string{}
	http := httpFunc(func(req api.HTTPRequest) *api.HTTPResponse {
		json := map[string][]string{"Content-Type": {"application/json"}}
		if strings.HasSuffix(req.URL, "/keys") {
			return &api.HTTPResponse{Status: 200, Headers: json, Body: signer.jwks}
		}
		body := `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt"`
		if token := tokens[alg]; nonce != "" {
			body += `,"id_token":"` + signer.token(alg, claims()) + `"`
		} else if alg != "none" {
			body += `,"id_token":"` + token + `"`
		}
		return &api.HTTPResponse{Status: 200, Headers: json, Body: body + "}"}
	})
	inst := newInstance(b, &Services{HTTP: http, Secrets: &mapStore{m: map[string]string{}}, Notify: func(string, string) {}})
	ctx := context.Background()
	provider := &api.Provider{Issuer: issuer, ClientID: client, AuthorizationEndpoint: issuer + "/auth",
		TokenEndpoint: issuer + "/token", JWKSURI: issuer + "/keys"}
	begun, err := inst.LoginBegin(ctx, api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: provider},
		RedirectURI: "http://127.0.0.1:1/callback"})
	if err != nil {
		b.Fatal(err)
	}
	q := mustParse(b, begun.AuthorizationURL).Query()
	nonce = q.Get("nonce")
	if _, err := inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID,
		CallbackURL: "http://127.0.0.1:1/callback?code=c&state=" + url.QueryEscape(q.Get("state"))}); err != nil {
		b.Fatal(err)
	}
	nonce = ""
	refresh := api.TokenInput{ProfileRef: api.ProfileRef{Profile: begun.Profile}, ForceRefresh: true}
	for _, a := range []string{"none", "RS256", "PS256", "ES256", "EdDSA"} {
		alg = a
		if a != "none" {
			tokens[a] = signer.token(a, claims())
		}
		if _, err := inst.Token(ctx, refresh); err != nil { // the self-test for alg, once
			b.Fatal(err)
		}
		b.Run(a, func(b *testing.B) {
			for b.Loop() {
				if _, err := inst.Token(ctx, refresh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
