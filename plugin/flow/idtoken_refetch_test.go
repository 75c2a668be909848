package flow

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// An ID token signed with a key the JWKS does not list: the plugin fetches
// the JWKS once more (the server may have rotated its keys), never more
// (a forged kid must not make us hammer the server), then rejects it.
func TestUnknownKidRefetchesOnceThenRejects(t *testing.T) {
	h := newTestHost()
	e := New(h, time.Now)
	b := beginLogin(t, h, e)
	q := mustQuery(t, b.AuthorizationURL)
	idToken := signIDToken("rotated-away", map[string]any{"sub": "alice", "nonce": q.Get("nonce")})

	jwksFetches := 0
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		switch {
		case strings.HasSuffix(r.URL, "/keys"):
			jwksFetches++
			return jsonResponse(200, testJWKS)
		case strings.HasSuffix(r.URL, "/token"):
			return jsonResponse(200, `{"access_token":"at","token_type":"Bearer","expires_in":60,"id_token":"`+idToken+`"}`)
		}
		return jsonResponse(404, `{}`)
	}
	cb := "http://127.0.0.1:5000/callback?code=c&iss=" + url.QueryEscape(testIssuer) + "&state=" + url.QueryEscape(q.Get("state"))
	_, err := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: cb})
	if err == nil || err.Code != api.CodeIDToken || !strings.Contains(err.Message, "rotated-away") {
		t.Fatalf("got %+v, want an id_token_invalid error naming the unknown kid", err)
	}
	if jwksFetches != 2 {
		t.Fatalf("the JWKS was fetched %d times, want exactly 2 (once, then once more for the unknown kid)", jwksFetches)
	}
	if _, stored := h.secrets[profileKey(b.Profile)]; stored {
		t.Fatal("a sign-in with a rejected ID token was stored")
	}
}

var testKey, _ = rsa.GenerateKey(rand.Reader, 2048)

var testJWKS = `{"keys":[{"kty":"RSA","kid":"published","n":"` + b64.EncodeToString(testKey.N.Bytes()) +
	`","e":"` + b64.EncodeToString(big.NewInt(int64(testKey.E)).Bytes()) + `"}]}`

var b64 = base64.RawURLEncoding

// signIDToken makes an RS256 ID token for testIssuer and client "cli".
func signIDToken(kid string, claims map[string]any) string {
	c := map[string]any{"iss": testIssuer, "aud": "cli", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	for k, v := range claims {
		c[k] = v
	}
	body, _ := json.Marshal(c)
	input := b64.EncodeToString([]byte(`{"alg":"RS256","kid":"`+kid+`"}`)) + "." + b64.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, testKey, crypto.SHA256, digest[:])
	return input + "." + b64.EncodeToString(sig)
}

// OIDC Core 12.2: a refreshed ID token must name the same user; one that
// does not is refused and the stored sign-in is left as it was.
func TestRefreshedIDTokenForAnotherUserRefused(t *testing.T) {
	h := newTestHost()
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"},
		Endpoints: endpoints{Issuer: testIssuer, Token: "https://idp.example/token", JWKS: "https://idp.example/keys", OIDC: true},
		Claims:    map[string]any{"sub": "alice", "iss": testIssuer},
		Token:     storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: 1}})
	before := h.secrets[profileKey("p")]
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if strings.HasSuffix(r.URL, "/keys") {
			return jsonResponse(200, testJWKS)
		}
		return jsonResponse(200, `{"access_token":"AT2","token_type":"Bearer","expires_in":60,"id_token":"`+
			signIDToken("published", map[string]any{"sub": "mallory"})+`"}`)
	}
	_, err := New(h, time.Now).Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
	if err == nil || err.Code != api.CodeIDToken || !strings.Contains(err.Message, "another user") {
		t.Fatalf("got %+v", err)
	}
	if h.secrets[profileKey("p")] != before {
		t.Fatal("the stored sign-in changed")
	}
}

// A host that keeps starting logins cannot grow the plugin's memory.
func TestPendingLoginsBounded(t *testing.T) {
	h := newTestHost()
	e := New(h, time.Now)
	for range 3 * maxPending {
		beginLogin(t, h, e)
	}
	if len(e.pending) > maxPending {
		t.Fatalf("%d pending logins remembered, want at most %d", len(e.pending), maxPending)
	}
}
