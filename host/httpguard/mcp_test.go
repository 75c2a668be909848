package httpguard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Fault fixtures for the MCP rules: an "MCP server" that serves resource
// metadata at whatever path a case needs, and an authorization server that
// serves its metadata, each on its own origin.

type mcpFixture struct {
	server, as, evil *httptest.Server
	prm              map[string]string // path → body on the MCP server
	asDoc            map[string]string // path → body on the authorization server
}

func newMCPFixture(t *testing.T) *mcpFixture {
	f := &mcpFixture{prm: map[string]string{}, asDoc: map[string]string{}}
	serve := func(docs map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, ok := docs[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		}
	}
	f.server = httptest.NewServer(serve(f.prm))
	f.as = httptest.NewServer(serve(f.asDoc))
	f.evil = endpointServer(t)
	t.Cleanup(f.server.Close)
	t.Cleanup(f.as.Close)
	return f
}

func (f *mcpFixture) guard(t *testing.T) *Guard {
	g := New(Options{})
	if err := g.SetMCPServer(f.server.URL + "/mcp"); err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *mcpFixture) resourceMetadata(resource string) string {
	return `{"resource":"` + resource + `","authorization_servers":["` + f.as.URL + `"]}`
}

func (f *mcpFixture) asMetadata(issuer string) string {
	return metadata(issuer, map[string]string{"token_endpoint": f.evil.URL + "/token", "registration_endpoint": f.evil.URL + "/register"})
}

// The whole chain: the server's own origin only; resource metadata at the
// path-inserted location makes the authorization server reachable; its
// metadata, with its own issuer, makes its endpoints reachable.
func TestMCPChainTeachesStepByStep(t *testing.T) {
	f := newMCPFixture(t)
	f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata(f.server.URL + "/mcp")
	f.asDoc["/.well-known/oauth-authorization-server"] = f.asMetadata(f.as.URL)
	g := f.guard(t)
	wantCode(t, get(t, g, f.as.URL+"/.well-known/oauth-authorization-server"), api.HostDisallowedHost)
	wantOK(t, get(t, g, f.server.URL+"/.well-known/oauth-protected-resource/mcp"))
	wantCode(t, get(t, g, f.evil.URL+"/token"), api.HostDisallowedHost)
	wantOK(t, get(t, g, f.as.URL+"/.well-known/oauth-authorization-server"))
	wantOK(t, get(t, g, f.evil.URL+"/token"))
	if got := g.Allowed(); len(got) != 3 || !slices.Contains(got, f.evil.URL) {
		t.Errorf("allowed %v", got)
	}
}

// Resource metadata for another resource, or at a location no rule names,
// teaches nothing; neither does metadata naming another issuer.
func TestMCPDocumentsThatTeachNothing(t *testing.T) {
	cases := map[string]func(f *mcpFixture) (get string){
		"metadata for another resource": func(f *mcpFixture) string {
			f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata("https://evil.example/mcp")
			return "/.well-known/oauth-protected-resource/mcp"
		},
		"metadata for a sibling path": func(f *mcpFixture) string {
			f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata(f.server.URL + "/mcp2")
			return "/.well-known/oauth-protected-resource/mcp"
		},
		"metadata at a path no rule names": func(f *mcpFixture) string {
			f.prm["/uploads/prm.json"] = f.resourceMetadata(f.server.URL + "/mcp")
			return "/uploads/prm.json"
		},
		"metadata at the right path with a query": func(f *mcpFixture) string {
			f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata(f.server.URL + "/mcp")
			return "/.well-known/oauth-protected-resource/mcp?x=1"
		},
		"a member named twice": func(f *mcpFixture) string {
			f.prm["/.well-known/oauth-protected-resource/mcp"] = `{"resource":"` + f.server.URL + `/mcp","authorization_servers":["https://a.example"],"authorization_servers":["` + f.as.URL + `"]}`
			return "/.well-known/oauth-protected-resource/mcp"
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			f := newMCPFixture(t)
			path := setup(f)
			g := f.guard(t)
			wantOK(t, get(t, g, f.server.URL+path))
			if got := g.Allowed(); len(got) != 1 {
				t.Errorf("taught %v", got)
			}
		})
	}
	t.Run("authorization server metadata naming another issuer", func(t *testing.T) {
		f := newMCPFixture(t)
		f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata(f.server.URL + "/mcp")
		f.asDoc["/.well-known/oauth-authorization-server"] = f.asMetadata("https://other.example")
		g := f.guard(t)
		wantOK(t, get(t, g, f.server.URL+"/.well-known/oauth-protected-resource/mcp"))
		wantOK(t, get(t, g, f.as.URL+"/.well-known/oauth-authorization-server"))
		wantCode(t, get(t, g, f.evil.URL+"/token"), api.HostDisallowedHost)
	})
	t.Run("authorization server metadata at another path", func(t *testing.T) {
		f := newMCPFixture(t)
		f.prm["/.well-known/oauth-protected-resource/mcp"] = f.resourceMetadata(f.server.URL + "/mcp")
		f.asDoc["/files/metadata.json"] = f.asMetadata(f.as.URL)
		g := f.guard(t)
		wantOK(t, get(t, g, f.server.URL+"/.well-known/oauth-protected-resource/mcp"))
		wantOK(t, get(t, g, f.as.URL+"/files/metadata.json"))
		wantCode(t, get(t, g, f.evil.URL+"/token"), api.HostDisallowedHost)
	})
}

// The challenge's metadata URL counts only when the host passes on a
// challenge it received; then its origin is reachable and its document may
// teach.
func TestMCPChallengeNamesTheMetadata(t *testing.T) {
	f := newMCPFixture(t)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, f.resourceMetadata(f.server.URL+"/mcp"))
	}))
	t.Cleanup(elsewhere.Close)
	f.asDoc["/.well-known/oauth-authorization-server"] = f.asMetadata(f.as.URL)
	g := f.guard(t)
	wantCode(t, get(t, g, elsewhere.URL+"/prm"), api.HostDisallowedHost)
	g.SetMCPChallenge([]string{`Bearer error="invalid_token", resource_metadata="` + elsewhere.URL + `/prm"`})
	wantOK(t, get(t, g, elsewhere.URL+"/other")) // its origin is reachable, but another path teaches nothing
	wantCode(t, get(t, g, f.as.URL+"/.well-known/oauth-authorization-server"), api.HostDisallowedHost)
	wantOK(t, get(t, g, elsewhere.URL+"/prm"))
	wantOK(t, get(t, g, f.as.URL+"/.well-known/oauth-authorization-server"))
	wantOK(t, get(t, g, f.evil.URL+"/register"))
}

func TestMCPServerURLChecked(t *testing.T) {
	g := New(Options{})
	for _, bad := range []string{"http://mcp.example/mcp", "https://u:p@mcp.example/", "ftp://mcp.example"} {
		if err := g.SetMCPServer(bad); err == nil {
			t.Errorf("SetMCPServer(%q) accepted", bad)
		}
	}
	if len(g.Allowed()) != 0 {
		t.Errorf("allowed %v", g.Allowed())
	}
}
