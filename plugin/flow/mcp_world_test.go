package flow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// mcpWorld plays an MCP server and its authorization server for the unit
// layer, document by document, so each test states the one thing it
// varies. The real servers (the official MCP conformance suite's) are run
// by the host's tests.
type mcpWorld struct {
	t *testing.T
	// docs are the GETs answered 200 with a JSON body; every other GET is
	// a 404.
	docs map[string]string
	// register answers the registration endpoint; token the token
	// endpoint (and the IdP's); nil fails the test.
	register func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error)
	token    func(form url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error)
	requests []api.HTTPRequest
}

const (
	mcpServerURL = "https://mcp.example/mcp"
	mcpPRMURL    = "https://mcp.example/.well-known/oauth-protected-resource/mcp"
	mcpIssuer    = "https://as.example"
	mcpRedirect  = "http://127.0.0.1:5000/callback"
)

// newMCPWorld is a server whose resource metadata sits at the path-inserted
// location and names an authorization server with RFC 8414 metadata,
// dynamic registration and PKCE.
func newMCPWorld(t *testing.T) *mcpWorld {
	return &mcpWorld{t: t, docs: map[string]string{
		mcpPRMURL: `{"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example"]}`,
		"https://as.example/.well-known/oauth-authorization-server": asMetadata(``),
	}}
}

// asMetadata is the authorization server's metadata with extra members.
func asMetadata(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize",
"token_endpoint":"https://as.example/token","registration_endpoint":"https://as.example/register",
"code_challenge_methods_supported":["S256"],"token_endpoint_auth_methods_supported":["none","client_secret_basic"]` + extra + `}`
}

func (w *mcpWorld) http(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	w.requests = append(w.requests, r)
	switch {
	case r.Method == "GET":
		if body, ok := w.docs[r.URL]; ok {
			return jsonResponse(200, body)
		}
		return jsonResponse(404, `{"error":"not_found"}`)
	case strings.HasSuffix(r.URL, "/register"):
		if w.register == nil {
			return jsonResponse(201, `{"client_id":"registered-1"}`)
		}
		return w.register(r)
	case w.token != nil:
		form, _ := url.ParseQuery(r.Body)
		return w.token(form, r)
	}
	w.t.Fatalf("unexpected request %s %s", r.Method, r.URL)
	return nil, nil
}

// gets lists the URLs fetched with GET, in order.
func (w *mcpWorld) gets() []string {
	var out []string
	for _, r := range w.requests {
		if r.Method == "GET" {
			out = append(out, r.URL)
		}
	}
	return out
}

func (w *mcpWorld) posted(suffix string) []api.HTTPRequest {
	var out []api.HTTPRequest
	for _, r := range w.requests {
		if r.Method == "POST" && strings.HasSuffix(r.URL, suffix) {
			out = append(out, r)
		}
	}
	return out
}

func mcpEngine(w *mcpWorld) (*testHost, *Engine) {
	h := newTestHost()
	h.http = w.http
	return h, New(h, time.Now)
}

func challenge(status int, values ...string) *api.MCPChallenge {
	return &api.MCPChallenge{Status: status, WWWAuthenticate: values}
}

// authorizeBrowser runs mcp-authorize for the browser and returns the
// login's authorization request.
func authorizeBrowser(t *testing.T, e *Engine, in api.MCPAuthorizeInput) (*api.MCPAuthorized, url.Values) {
	t.Helper()
	if in.ServerURL == "" {
		in.ServerURL = mcpServerURL
	}
	if in.RedirectURI == "" {
		in.RedirectURI = mcpRedirect
	}
	out, err := e.MCPAuthorize(in)
	if err != nil {
		t.Fatalf("MCPAuthorize: %+v", err)
	}
	if out.Login == nil || out.Token != nil {
		t.Fatalf("want a browser step, got %+v", out)
	}
	return out, mustQuery(t, out.Login.AuthorizationURL)
}

// completeBrowser plays the browser coming back with a code and returns
// the token request's form.
func completeBrowser(t *testing.T, w *mcpWorld, e *Engine, out *api.MCPAuthorized, q url.Values) url.Values {
	t.Helper()
	var form url.Values
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form = f
		return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT","scope":"`+q.Get("scope")+`"}`)
	}
	cb := mcpRedirect + "?code=c1&state=" + url.QueryEscape(q.Get("state"))
	if _, err := e.LoginComplete(api.LoginCompleteInput{FlowID: out.Login.FlowID, CallbackURL: cb}); err != nil {
		t.Fatalf("LoginComplete: %+v", err)
	}
	return form
}
