package flow

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

const testProfile = "mcp:https://mcp.example/mcp"

// The whole browser sign-in: the challenge's metadata URL, the
// authorization server's metadata, registration as a native client, PKCE
// S256, the challenge's scope, and the resource in the authorization
// request, the code exchange and the refresh.
func TestMCPBrowserSignIn(t *testing.T) {
	w := newMCPWorld(t)
	w.docs["https://mcp.example/custom/prm.json"] = w.docs[mcpPRMURL]
	delete(w.docs, mcpPRMURL)
	var registration map[string]any
	w.register = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		json.Unmarshal([]byte(r.Body), &registration)
		return jsonResponse(201, `{"client_id":"registered-1","token_endpoint_auth_method":"none"}`)
	}
	h, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{OpenBrowser: true, Challenge: challenge(401,
		`Bearer error="invalid_token", scope="mcp:basic", resource_metadata="https://mcp.example/custom/prm.json"`)})
	if out.Profile != testProfile || out.Issuer != mcpIssuer {
		t.Errorf("profile %q issuer %q", out.Profile, out.Issuer)
	}
	if got := w.gets(); !reflect.DeepEqual(got, []string{"https://mcp.example/custom/prm.json", "https://as.example/.well-known/oauth-authorization-server"}) {
		t.Errorf("fetched %v", got)
	}
	if registration["application_type"] != "native" || registration["token_endpoint_auth_method"] != "none" ||
		!reflect.DeepEqual(registration["redirect_uris"], []any{mcpRedirect}) {
		t.Errorf("registration %v", registration)
	}
	for k, want := range map[string]string{"client_id": "registered-1", "resource": mcpServerURL, "scope": "mcp:basic",
		"code_challenge_method": "S256", "redirect_uri": mcpRedirect, "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(h.opened) != 1 || !strings.HasPrefix(h.opened[0], "https://as.example/authorize?") {
		t.Errorf("opened %v", h.opened)
	}
	form := completeBrowser(t, w, e, out, q)
	if form.Get("resource") != mcpServerURL || form.Get("client_id") != "registered-1" || form.Get("code_verifier") == "" {
		t.Errorf("code exchange %v", form)
	}
	if _, ok := h.secrets[defaultProfileKey]; ok {
		t.Error("an MCP sign-in became the default profile")
	}
	s, err := e.Status(api.ProfileRef{Profile: testProfile})
	if err != nil || s.Resource != mcpServerURL || s.Issuer != mcpIssuer || s.ClientID != "registered-1" {
		t.Fatalf("status %+v %v", s, err)
	}
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form = f
		return jsonResponse(200, `{"access_token":"AT2","token_type":"Bearer","expires_in":3600}`)
	}
	tok, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: testProfile}, ForceRefresh: true})
	if err != nil || tok.AccessToken != "AT2" {
		t.Fatalf("refresh %+v %v", tok, err)
	}
	if form.Get("grant_type") != "refresh_token" || form.Get("resource") != mcpServerURL || form.Get("client_id") != "registered-1" {
		t.Errorf("refresh form %v", form)
	}
}

// Without a metadata URL in the challenge, the path-inserted location comes
// before the root one; an issuer with a path is looked up at its three
// locations in order, never at the root.
func TestMCPDiscoveryOrder(t *testing.T) {
	w := newMCPWorld(t)
	w.docs = map[string]string{
		"https://mcp.example/.well-known/oauth-protected-resource": `{"resource":"https://mcp.example","authorization_servers":["https://as.example/tenant1"]}`,
		"https://as.example/tenant1/.well-known/openid-configuration": strings.ReplaceAll(asMetadata(`"jwks_uri":"https://as.example/jwks"`),
			`"issuer":"https://as.example"`, `"issuer":"https://as.example/tenant1"`),
	}
	_, e := mcpEngine(w)
	_, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer error="invalid_token"`)})
	want := []string{
		"https://mcp.example/.well-known/oauth-protected-resource/mcp",
		"https://mcp.example/.well-known/oauth-protected-resource",
		"https://as.example/.well-known/oauth-authorization-server/tenant1",
		"https://as.example/.well-known/openid-configuration/tenant1",
		"https://as.example/tenant1/.well-known/openid-configuration",
	}
	if got := w.gets(); !reflect.DeepEqual(got, want) {
		t.Errorf("fetched\n%v\nwant\n%v", got, want)
	}
	// The root document's resource covers the server; it is the resource
	// the server declared, so it is the one asked for.
	if q.Get("resource") != "https://mcp.example" || q.Has("scope") || q.Has("nonce") {
		t.Errorf("authorization request %v", q)
	}
}

// A server whose resource metadata is for another resource is refused
// before any authorization request, registration or token request.
func TestMCPResourceMismatchRefused(t *testing.T) {
	w := newMCPWorld(t)
	w.docs[mcpPRMURL] = `{"resource":"https://evil.example/mcp","authorization_servers":["https://as.example"]}`
	_, e := mcpEngine(w)
	_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect,
		Challenge: challenge(401, `Bearer resource_metadata="`+mcpPRMURL+`"`)})
	if err == nil || err.Code != api.CodeInvalidResp || !strings.Contains(err.Message, `for the resource "https://evil.example/mcp", not for "https://mcp.example/mcp"`) {
		t.Fatalf("got %+v", err)
	}
	if got := w.gets(); !reflect.DeepEqual(got, []string{mcpPRMURL}) || len(w.requests) != 1 {
		t.Errorf("requests after the refusal: %v", w.requests)
	}
}

func TestMCPServerMetadataRefusals(t *testing.T) {
	cases := []struct {
		name, metadata, want string
	}{
		{"another issuer", strings.Replace(asMetadata(""), `"issuer":"https://as.example"`, `"issuer":"https://other.example"`, 1),
			`metadata issuer "https://other.example" does not match the configured issuer "https://as.example"`},
		{"no PKCE", strings.Replace(asMetadata(""), `"code_challenge_methods_supported":["S256"],`, ``, 1), "without PKCE"},
		{"plain PKCE only", strings.Replace(asMetadata(""), `["S256"]`, `["plain"]`, 1), "does not list S256"},
		{"plain http token endpoint", strings.Replace(asMetadata(""), `"token_endpoint":"https://as.example/token"`, `"token_endpoint":"http://as.example/token"`, 1), "must use https"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newMCPWorld(t)
			w.docs["https://as.example/.well-known/oauth-authorization-server"] = c.metadata
			_, e := mcpEngine(w)
			_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect})
			if err == nil || err.Code != api.CodeInvalidResp || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %q", err, c.want)
			}
			if len(w.posted("")) != 0 {
				t.Errorf("posted after the refusal: %v", w.posted(""))
			}
		})
	}
}

func TestMCPRefusesUnsafeURLs(t *testing.T) {
	for _, c := range []struct{ server, prm, want string }{
		{"http://mcp.example/mcp", "", "plain http is allowed only to localhost"},
		{"https://mcp.example/mcp#x", "", "fragment"},
		{mcpServerURL, `{"resource":"https://mcp.example/mcp","authorization_servers":["http://as.example"]}`, "must use https"},
	} {
		w := newMCPWorld(t)
		if c.prm != "" {
			w.docs[mcpPRMURL] = c.prm
		}
		_, e := mcpEngine(w)
		_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: c.server, RedirectURI: mcpRedirect})
		if err == nil || !strings.Contains(err.Message, c.want) {
			t.Errorf("%s %s: got %+v, want %q", c.server, c.prm, err, c.want)
		}
	}
}

// A 2025-03-26 server: no resource metadata, so its origin's metadata,
// whose issuer may have a path on that origin.
func TestMCPLegacyMetadataAtTheOrigin(t *testing.T) {
	w := newMCPWorld(t)
	w.docs = map[string]string{"https://mcp.example/.well-known/oauth-authorization-server": `{"issuer":"https://mcp.example/oauth",
"authorization_endpoint":"https://mcp.example/oauth/authorize","token_endpoint":"https://mcp.example/oauth/token",
"registration_endpoint":"https://mcp.example/oauth/register","code_challenge_methods_supported":["S256"]}`}
	_, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer error="invalid_token", error_description="Missing Authorization header"`)})
	if out.Issuer != "https://mcp.example/oauth" || !strings.HasPrefix(out.Login.AuthorizationURL, "https://mcp.example/oauth/authorize?") ||
		len(w.posted("/oauth/register")) != 1 || q.Get("resource") != mcpServerURL {
		t.Fatalf("got %+v, requests %v", out, w.requests)
	}
	// Metadata at the origin that names an issuer elsewhere is refused.
	w = newMCPWorld(t)
	w.docs = map[string]string{"https://mcp.example/.well-known/oauth-authorization-server": asMetadata("")}
	_, e = mcpEngine(w)
	if _, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect}); err == nil || !strings.Contains(err.Message, `not on the server's own origin`) {
		t.Fatalf("metadata for another origin: %+v", err)
	}
}

// Without any metadata, the 2025-03-26 default endpoints on the origin; a
// refused registration then says what was tried and what to supply.
func TestMCPLegacyDefaultEndpoints(t *testing.T) {
	w := newMCPWorld(t)
	w.docs = map[string]string{}
	h, e := mcpEngine(w)
	out, _ := authorizeBrowser(t, e, api.MCPAuthorizeInput{})
	if out.Issuer != "https://mcp.example" || !strings.HasPrefix(out.Login.AuthorizationURL, "https://mcp.example/authorize?") ||
		len(w.posted("https://mcp.example/register")) != 1 {
		t.Fatalf("got %+v, requests %v", out, w.requests)
	}
	if !slices.ContainsFunc(h.notes, func(n string) bool { return strings.Contains(n, "default endpoints of MCP 2025-03-26") }) {
		t.Errorf("notes %v", h.notes)
	}
	w = newMCPWorld(t)
	w.docs = map[string]string{}
	w.register = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(404, `{"error":"not_found"}`)
	}
	_, e = mcpEngine(w)
	_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect})
	for _, want := range []string{"https://mcp.example/.well-known/oauth-protected-resource/mcp", "https://mcp.example/.well-known/oauth-authorization-server",
		"default registration endpoint https://mcp.example/register", "--client-id"} {
		if err == nil || !strings.Contains(err.Message, want) {
			t.Errorf("got %+v, want %q in it", err, want)
		}
	}
}

func TestMCPClientChoice(t *testing.T) {
	t.Run("pre-registered with a secret: Basic, as the server prefers", func(t *testing.T) {
		w := newMCPWorld(t)
		_, e := mcpEngine(w)
		out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Client: &api.MCPClient{ClientID: "pre", ClientSecret: "s3"}})
		if q.Get("client_id") != "pre" || len(w.posted("/register")) != 0 {
			t.Fatalf("%v %v", q, w.requests)
		}
		var auth string
		w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			auth = r.Headers["Authorization"][0]
			return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer"}`)
		}
		if _, err := e.LoginComplete(api.LoginCompleteInput{FlowID: out.Login.FlowID, CallbackURL: mcpRedirect + "?code=c&state=" + url.QueryEscape(q.Get("state"))}); err != nil {
			t.Fatal(err)
		}
		if auth != "Basic "+basicAuth("pre", "s3") {
			t.Errorf("Authorization %q", auth)
		}
	})
	t.Run("a metadata document where the server takes one", func(t *testing.T) {
		w := newMCPWorld(t)
		w.docs["https://as.example/.well-known/oauth-authorization-server"] = asMetadata(`"client_id_metadata_document_supported":true`)
		_, e := mcpEngine(w)
		_, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Client: &api.MCPClient{ClientMetadataURL: "https://app.example/client.json"}})
		if q.Get("client_id") != "https://app.example/client.json" || len(w.posted("/register")) != 0 {
			t.Fatalf("%v %v", q, w.requests)
		}
	})
	t.Run("not where it does not: registration", func(t *testing.T) {
		w := newMCPWorld(t)
		_, e := mcpEngine(w)
		_, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Client: &api.MCPClient{ClientMetadataURL: "https://app.example/client.json"}})
		if q.Get("client_id") != "registered-1" {
			t.Fatal(q)
		}
	})
	t.Run("registration refused: what to supply", func(t *testing.T) {
		w := newMCPWorld(t)
		w.docs["https://as.example/.well-known/oauth-authorization-server"] = asMetadata(`"client_id_metadata_document_supported":true`)
		w.register = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return jsonResponse(400, `{"error":"invalid_client_metadata","error_description":"no native apps"}`)
		}
		_, e := mcpEngine(w)
		_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect})
		for _, want := range []string{"invalid_client_metadata (no native apps)", "--client-id", "--client-metadata-url"} {
			if err == nil || err.Code != api.CodeServer || !strings.Contains(err.Message, want) {
				t.Errorf("got %+v, want %q", err, want)
			}
		}
	})
	t.Run("no registration at all", func(t *testing.T) {
		w := newMCPWorld(t)
		w.docs["https://as.example/.well-known/oauth-authorization-server"] = strings.Replace(asMetadata(""), `"registration_endpoint":"https://as.example/register",`, "", 1)
		_, e := mcpEngine(w)
		_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect})
		if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, "offers no client registration") || !strings.Contains(err.Message, "--client-id") {
			t.Fatalf("got %+v", err)
		}
	})
	t.Run("secret-based registration", func(t *testing.T) {
		w := newMCPWorld(t)
		w.docs["https://as.example/.well-known/oauth-authorization-server"] = strings.Replace(asMetadata(""), `["none","client_secret_basic"]`, `["client_secret_post"]`, 1)
		var asked map[string]any
		w.register = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			json.Unmarshal([]byte(r.Body), &asked)
			return jsonResponse(201, `{"client_id":"c9","client_secret":"s9","token_endpoint_auth_method":"client_secret_post"}`)
		}
		_, e := mcpEngine(w)
		out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{})
		form := completeBrowser(t, w, e, out, q)
		if asked["token_endpoint_auth_method"] != "client_secret_post" || form.Get("client_secret") != "s9" || form.Get("client_id") != "c9" {
			t.Errorf("asked %v, sent %v", asked, form)
		}
	})
	t.Run("client credentials without a client", func(t *testing.T) {
		w := newMCPWorld(t)
		_, e := mcpEngine(w)
		_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantClientCredentials})
		if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, "--client-id") {
			t.Fatalf("got %+v", err)
		}
	})
}

func TestMCPScopeChoice(t *testing.T) {
	cases := []struct {
		name, prm, as, challenge, want string
	}{
		{"the challenge's", `"scopes_supported":["a","b"]`, ``, `Bearer scope="mcp:basic"`, "mcp:basic"},
		{"the resource's list", `"scopes_supported":["mcp:basic","mcp:read","mcp:write"]`, ``, `Bearer error="invalid_token"`, "mcp:basic mcp:read mcp:write"},
		{"none at all", ``, ``, `Bearer error="invalid_token"`, ""},
		{"offline_access where listed", `"scopes_supported":["mcp:basic"]`, `"scopes_supported":["mcp:basic","offline_access"]`, ``, "mcp:basic offline_access"},
		{"not where not listed", `"scopes_supported":["mcp:basic","mcp:read"]`, `"scopes_supported":["mcp:basic","mcp:read"]`, ``, "mcp:basic mcp:read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newMCPWorld(t)
			prm := `{"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example"]`
			if c.prm != "" {
				prm += "," + c.prm
			}
			w.docs[mcpPRMURL] = prm + "}"
			w.docs["https://as.example/.well-known/oauth-authorization-server"] = asMetadata(c.as)
			_, e := mcpEngine(w)
			_, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, c.challenge)})
			if q.Get("scope") != c.want || (c.want == "" && q.Has("scope")) {
				t.Errorf("scope %q (present %v), want %q", q.Get("scope"), q.Has("scope"), c.want)
			}
		})
	}
}

// A 403 insufficient_scope after a sign-in asks again with the old and the
// new scopes together; the host's attempts are bounded and the refusal
// says the limit.
func TestMCPStepUp(t *testing.T) {
	w := newMCPWorld(t)
	_, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer scope="mcp:basic"`)})
	completeBrowser(t, w, e, out, q)
	registrations := len(w.posted("/register"))
	_, q = authorizeBrowser(t, e, api.MCPAuthorizeInput{Attempt: 1,
		Challenge: challenge(403, `Bearer error="insufficient_scope", scope="mcp:basic mcp:write"`)})
	if q.Get("scope") != "mcp:basic mcp:write" || q.Get("client_id") != "registered-1" {
		t.Errorf("step-up request %v", q)
	}
	if len(w.posted("/register")) != registrations {
		t.Error("the client registered again for a step-up")
	}
	before := len(w.requests)
	_, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect, Attempt: MaxMCPAttempts,
		Challenge: challenge(403, `Bearer error="insufficient_scope", scope="mcp:admin"`)})
	if err == nil || err.Code != api.CodeServer || !strings.Contains(err.Message, "after 3 authorizations in a row") ||
		!strings.Contains(err.Message, "at most 3") || !strings.Contains(err.Message, `"mcp:admin"`) {
		t.Fatalf("at the limit: %+v", err)
	}
	if len(w.requests) != before {
		t.Error("requests sent at the limit")
	}
	for _, plain := range []string{`Bearer error="forbidden", scope="a"`, `Bearer realm="x"`} {
		_, err = e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect, Challenge: challenge(403, plain)})
		if err == nil || !strings.Contains(err.Message, "forbids this request") {
			t.Fatalf("a plain 403 (%s): %+v", plain, err)
		}
	}
	// A 403 that names a scope without an error code is a step-up too.
	_, q = authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(403, `Bearer scope="mcp:read"`)})
	if q.Get("scope") != "mcp:basic mcp:read" {
		t.Errorf("step-up without an error code: scope %q", q.Get("scope"))
	}
}

// A 401 for a stored sign-in with a refresh token is answered by a refresh:
// no browser.
func TestMCPRefreshInsteadOfBrowser(t *testing.T) {
	w := newMCPWorld(t)
	_, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer scope="mcp:basic"`)})
	completeBrowser(t, w, e, out, q)
	var form url.Values
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form = f
		return jsonResponse(200, `{"access_token":"AT-new","token_type":"Bearer","expires_in":3600}`)
	}
	got, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect,
		Challenge: challenge(401, `Bearer error="invalid_token", scope="mcp:basic"`)})
	if err != nil || got.Token == nil || got.Token.AccessToken != "AT-new" || got.Login != nil {
		t.Fatalf("got %+v %v", got, err)
	}
	if form.Get("grant_type") != "refresh_token" || form.Get("resource") != mcpServerURL {
		t.Errorf("refresh %v", form)
	}
}

// When the server names another authorization server, the old sign-in and
// its registration are forgotten, and the old client is never shown to the
// new issuer.
func TestMCPNewIssuerForgetsTheOld(t *testing.T) {
	w := newMCPWorld(t)
	h, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{})
	completeBrowser(t, w, e, out, q)
	w.docs[mcpPRMURL] = `{"resource":"https://mcp.example/mcp","authorization_servers":["https://as2.example"]}`
	w.docs["https://as2.example/.well-known/oauth-authorization-server"] = strings.ReplaceAll(asMetadata(""), "as.example", "as2.example")
	w.register = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(201, `{"client_id":"registered-2"}`)
	}
	w.requests = nil
	out, q = authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer error="invalid_token"`)})
	if out.Issuer != "https://as2.example" || q.Get("client_id") != "registered-2" || len(w.posted("https://as2.example/register")) != 1 {
		t.Fatalf("got %+v %v", out, q)
	}
	for _, r := range w.requests {
		if strings.Contains(r.Body, "registered-1") || strings.Contains(r.URL, "registered-1") {
			t.Errorf("the old client reached %s", r.URL)
		}
	}
	if _, ok := h.secrets[profileKey(testProfile)]; ok {
		t.Error("the old issuer's sign-in is still stored")
	}
}

func TestMCPInputChecks(t *testing.T) {
	for _, c := range []struct {
		in   api.MCPAuthorizeInput
		want string
	}{
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL}, "redirect URI"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: "password"}, "is not one of"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantCrossAppAccess}, "identity provider's token endpoint"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantClientCredentials, Client: &api.MCPClient{ClientID: "c", TokenAuthMethod: "tls_client_auth"}}, "is not one this client can do"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantClientCredentials, Client: &api.MCPClient{ClientID: "c", SigningAlg: "HS256"}}, "not one the host signs with"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect, Client: &api.MCPClient{ClientMetadataURL: "http://app.example/c.json"}}, "must be an https URL"},
		{api.MCPAuthorizeInput{ServerURL: mcpServerURL, RedirectURI: mcpRedirect, Scopes: []string{"a b"}}, "not allowed"},
	} {
		w := newMCPWorld(t)
		_, e := mcpEngine(w)
		_, err := e.MCPAuthorize(c.in)
		if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, c.want) {
			t.Errorf("%+v: got %+v, want %q", c.in, err, c.want)
		}
		if len(w.requests) != 0 {
			t.Errorf("%+v: sent %v", c.in, w.requests)
		}
	}
}

func TestMCPTokenIsStoredUnderTheServersProfile(t *testing.T) {
	w := newMCPWorld(t)
	w.docs["https://as.example/.well-known/oauth-authorization-server"] = strings.Replace(asMetadata(""), `["none","client_secret_basic"]`, `["client_secret_basic"]`, 1)
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"cc-1","token_type":"Bearer","expires_in":3600}`)
	}
	h, e := mcpEngine(w)
	out, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: "https://MCP.example:443/mcp", Grant: api.GrantClientCredentials,
		Client: &api.MCPClient{ClientID: "svc", ClientSecret: "sec"}})
	if err != nil || out.Token == nil || out.Token.AccessToken != "cc-1" || out.Profile != testProfile {
		t.Fatalf("got %+v %v", out, err)
	}
	var served api.ServedToken
	if json.Unmarshal([]byte(h.secrets[api.ServedKey(testProfile)]), &served); served.AccessToken != "cc-1" {
		t.Errorf("served entry %+v", served)
	}
	// Renewal runs the grant again, with the resource.
	var form url.Values
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form = f
		return jsonResponse(200, `{"access_token":"cc-2","token_type":"Bearer","expires_in":3600}`)
	}
	e2 := New(h, func() time.Time { return time.Now().Add(2 * time.Hour) })
	tok, err := e2.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: testProfile}})
	if err != nil || tok.AccessToken != "cc-2" || form.Get("grant_type") != "client_credentials" || form.Get("resource") != mcpServerURL {
		t.Fatalf("renewal %+v %v %v", tok, err, form)
	}
}

// An ID token the MCP sign-in did not ask for (no openid scope, no nonce)
// is not used, at sign-in or at refresh, rather than refused.
func TestMCPUnaskedIDTokenIgnored(t *testing.T) {
	w := newMCPWorld(t)
	_, e := mcpEngine(w)
	out, q := authorizeBrowser(t, e, api.MCPAuthorizeInput{Challenge: challenge(401, `Bearer scope="mcp:basic"`)})
	answer := func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT","id_token":"not.a.jwt"}`)
	}
	w.token = answer
	if _, err := e.LoginComplete(api.LoginCompleteInput{FlowID: out.Login.FlowID, CallbackURL: mcpRedirect + "?code=c&state=" + url.QueryEscape(q.Get("state"))}); err != nil {
		t.Fatalf("sign-in: %+v", err)
	}
	if _, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: testProfile}, ForceRefresh: true}); err != nil {
		t.Fatalf("refresh: %+v", err)
	}
	if r, _ := e.loadRecord(testProfile); r.Token.IDToken != "" || r.Claims != nil {
		t.Errorf("kept %q %v", r.Token.IDToken, r.Claims)
	}
}
