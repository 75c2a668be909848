package mcpauth

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseResourceMetadata(t *testing.T) {
	const server = "https://r.example/mcp"
	good := `{"resource":"https://r.example/mcp","authorization_servers":["https://as.example"],"scopes_supported":["a","b"]}`
	m, err := ParseResourceMetadata([]byte(good), server)
	if err != nil || m.AuthorizationServers[0] != "https://as.example" || !reflect.DeepEqual(m.ScopesSupported, []string{"a", "b"}) {
		t.Fatalf("got %+v, %v", m, err)
	}
	for name, c := range map[string]struct{ body, want string }{
		"another resource":      {`{"resource":"https://evil.example/mcp","authorization_servers":["https://as.example"]}`, `for the resource "https://evil.example/mcp", not for "https://r.example/mcp"`},
		"no resource":           {`{"authorization_servers":["https://as.example"]}`, "names no resource"},
		"no server":             {`{"resource":"https://r.example/mcp"}`, "names no authorization server"},
		"plain http server":     {`{"resource":"https://r.example/mcp","authorization_servers":["http://as.example"]}`, "must use https"},
		"a member twice":        {`{"resource":"https://r.example/mcp","resource":"https://evil.example","authorization_servers":["https://as.example"]}`, "names a member twice"},
		"an array":              {`[]`, "not a JSON object"},
		"servers not an array":  {`{"resource":"https://r.example/mcp","authorization_servers":"https://as.example"}`, "not valid metadata"},
		"an HTML page":          {`<html>`, "not a JSON object"},
		"resource a sibling":    {`{"resource":"https://r.example/mcp2","authorization_servers":["https://as.example"]}`, "not for"},
		"resource more precise": {`{"resource":"https://r.example/mcp/x","authorization_servers":["https://as.example"]}`, "not for"},
	} {
		if _, err := ParseResourceMetadata([]byte(c.body), server); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", name, err, c.want)
		}
	}
}

func TestScopes(t *testing.T) {
	cases := []struct {
		name string
		c    ScopeChoice
		want []string
	}{
		{"challenge wins over the resource's list", ScopeChoice{Challenge: []string{"mcp:basic"}, ResourceSupported: []string{"a", "b"}}, []string{"mcp:basic"}},
		{"the resource's list without a challenge scope", ScopeChoice{ResourceSupported: []string{"a", "b"}}, []string{"a", "b"}},
		{"none at all", ScopeChoice{WantsRefresh: true}, nil},
		{"the user's own", ScopeChoice{Requested: []string{"x"}, Challenge: []string{"y"}}, []string{"x"}},
		{"step-up keeps the old and adds the new", ScopeChoice{Challenge: []string{"mcp:basic", "mcp:write"}, Previous: []string{"mcp:basic", "other"}, StepUp: true},
			[]string{"mcp:basic", "other", "mcp:write"}},
		{"no step-up: the old are not kept", ScopeChoice{Challenge: []string{"b"}, Previous: []string{"a"}}, []string{"b"}},
		{"offline_access when the server lists it", ScopeChoice{ResourceSupported: []string{"mcp:basic"}, ServerSupported: []string{"mcp:basic", "offline_access"}, WantsRefresh: true},
			[]string{"mcp:basic", "offline_access"}},
		{"not when it does not", ScopeChoice{ResourceSupported: []string{"mcp:basic"}, ServerSupported: []string{"mcp:basic"}, WantsRefresh: true}, []string{"mcp:basic"}},
		{"not for a grant without refresh", ScopeChoice{ServerSupported: []string{"offline_access"}}, nil},
		{"no duplicates", ScopeChoice{Challenge: []string{"a", "a", ""}, ServerSupported: []string{"offline_access"}, Previous: []string{"offline_access"}, StepUp: true, WantsRefresh: true},
			[]string{"offline_access", "a"}},
	}
	for _, c := range cases {
		if got := Scopes(c.c); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestRegistration(t *testing.T) {
	var req map[string]any
	if err := json.Unmarshal(RegistrationRequest(ClientMetadata{ClientName: "wasmlogin", RedirectURIs: []string{"http://127.0.0.1:5000/callback"},
		TokenAuthMethod: "none", Scope: "a b"}), &req); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"client_name": "wasmlogin", "redirect_uris": []any{"http://127.0.0.1:5000/callback"},
		"grant_types": []any{"authorization_code", "refresh_token"}, "response_types": []any{"code"},
		"token_endpoint_auth_method": "none", "application_type": "native", "scope": "a b"}
	if !reflect.DeepEqual(req, want) {
		t.Errorf("request %v", req)
	}
	for supported, want := range map[string]string{"": "none", "none client_secret_basic": "none",
		"client_secret_post": "client_secret_post", "client_secret_basic client_secret_post": "client_secret_basic", "private_key_jwt": "none"} {
		if got := RegistrationAuthMethod(strings.Fields(supported)); got != want {
			t.Errorf("RegistrationAuthMethod(%q) = %q, want %q", supported, got, want)
		}
	}
	for body, want := range map[string]Registered{
		`{"client_id":"c"}`:                     {ClientID: "c", TokenAuthMethod: "none"},
		`{"client_id":"c","client_secret":"s"}`: {ClientID: "c", ClientSecret: "s", TokenAuthMethod: "client_secret_basic"},
		`{"client_id":"c","client_secret":"s","token_endpoint_auth_method":"client_secret_post"}`: {ClientID: "c", ClientSecret: "s", TokenAuthMethod: "client_secret_post"},
	} {
		got, err := ParseRegistered([]byte(body))
		if err != nil || *got != want {
			t.Errorf("ParseRegistered(%s) = %+v, %v", body, got, err)
		}
	}
	for body, wantErr := range map[string]string{
		`{}`: "no client_id",
		`{"client_id":"c","token_endpoint_auth_method":"tls_client_auth"}`:     "cannot do",
		`{"client_id":"c","token_endpoint_auth_method":"client_secret_basic"}`: "issued no secret",
		`nope`: "not a JSON object",
	} {
		if _, err := ParseRegistered([]byte(body)); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseRegistered(%s): %v, want %q", body, err, wantErr)
		}
	}
}

func TestAssertionSigningInput(t *testing.T) {
	in := Assertion{Alg: "ES256", ClientID: "c1", Audience: "https://as.example", ID: "j1", IssuedAt: 1000}.SigningInput()
	h, c, ok := strings.Cut(in, ".")
	if !ok {
		t.Fatal(in)
	}
	var header, claims map[string]any
	for part, out := range map[string]*map[string]any{h: &header, c: &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil || json.Unmarshal(raw, out) != nil {
			t.Fatalf("part %q: %v", part, err)
		}
	}
	if header["alg"] != "ES256" || header["typ"] != "JWT" {
		t.Errorf("header %v", header)
	}
	want := map[string]any{"iss": "c1", "sub": "c1", "aud": "https://as.example", "jti": "j1", "iat": 1000.0, "exp": 1300.0}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims %v", claims)
	}
}
