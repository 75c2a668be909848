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
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	b64 := base64.RawURLEncoding
	jwks := `{"keys":[{"kty":"RSA","kid":"published","n":"` + b64.EncodeToString(key.N.Bytes()) +
		`","e":"` + b64.EncodeToString(big.NewInt(int64(key.E)).Bytes()) + `"}]}`

	h := newTestHost()
	e := New(h, time.Now)
	b := beginLogin(t, h, e)
	q := mustQuery(t, b.AuthorizationURL)
	claims, _ := json.Marshal(map[string]any{"iss": testIssuer, "aud": "cli", "sub": "alice",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "nonce": q.Get("nonce")})
	input := b64.EncodeToString([]byte(`{"alg":"RS256","kid":"rotated-away"}`)) + "." + b64.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	idToken := input + "." + b64.EncodeToString(sig)

	jwksFetches := 0
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		switch {
		case strings.HasSuffix(r.URL, "/keys"):
			jwksFetches++
			return jsonResponse(200, jwks)
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
