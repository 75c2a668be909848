package flow

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/sigverify"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// testHost is a host double for the unit layer: secrets in a map and HTTP
// answered by a function. End-to-end tests use the real host and servers.
type testHost struct {
	secrets map[string]string
	http    func(api.HTTPRequest) (*api.HTTPResponse, *api.Error)
	// authorize answers login_begin's look at the authorization URL
	// (authrequest.go); nil plays a server that accepts it and redirects
	// to its login page.
	authorize func(api.HTTPRequest) (*api.HTTPResponse, *api.Error)
	requests  []api.HTTPRequest
	notes     []string
	opened    []string
	// verify replaces Go's crypto (the Go host's sigverify) when set.
	verify   func(api.VerifySignatureRequest) (bool, *api.Error)
	verified []api.VerifySignatureRequest
	// sign answers the host's signing; nil is a host that holds no key.
	sign   func(api.SignRequest) (string, *api.Error)
	signed []api.SignRequest
}

func newTestHost() *testHost { return &testHost{secrets: map[string]string{}} }

func (h *testHost) HTTP(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	h.requests = append(h.requests, r)
	if r.Method == "GET" && strings.Contains(r.URL, "response_type=code") {
		if h.authorize != nil {
			return h.authorize(r)
		}
		return &api.HTTPResponse{Status: 302, Headers: map[string][]string{"Location": {"/login"}}}, nil
	}
	return h.http(r)
}
func (h *testHost) OpenBrowser(u string) (bool, *api.Error) {
	h.opened = append(h.opened, u)
	return true, nil
}
func (h *testHost) Notify(_, m string) { h.notes = append(h.notes, m) }
func (h *testHost) Prompt(string, bool) (string, *api.Error) {
	return "", &api.Error{Code: api.HostDenied, Message: "no terminal"}
}
func (h *testHost) SecretGet(k string) (string, bool, *api.Error) {
	v, ok := h.secrets[k]
	return v, ok, nil
}
func (h *testHost) SecretSet(k, v string) *api.Error { h.secrets[k] = v; return nil }
func (h *testHost) SecretDelete(k string) *api.Error { delete(h.secrets, k); return nil }
func (h *testHost) VerifySignature(r api.VerifySignatureRequest) (bool, *api.Error) {
	h.verified = append(h.verified, r)
	if h.verify != nil {
		return h.verify(r)
	}
	return sigverify.Native{}.VerifySignature(r)
}

func (h *testHost) Sign(r api.SignRequest) (string, *api.Error) {
	h.signed = append(h.signed, r)
	if h.sign == nil {
		return "", &api.Error{Code: api.HostUnavailable, Message: "this host holds no signing keys"}
	}
	return h.sign(r)
}

func jsonResponse(status int, body string) (*api.HTTPResponse, *api.Error) {
	return &api.HTTPResponse{Status: status, Body: body,
		Headers: map[string][]string{"Content-Type": {"application/json"}}}, nil
}

const testIssuer = "https://idp.example"

var discoveryDoc = `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth",
"token_endpoint":"https://idp.example/token","jwks_uri":"https://idp.example/keys",
"scopes_supported":["openid","offline_access"],"code_challenge_methods_supported":["S256"],
"authorization_response_iss_parameter_supported":true}`

func beginLogin(t *testing.T, h *testHost, e *Engine) *api.LoginBegun {
	t.Helper()
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if strings.HasSuffix(r.URL, "/.well-known/openid-configuration") {
			return jsonResponse(200, discoveryDoc)
		}
		return jsonResponse(404, `{}`)
	}
	b, err := e.LoginBegin(api.LoginBeginInput{
		ProfileRef:  api.ProfileRef{Provider: &api.Provider{Issuer: testIssuer, ClientID: "cli"}},
		RedirectURI: "http://127.0.0.1:5000/callback", OpenBrowser: true})
	if err != nil {
		t.Fatalf("LoginBegin: %v", err)
	}
	return b
}

func TestAuthorizationURLCarriesPKCEStateNonce(t *testing.T) {
	h := newTestHost()
	b := beginLogin(t, h, New(h, time.Now))
	u, _ := url.Parse(b.AuthorizationURL)
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": "cli",
		"redirect_uri": "http://127.0.0.1:5000/callback", "code_challenge_method": "S256",
		"scope": "openid offline_access"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("%s too short or missing: %q", k, q.Get(k))
		}
	}
	if len(h.opened) != 1 || h.opened[0] != b.AuthorizationURL {
		t.Errorf("browser opened with %v", h.opened)
	}
	if b.Profile != "idp.example#cli" {
		t.Errorf("derived profile %q", b.Profile)
	}
}

func TestCallbackValidation(t *testing.T) {
	cases := []struct {
		name, query, code, wantIn string
	}{
		{"missing state", "code=x", api.CodeCallback, "wrong or missing state"},
		{"wrong state", "code=x&state=nope&iss=https://idp.example", api.CodeCallback, "wrong or missing state"},
		{"missing iss when advertised", "code=x&state=STATE", api.CodeCallback, "RFC 9207"},
		{"wrong iss", "code=x&state=STATE&iss=https://evil.example", api.CodeCallback, "mix-up"},
		{"server error escaped", "error=access_denied&error_description=%1b%5B31mno&state=STATE&iss=https://idp.example",
			api.CodeServer, "access_denied ( [31mno)"},
		{"no code", "state=STATE&iss=https://idp.example", api.CodeCallback, "neither a code"},
		{"state twice", "code=x&state=STATE&state=evil&iss=https://idp.example", api.CodeCallback, "state more than once"},
		{"code twice", "code=x&code=y&state=STATE&iss=https://idp.example", api.CodeCallback, "code more than once"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			e := New(h, time.Now)
			b := beginLogin(t, h, e)
			state := mustQuery(t, b.AuthorizationURL).Get("state")
			cb := "http://127.0.0.1:5000/callback?" + strings.ReplaceAll(c.query, "STATE", url.QueryEscape(state))
			_, err := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: cb})
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.wantIn) {
				t.Fatalf("got %+v, want code %s containing %q", err, c.code, c.wantIn)
			}
			// A rejected callback leaves the login pending (any local
			// process can reach the listener); a server's error ends it,
			// and then a replay is unknown.
			again := api.CodeUnknownFlow
			if c.code == api.CodeCallback {
				again = api.CodeCallback
			}
			_, err = e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: cb})
			if err == nil || err.Code != again {
				t.Fatalf("second callback: %+v, want %s", err, again)
			}
		})
	}
}

// A stray request to the listener (wrong or missing state, a mix-up, a
// malformed redirect) must not end the login: the browser's own redirect,
// arriving afterwards, is still handled. It ends the login, and a replay
// is unknown.
func TestRejectedCallbackLeavesLoginPending(t *testing.T) {
	h := newTestHost()
	e := New(h, time.Now)
	b := beginLogin(t, h, e)
	state := url.QueryEscape(mustQuery(t, b.AuthorizationURL).Get("state"))
	for _, stray := range []string{"code=x&state=wrong", "error=access_denied&state=wrong", "code=x", "code=x&state=" + state + "&state=x",
		"code=x&state=" + state + "&iss=https://evil.example", "%zz"} {
		_, err := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: "http://127.0.0.1:5000/callback?" + stray})
		if err == nil || err.Code != api.CodeCallback {
			t.Fatalf("stray %q: %+v", stray, err)
		}
	}
	own := "http://127.0.0.1:5000/callback?error=access_denied&state=" + state + "&iss=https://idp.example"
	if _, err := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: own}); err == nil || err.Code != api.CodeServer {
		t.Fatalf("the browser's own redirect after the strays: %+v", err)
	}
	if _, err := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID, CallbackURL: own}); err == nil || err.Code != api.CodeUnknownFlow {
		t.Fatalf("replay: %+v", err)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func storeRecord(t *testing.T, h *testHost, r *record) {
	r.Version = recordVersion
	b, _ := json.Marshal(r)
	h.secrets[profileKey("p")] = string(b)
}

func TestTokenCachedWhileFresh(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Token: storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: now.Add(time.Minute).Unix()}})
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { t.Fatal("no request expected"); return nil, nil }
	got, err := New(h, func() time.Time { return now }).Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
	if err != nil || got.AccessToken != "AT" || got.Refreshed {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestRefreshRotatesAndKeepsIdentity(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Claims: map[string]any{"sub": "alice"},
		Token:  storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT1", ExpiresAt: now.Add(10 * time.Second).Unix()}})
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if form, _ := url.ParseQuery(r.Body); form.Get("refresh_token") != "RT1" || form.Get("grant_type") != "refresh_token" {
			t.Errorf("refresh form %v", form)
		}
		return jsonResponse(200, `{"access_token":"AT2","token_type":"Bearer","expires_in":3600,"refresh_token":"RT2"}`)
	}
	e := New(h, func() time.Time { return now })
	got, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
	if err != nil || got.AccessToken != "AT2" || !got.Refreshed {
		t.Fatalf("got %+v %v", got, err)
	}
	r, _ := e.loadRecord("p")
	if r.Token.RefreshToken != "RT2" || r.Claims["sub"] != "alice" {
		t.Fatalf("stored %+v", r)
	}
	// A refresh without a new refresh token keeps the old one.
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"AT3","token_type":"Bearer","expires_in":"3600"}`)
	}
	if _, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}, ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	if r, _ = e.loadRecord("p"); r.Token.RefreshToken != "RT2" || r.Token.AccessToken != "AT3" {
		t.Fatalf("stored %+v", r.Token)
	}
}

func TestFailedRefreshKeepsStoredTokens(t *testing.T) {
	cases := []struct {
		name   string
		answer func() (*api.HTTPResponse, *api.Error)
		code   string
		want   string
	}{
		{"network", func() (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostConnect, Message: "connection refused"}
		}, api.CodeTransient, "try again"},
		{"503", func() (*api.HTTPResponse, *api.Error) {
			return &api.HTTPResponse{Status: 503, Body: "<html>down</html>", Headers: map[string][]string{"Content-Type": {"text/html"}}}, nil
		}, api.CodeTransient, "try again later"},
		{"invalid_grant", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(400, `{"error":"invalid_grant","error_description":"expired"}`)
		}, api.CodeLoginRequired, "run login again"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			now := time.Unix(1_800_000_000, 0)
			storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
				Token: storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: now.Unix() - 5}})
			before := h.secrets[profileKey("p")]
			h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { return c.answer() }
			_, err := New(h, func() time.Time { return now }).Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %s with %q", err, c.code, c.want)
			}
			if h.secrets[profileKey("p")] != before {
				t.Fatal("the stored sign-in changed after a failed refresh")
			}
		})
	}
}

func TestTokenWithoutSignIn(t *testing.T) {
	h := newTestHost()
	_, err := New(h, time.Now).Token(api.TokenInput{})
	if err == nil || err.Code != api.CodeLoginRequired || !strings.Contains(err.Message, "run login") {
		t.Fatalf("got %+v", err)
	}
}
