package flow

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// discoveryWith is discoveryDoc with extra members (e.g. the auth methods).
// discoveryWith is discoveryDoc with the members in extra (`"name":value,...`)
// added or replacing its own: the plugin refuses a document that names a
// member twice.
func discoveryWith(extra string) string {
	var doc, more map[string]json.RawMessage
	if json.Unmarshal([]byte(discoveryDoc), &doc) != nil || json.Unmarshal([]byte("{"+extra+"}"), &more) != nil {
		panic("discoveryWith: not JSON members: " + extra)
	}
	maps.Copy(doc, more)
	b, _ := json.Marshal(doc)
	return string(b)
}

// machineServer answers discovery with doc and the token endpoint with
// token(form, authorization header).
func machineServer(doc string, token func(form url.Values, auth string) (*api.HTTPResponse, *api.Error)) func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	return func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		switch {
		case strings.HasSuffix(r.URL, "/.well-known/openid-configuration"):
			return jsonResponse(200, doc)
		case r.URL == "https://idp.example/token":
			form, _ := url.ParseQuery(r.Body)
			auth := ""
			if a := r.Headers["Authorization"]; len(a) > 0 {
				auth = a[0]
			}
			return token(form, auth)
		}
		return jsonResponse(404, `{}`)
	}
}

func ccInput(secret, method string) api.ClientCredentialsInput {
	return api.ClientCredentialsInput{AuthMethod: method, ProfileRef: api.ProfileRef{Profile: "svc", Provider: &api.Provider{
		Issuer: testIssuer, ClientID: "svc-client", ClientSecret: secret, Scopes: []string{"read", "write"}}}}
}

func TestClientCredentialsStoresAndRenewsByTheGrant(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	e := New(h, func() time.Time { return now })
	n := 0
	h.http = machineServer(discoveryDoc, func(form url.Values, auth string) (*api.HTTPResponse, *api.Error) {
		n++
		if form.Get("grant_type") != "client_credentials" || form.Get("scope") != "read write" || form.Has("client_secret") {
			t.Errorf("form %v", form)
		}
		if auth != "Basic "+base64.StdEncoding.EncodeToString([]byte("svc-client:s3cret")) {
			t.Errorf("authorization %q", auth)
		}
		// A refresh token here is against RFC 6749 4.4.3's advice; it is not kept.
		return jsonResponse(200, `{"access_token":"AT`+string(rune('0'+n))+`","token_type":"bearer","expires_in":60,"refresh_token":"RT"}`)
	})
	got, err := e.ClientCredentials(ccInput("s3cret", ""))
	if err != nil || got.AccessToken != "AT1" || got.Profile != "svc" || got.TokenType != "Bearer" {
		t.Fatalf("got %+v %v", got, err)
	}
	r, _ := e.loadRecord("svc")
	if r.Grant != grantClientCredentials || r.ClientSecret != "s3cret" || r.Token.RefreshToken != "" || r.Provider.ClientSecret != "" {
		t.Fatalf("stored %+v", r)
	}
	if h.secrets[defaultProfileKey] != "svc" {
		t.Fatal("the client-credentials profile did not become the default")
	}
	// Cached while fresh, renewed by the grant once inside the skew.
	if tok, _ := e.Token(api.TokenInput{}); tok.AccessToken != "AT1" || n != 1 {
		t.Fatalf("cached token %+v after %d requests", tok, n)
	}
	now = now.Add(31 * time.Second)
	tok, err := e.Token(api.TokenInput{})
	if err != nil || tok.AccessToken != "AT2" || !tok.Refreshed || n != 2 {
		t.Fatalf("renewal: %+v %v after %d requests", tok, err, n)
	}
	if r, _ := e.loadRecord("svc"); r.Token.AccessToken != "AT2" {
		t.Fatal("the renewed token was not stored")
	}
}

func TestClientCredentialsAuthMethod(t *testing.T) {
	cases := []struct {
		name, doc, override string
		post                bool
	}{
		{"basic preferred", discoveryWith(`"token_endpoint_auth_methods_supported":["client_secret_post","client_secret_basic"]`), "", false},
		{"post when it is the only one", discoveryWith(`"token_endpoint_auth_methods_supported":["client_secret_post"]`), "", true},
		{"explicit post", discoveryDoc, "client_secret_post", true},
		{"explicit basic", discoveryWith(`"token_endpoint_auth_methods_supported":["client_secret_post"]`), "client_secret_basic", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			now := time.Unix(1_800_000_000, 0)
			e := New(h, func() time.Time { return now })
			h.http = machineServer(c.doc, func(form url.Values, auth string) (*api.HTTPResponse, *api.Error) {
				if post := form.Get("client_secret") == "s3cret" && form.Get("client_id") == "svc-client"; post != c.post || (auth != "") == c.post {
					t.Errorf("post=%v: form %v, authorization %q", c.post, form, auth)
				}
				return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","expires_in":60}`)
			})
			if _, err := e.ClientCredentials(ccInput("s3cret", c.override)); err != nil {
				t.Fatal(err)
			}
			// The renewal authenticates the same way, without discovery.
			now = now.Add(time.Hour)
			before := len(h.requests)
			if _, err := e.Token(api.TokenInput{}); err != nil || len(h.requests) != before+1 {
				t.Fatalf("renewal: %v, %d requests", err, len(h.requests)-before)
			}
		})
	}
}

// A token URL alone is enough (no discovery, no authorization endpoint),
// and a discovery document without PKCE does not matter to this grant.
func TestClientCredentialsWithoutBrowserEndpoints(t *testing.T) {
	h := newTestHost()
	e := New(h, time.Now)
	h.http = machineServer(discoveryWith(`"code_challenge_methods_supported":["plain"]`), func(url.Values, string) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer"}`)
	})
	in := ccInput("s", "")
	in.Provider.Issuer, in.Provider.TokenEndpoint = "", "https://idp.example/token"
	in.Provider.RevocationEndpoint = "https://idp.example/revoke"
	if _, err := e.ClientCredentials(in); err != nil {
		t.Fatal(err)
	}
	if len(h.requests) != 1 {
		t.Fatalf("expected only the token request, got %d", len(h.requests))
	}
	if r, _ := e.loadRecord("svc"); r.Endpoints.Revocation != "https://idp.example/revoke" {
		t.Fatalf("explicit revocation endpoint not stored: %+v", r.Endpoints)
	}
	if _, err := e.ClientCredentials(ccInput("s", "")); err != nil {
		t.Fatalf("discovery without S256: %v", err)
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	invalidClient := func(url.Values, string) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(401, `{"error":"invalid_client"}`)
	}
	cases := []struct {
		name string
		in   func() api.ClientCredentialsInput
		code string
		want string
	}{
		{"no secret", func() api.ClientCredentialsInput { return ccInput("", "") }, api.CodeBadInput, "--client-secret-env"},
		{"no client id", func() api.ClientCredentialsInput {
			in := ccInput("s", "")
			in.Provider.ClientID = ""
			return in
		}, api.CodeBadInput, "--client-id"},
		{"unknown auth method", func() api.ClientCredentialsInput { return ccInput("s", "private_key_jwt") }, api.CodeBadInput, "use client_secret_basic or client_secret_post"},
		{"plain http revocation endpoint", func() api.ClientCredentialsInput {
			in := ccInput("s", "")
			in.Provider.RevocationEndpoint = "http://idp.example/revoke"
			return in
		}, api.CodeBadInput, "revocation endpoint must use https"},
		{"wrong secret", func() api.ClientCredentialsInput { return ccInput("wrong", "") }, api.CodeServer,
			"the server refused: invalid_client; check the client id and the secret (--client-secret-env)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			h.http = machineServer(discoveryDoc, invalidClient)
			_, err := New(h, time.Now).ClientCredentials(c.in())
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %s with %q", err, c.code, c.want)
			}
			if len(h.secrets) != 0 {
				t.Fatal("a failed client-credentials login stored something")
			}
		})
	}
}

// A renewal that fails keeps the stored token and says why.
func TestClientCredentialsFailedRenewalKeepsRecord(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	e := New(h, func() time.Time { return now })
	h.http = machineServer(discoveryDoc, func(url.Values, string) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","expires_in":60}`)
	})
	if _, err := e.ClientCredentials(ccInput("s", "")); err != nil {
		t.Fatal(err)
	}
	before := h.secrets[profileKey("svc")]
	now = now.Add(time.Hour)
	for _, c := range []struct {
		answer func(url.Values, string) (*api.HTTPResponse, *api.Error)
		code   string
		want   string
	}{
		{func(url.Values, string) (*api.HTTPResponse, *api.Error) {
			return &api.HTTPResponse{Status: 503, Body: "down", Headers: map[string][]string{"Content-Type": {"text/plain"}}}, nil
		}, api.CodeTransient, "try again later, your sign-in is kept"},
		{func(url.Values, string) (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostConnect, Message: "connection refused"}
		}, api.CodeTransient, "check your network"},
		{func(url.Values, string) (*api.HTTPResponse, *api.Error) {
			return jsonResponse(400, `{"error":"unauthorized_client","error_description":"grant not allowed"}`)
		}, api.CodeServer, "may use the client_credentials grant"},
	} {
		h.http = machineServer(discoveryDoc, c.answer)
		_, err := e.Token(api.TokenInput{})
		if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
			t.Errorf("got %+v, want %s with %q", err, c.code, c.want)
		}
		if h.secrets[profileKey("svc")] != before {
			t.Fatal("a failed renewal changed the stored record")
		}
	}
}
