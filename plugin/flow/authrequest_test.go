package flow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// login_begin shows the server the authorization request before a browser
// opens: a refusal is reported at once instead of after the login's
// timeout (authrequest.go).

func beginWith(h *testHost, p *api.Provider) (*api.LoginBegun, *api.Error) {
	return New(h, time.Now).LoginBegin(api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: p},
		RedirectURI: "http://127.0.0.1:5000/callback", OpenBrowser: true})
}

func discoveryOnly(doc string) func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	return func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if strings.HasSuffix(r.URL, "/.well-known/openid-configuration") {
			return jsonResponse(200, doc)
		}
		return jsonResponse(404, `{}`)
	}
}

func TestAuthorizationRequestCheckedBeforeTheBrowser(t *testing.T) {
	text := func(status int, ct, body string, hdr ...string) func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			h := map[string][]string{"Content-Type": {ct}}
			for i := 0; i+1 < len(hdr); i += 2 {
				h[hdr[i]] = []string{hdr[i+1]}
			}
			return &api.HTTPResponse{Status: status, Headers: h, Body: body}, nil
		}
	}
	cases := []struct {
		name      string
		authorize func(api.HTTPRequest) (*api.HTTPResponse, *api.Error)
		code      string // "" = the login starts
		wantIn    []string
	}{
		{"redirect to the login page", text(302, "text/html", "", "Location", "/login"), "", nil},
		{"login page", text(200, "text/html", "<html>sign in</html>"), "", nil},
		{"user authentication challenge", text(401, "text/html", "", "WWW-Authenticate", "Negotiate"), "", nil},
		// zitadel/oidc answers an unknown client so (op.AuthRequestError).
		{"unknown client, plain text", text(400, "text/plain; charset=utf-8", "unable to retrieve client by id\n"),
			api.CodeServer, []string{`HTTP 400 with the text "unable to retrieve client by id"`, `client ID "cli"`,
				"redirect URI http://127.0.0.1/callback (any port)"}},
		{"unknown client, OAuth error", text(400, "application/json", `{"error":"invalid_client","error_description":"no such client"}`),
			api.CodeServer, []string{"invalid_client (no such client)"}},
		{"error page", text(403, "text/html", "<html><body>nope</body></html>"), api.CodeServer, []string{"HTTP 403 with an HTML page"}},
		{"rate limited", text(429, "text/plain", "slow down", "Retry-After", "7"), api.CodeTransient, []string{"HTTP 429", "try again later", "wait 7 s"}},
		{"server trouble", text(503, "text/html", ""), api.CodeTransient, []string{"HTTP 503", "try again later"}},
		{"unreachable", func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostConnect, Message: "connection refused"}
		}, api.CodeTransient, []string{"connection refused"}},
		{"host does not lend that origin", func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostDisallowedHost, Message: "not allowed"}
		}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			h.http = discoveryOnly(discoveryDoc)
			var asked []string
			h.authorize = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
				asked = append(asked, r.URL)
				return c.authorize(r)
			}
			b, err := beginWith(h, &api.Provider{Issuer: testIssuer, ClientID: "cli"})
			if len(asked) != 1 || !strings.HasPrefix(asked[0], "https://idp.example/auth?") {
				t.Fatalf("authorization endpoint asked %v, want once", asked)
			}
			if c.code == "" {
				if err != nil {
					t.Fatalf("login refused: %v", err)
				}
				if b.AuthorizationURL != asked[0] || len(h.opened) != 1 {
					t.Fatalf("checked %q, opened %v for %q", asked[0], h.opened, b.AuthorizationURL)
				}
				return
			}
			if err == nil || err.Code != c.code {
				t.Fatalf("got %+v, want %s", err, c.code)
			}
			for _, w := range c.wantIn {
				if !strings.Contains(err.Message, w) {
					t.Errorf("message %q lacks %q", err.Message, w)
				}
			}
			if len(h.opened) != 0 {
				t.Fatalf("a browser was opened for a refused request: %v", h.opened)
			}
		})
	}
}

func TestAuthorizationRefusalCarriesTheServersError(t *testing.T) {
	h := newTestHost()
	h.http = discoveryOnly(discoveryDoc)
	h.authorize = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(400, `{"error":"unauthorized_client","error_description":"redirect_uri \u001b[31mnot registered"}`)
	}
	_, err := beginWith(h, &api.Provider{Issuer: testIssuer, ClientID: "cli"})
	if err == nil || err.ServerError != "unauthorized_client" || err.ServerDescription != "redirect_uri [31mnot registered" {
		t.Fatalf("got %+v", err)
	}
}

// parDiscovery advertises a PAR endpoint (RFC 9126 5).
const parDiscovery = `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth",
"token_endpoint":"https://idp.example/token","jwks_uri":"https://idp.example/keys",
"pushed_authorization_request_endpoint":"https://par.idp.example/par",
"token_endpoint_auth_methods_supported":["client_secret_basic"],
"scopes_supported":["openid","offline_access"],"code_challenge_methods_supported":["S256"]}`

// parServer answers the discovery and PAR endpoints with the responses of
// RFC 9126 2.2 and 2.3, and records what was pushed.
func parServer(h *testHost, status int, body string) *[]api.HTTPRequest {
	var pushed []api.HTTPRequest
	discovery := discoveryOnly(parDiscovery)
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if r.URL == "https://par.idp.example/par" {
			pushed = append(pushed, r)
			return jsonResponse(status, body)
		}
		return discovery(r)
	}
	h.authorize = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		panic("the authorization URL was fetched although the request was pushed: " + r.URL)
	}
	return &pushed
}

func TestPushedAuthorizationRequest(t *testing.T) {
	h := newTestHost()
	pushed := parServer(h, 201, `{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}`)
	b, err := beginWith(h, &api.Provider{Issuer: testIssuer, ClientID: "cli", ClientSecret: "s3cret",
		ExtraAuthParams: map[string]string{"prompt": "consent"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(*pushed) != 1 {
		t.Fatalf("pushed %d requests", len(*pushed))
	}
	r := (*pushed)[0]
	form, _ := url.ParseQuery(r.Body)
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(form.Get(k)) < 43 {
			t.Errorf("pushed %s = %q", k, form.Get(k))
		}
	}
	for k, want := range map[string]string{"response_type": "code", "client_id": "cli", "code_challenge_method": "S256",
		"redirect_uri": "http://127.0.0.1:5000/callback", "scope": "openid offline_access", "prompt": "consent"} {
		if form.Get(k) != want {
			t.Errorf("pushed %s = %q, want %q", k, form.Get(k), want)
		}
	}
	if len(r.Headers["Authorization"]) != 1 || !strings.HasPrefix(r.Headers["Authorization"][0], "Basic ") || form.Has("client_secret") {
		t.Errorf("the confidential client must authenticate as at the token endpoint: %v, form %v", r.Headers, form)
	}
	// The browser carries only the client and the reference (RFC 9126 4).
	q := mustQuery(t, b.AuthorizationURL)
	if !strings.HasPrefix(b.AuthorizationURL, "https://idp.example/auth?") || len(q) != 2 ||
		q.Get("client_id") != "cli" || q.Get("request_uri") != "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c" {
		t.Fatalf("authorization URL %q", b.AuthorizationURL)
	}
	if len(h.opened) != 1 || h.opened[0] != b.AuthorizationURL {
		t.Fatalf("opened %v", h.opened)
	}
}

func TestPushedAuthorizationRequestRefused(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		code       string
		wantIn     string
	}{
		// RFC 9126 2.3's example error.
		{"invalid request", `{"error":"invalid_request","error_description":"The redirect_uri is not valid for the given client"}`, 400,
			api.CodeServer, "invalid_request (The redirect_uri is not valid for the given client)"},
		{"unknown client", `{"error":"invalid_client","error_description":"client authentication failed"}`, 401,
			api.CodeServer, "invalid_client (client authentication failed)"},
		{"not JSON", `<html>Bad Request</html>`, 400, api.CodeServer, "HTTP 400 with an HTML page"},
		{"rate limited", ``, 429, api.CodeTransient, "try again later"},
		{"no request_uri", `{"expires_in":60}`, 201, api.CodeInvalidResp, "no request_uri"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			parServer(h, c.status, c.body)
			_, err := beginWith(h, &api.Provider{Issuer: testIssuer, ClientID: "cli"})
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.wantIn) {
				t.Fatalf("got %+v, want %s with %q", err, c.code, c.wantIn)
			}
			if len(h.opened) != 0 {
				t.Fatalf("a browser was opened: %v", h.opened)
			}
		})
	}
}
