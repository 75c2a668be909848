package flow

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// signInWith runs a browser sign-in whose token response carries an ID
// token made by makeToken (given the login's nonce), against the key set
// testJWKS.
func signInWith(t *testing.T, h *testHost, e *Engine, makeToken func(nonce string) string) (*api.Session, *api.Error) {
	t.Helper()
	b := beginLogin(t, h, e)
	q := mustQuery(t, b.AuthorizationURL)
	idToken := makeToken(q.Get("nonce"))
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		switch {
		case strings.HasSuffix(r.URL, "/keys"):
			return jsonResponse(200, testJWKS)
		case strings.HasSuffix(r.URL, "/token"):
			return jsonResponse(200, `{"access_token":"at","token_type":"Bearer","expires_in":60,"id_token":"`+idToken+`"}`)
		}
		return jsonResponse(404, `{}`)
	}
	cb := "http://127.0.0.1:5000/callback?code=c&iss=" + url.QueryEscape(testIssuer) + "&state=" + url.QueryEscape(q.Get("state"))
	return e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: cb})
}

func validToken(nonce string) string {
	return signIDToken("published", map[string]any{"sub": "alice", "nonce": nonce})
}

// forgedToken names another user under a signature made for other
// claims: only a host that says yes to everything would pass it.
func forgedToken(nonce string) string {
	parts := strings.Split(validToken(nonce), ".")
	claims, _ := json.Marshal(map[string]any{"iss": testIssuer, "aud": "cli", "sub": "mallory", "nonce": nonce,
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	return parts[0] + "." + b64.EncodeToString(claims) + "." + parts[2]
}

// Hosts whose verify_signature lies fail the known-answer self-test before
// any real token is checked: the sign-in fails with untrusted_host, names
// the algorithm and says the host must be fixed, and nothing is stored.
func TestLyingHostIsNotTrusted(t *testing.T) {
	cases := []struct {
		name   string
		verify func(api.VerifySignatureRequest) (bool, *api.Error)
		token  func(nonce string) string
		want   string
	}{
		{"accepts everything", func(api.VerifySignatureRequest) (bool, *api.Error) { return true, nil },
			forgedToken, "its verify_signature accepted a tampered RS256 signature"},
		{"rejects everything", func(api.VerifySignatureRequest) (bool, *api.Error) { return false, nil },
			validToken, "its verify_signature said a valid RS256 signature is invalid"},
		{"refuses every key", func(api.VerifySignatureRequest) (bool, *api.Error) {
			return false, &api.Error{Code: api.CodeBadInput, Message: "unsupported key"}
		}, validToken, "refused a valid RS256 signature as unusable (unsupported key)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			h.verify = c.verify
			e := New(h, time.Now)
			_, err := signInWith(t, h, e, c.token)
			if err == nil || err.Code != api.CodeUntrustedHost || !strings.Contains(err.Message, c.want) ||
				!strings.Contains(err.Message, "the host cannot be trusted to check RS256 signatures") ||
				!strings.Contains(err.Message, "The host must be fixed") {
				t.Fatalf("got %+v, want untrusted_host with %q", err, c.want)
			}
			if len(h.verified) != 2 || h.verified[0].Message != h.verified[1].Message {
				t.Errorf("the host was asked %d questions, want only the self-test's two", len(h.verified))
			}
			if len(h.secrets) != 0 {
				t.Errorf("stored %v after an untrusted check", h.secrets)
			}
			// The verdict holds for the instance: no second self-test, no
			// token of that algorithm accepted.
			_, err = signInWith(t, h, e, validToken)
			if err == nil || err.Code != api.CodeUntrustedHost || len(h.verified) != 2 {
				t.Fatalf("second sign-in: %+v after %d questions", err, len(h.verified))
			}
		})
	}
}

// An honest host is tested once per algorithm and instance, then asked
// only about real tokens.
func TestSelfTestRunsOncePerAlgorithm(t *testing.T) {
	h := newTestHost()
	e := New(h, time.Now)
	for i := range 3 {
		if _, err := signInWith(t, h, e, validToken); err != nil {
			t.Fatalf("sign-in %d: %v", i, err)
		}
	}
	if got := len(h.verified); got != 2+3 {
		t.Fatalf("%d verify_signature calls for three sign-ins, want 2 (self-test) + 3", got)
	}
	if _, err := signInWith(t, h, New(h, time.Now), validToken); err != nil {
		t.Fatal(err)
	}
	if got := len(h.verified); got != 5+3 {
		t.Fatalf("a new instance made %d calls, want its own self-test and the token: 3", got-5)
	}
}

// A host that cannot answer at all (unavailable) has given no verdict: the
// sign-in fails as a host failure, and the self-test runs again next time.
func TestHostFailureIsNotAVerdict(t *testing.T) {
	h := newTestHost()
	h.verify = func(api.VerifySignatureRequest) (bool, *api.Error) {
		return false, &api.Error{Code: api.HostUnavailable, Message: "no crypto here"}
	}
	e := New(h, time.Now)
	_, err := signInWith(t, h, e, validToken)
	if err == nil || err.Code != api.CodeInternal || !strings.Contains(err.Message, "checking the ID token's signature: no crypto here") {
		t.Fatalf("got %+v", err)
	}
	h.verify = nil
	if _, err := signInWith(t, h, e, validToken); err != nil {
		t.Fatalf("after the host recovered: %v", err)
	}
}
