package httpguard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The servers below are fault fixtures on 127.0.0.1: an issuer that serves
// whatever document a case needs at whatever path, and plain endpoints on
// other origins (each httptest server is its own origin), so the test can
// see which origins a document taught.

// docServer serves body (with "ISSUER" replaced by the server's own URL
// plus issuerPath) at every path, counting nothing: what matters is which
// request the guard learns from.
func docServer(t *testing.T, issuerPath string, body func(issuer string) string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body(srv.URL+issuerPath))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func endpointServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	t.Cleanup(srv.Close)
	return srv
}

// metadata is a discovery document naming issuer and the given members.
func metadata(issuer string, members map[string]string) string {
	doc := map[string]string{"issuer": issuer}
	for k, v := range members {
		doc[k] = v
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

func TestDiscoveryTeachesListedEndpointsOnlyAfterTheIssuerCheck(t *testing.T) {
	origins := map[string]*httptest.Server{}
	members := map[string]string{}
	for _, f := range learnedFields {
		origins[f] = endpointServer(t)
		members[f] = origins[f].URL + "/" + f
	}
	issuer := docServer(t, "", func(iss string) string { return metadata(iss, members) })

	g := New(Options{Issuer: issuer.URL})
	g.Allow(issuer.URL)
	for f, srv := range origins { // nothing is reachable before the document is read
		wantCode(t, get(t, g, srv.URL+"/"+f), api.HostDisallowedHost)
	}
	wantOK(t, get(t, g, issuer.URL+"/userinfo")) // the same body elsewhere teaches nothing
	for f, srv := range origins {
		wantCode(t, get(t, g, srv.URL+"/"+f), api.HostDisallowedHost)
	}
	wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
	for f, srv := range origins {
		if resp := wantOK(t, get(t, g, srv.URL+"/"+f)); resp.Body != "ok" {
			t.Fatalf("%s: body %q", f, resp.Body)
		}
	}
	if n := len(g.Allowed()); n != 1+len(learnedFields) {
		t.Fatalf("Allowed() = %v", g.Allowed())
	}
}

func TestDiscoveryCraftedDocumentElsewhereTeachesNothing(t *testing.T) {
	evil := endpointServer(t)
	// An issuer with a path, serving user content under its origin: a user
	// uploads a file whose path ends like a discovery URL, naming the
	// issuer correctly.
	issuer := docServer(t, "/realms/main", func(iss string) string {
		return metadata(iss, map[string]string{"token_endpoint": evil.URL + "/token", "jwks_uri": evil.URL + "/keys"})
	})
	iss := issuer.URL + "/realms/main"
	for _, path := range []string{
		"/uploads/alice/.well-known/openid-configuration",           // the old suffix rule
		"/.well-known/oauth-authorization-server/uploads/alice",     // the old prefix rule
		"/.well-known/openid-configuration",                         // the origin's, not this issuer's
		"/realms/main/.well-known/openid-configuration?x=1",         // a query is another document
		"/realms/main/.well-known/openid-configuration/",            // so is another path
		"/.well-known/oauth-authorization-server/realms/main/extra", // and a deeper RFC 8414 path
		"/realms/main/.well-known/oauth-authorization-server",       // the RFC 8414 segment misplaced
	} {
		g := New(Options{Issuer: iss})
		g.Allow(iss)
		wantOK(t, get(t, g, issuer.URL+path))
		if got := g.Allowed(); len(got) != 1 {
			t.Errorf("GET %s taught %v", path, got)
		}
	}
	// The issuer's own two URLs do teach.
	for _, path := range []string{"/realms/main/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/realms/main"} {
		g := New(Options{Issuer: iss})
		g.Allow(iss)
		wantOK(t, get(t, g, issuer.URL+path))
		wantOK(t, get(t, g, evil.URL+"/token"))
	}
}

func TestDiscoveryOfAnotherIssuerTeachesNothing(t *testing.T) {
	evil := endpointServer(t)
	for name, issuerOf := range map[string]func(string) string{
		"another issuer":       func(string) string { return "https://login.example/{tenantid}/v2.0" },
		"trailing slash added": func(iss string) string { return iss + "/" },
		"different case":       func(iss string) string { return strings.ToUpper(iss) },
		"issuer missing":       func(string) string { return "" },
	} {
		t.Run(name, func(t *testing.T) {
			issuer := docServer(t, "", func(iss string) string {
				doc := map[string]any{"token_endpoint": evil.URL + "/token"}
				if v := issuerOf(iss); v != "" {
					doc["issuer"] = v
				}
				b, _ := json.Marshal(doc)
				return string(b)
			})
			g := New(Options{Issuer: issuer.URL})
			g.Allow(issuer.URL)
			wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
			wantCode(t, get(t, g, evil.URL+"/token"), api.HostDisallowedHost)
		})
	}
}

func TestDiscoveryUnlistedFieldsTeachNothing(t *testing.T) {
	evil := endpointServer(t)
	issuer := docServer(t, "", func(iss string) string {
		return metadata(iss, map[string]string{
			"introspection_endpoint": evil.URL + "/i",
			"registration_endpoint":  evil.URL + "/r", "end_session_endpoint": evil.URL + "/e",
			"service_documentation": evil.URL + "/d", "x_custom_endpoint": evil.URL + "/x",
		})
	})
	g := New(Options{Issuer: issuer.URL})
	g.Allow(issuer.URL)
	wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
	wantCode(t, get(t, g, evil.URL+"/x"), api.HostDisallowedHost)
	if got := g.Allowed(); len(got) != 1 {
		t.Fatalf("Allowed() = %v", got)
	}
}

func TestDiscoveryRefusesUnsafeOrAmbiguousDocuments(t *testing.T) {
	evil := endpointServer(t)
	cases := map[string]func(iss string) string{
		"plain http off loopback": func(iss string) string {
			return metadata(iss, map[string]string{"token_endpoint": "http://evil.example/token"})
		},
		"user information": func(iss string) string {
			return metadata(iss, map[string]string{"token_endpoint": strings.Replace(evil.URL, "://", "://u:p@", 1) + "/t"})
		},
		"issuer named twice": func(iss string) string {
			return fmt.Sprintf(`{"issuer":"https://other.example","issuer":%q,"token_endpoint":%q}`, iss, evil.URL+"/t")
		},
		"field named twice": func(iss string) string {
			return fmt.Sprintf(`{"issuer":%q,"token_endpoint":%q,"token_endpoint":%q}`, iss, evil.URL+"/t", evil.URL+"/t")
		},
		"not an object": func(iss string) string { return fmt.Sprintf(`[{"issuer":%q,"token_endpoint":%q}]`, iss, evil.URL+"/t") },
		"trailing data": func(iss string) string {
			return fmt.Sprintf(`{"issuer":%q,"token_endpoint":%q} {}`, iss, evil.URL+"/t")
		},
		"not a string": func(iss string) string { return fmt.Sprintf(`{"issuer":%q,"token_endpoint":[%q]}`, iss, evil.URL+"/t") },
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			issuer := docServer(t, "", body)
			g := New(Options{Issuer: issuer.URL})
			g.Allow(issuer.URL)
			wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
			if got := g.Allowed(); len(got) != 1 {
				t.Fatalf("Allowed() = %v", got)
			}
		})
	}
}

func TestDiscoveryNeedsStatus200AndGET(t *testing.T) {
	evil := endpointServer(t)
	var issuer *httptest.Server
	issuer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, metadata(issuer.URL, map[string]string{"token_endpoint": evil.URL + "/t"}))
	}))
	defer issuer.Close()
	g := New(Options{Issuer: issuer.URL})
	g.Allow(issuer.URL)
	wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
	wantOK(t, g.Do(t.Context(), api.HTTPRequest{Method: "POST", URL: issuer.URL + "/.well-known/openid-configuration"}))
	if got := g.Allowed(); len(got) != 1 {
		t.Fatalf("Allowed() = %v", got)
	}
}

func TestNoIssuerNoLearning(t *testing.T) {
	evil := endpointServer(t)
	issuer := docServer(t, "", func(iss string) string {
		return metadata(iss, map[string]string{"token_endpoint": evil.URL + "/t"})
	})
	g := New(Options{}) // servers without discovery: GitHub, Strava, explicit endpoints
	g.Allow(issuer.URL)
	wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
	wantCode(t, get(t, g, evil.URL+"/t"), api.HostDisallowedHost)
}

func TestDiscoveryTargets(t *testing.T) {
	cases := map[string][]string{
		"https://Login.Example:443/tenant/v2.0/": {"https://login.example/tenant/v2.0/.well-known/openid-configuration",
			"https://login.example/.well-known/oauth-authorization-server/tenant/v2.0"},
		"https://a.example": {"https://a.example/.well-known/openid-configuration",
			"https://a.example/.well-known/oauth-authorization-server"},
		"": nil,
	}
	for issuer, want := range cases {
		if got := discoveryTargets(issuer); !slices.Equal(got, want) {
			t.Errorf("discoveryTargets(%q) = %q, want %q", issuer, got, want)
		}
	}
}
