package httpguard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// login_begin shows the server its authorization request before a browser
// opens: one GET of the authorization URL, or a POST to the RFC 9126 PAR
// endpoint. Both may live on an origin of their own, which the issuer's
// discovery document names, so the guard must learn
// authorization_endpoint and pushed_authorization_request_endpoint with
// the other endpoints; without them a wrong client ID is again found only
// after the login's timeout.
func TestDiscoveryTeachesAuthorizationAndPAREndpoints(t *testing.T) {
	authorize := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	}))
	defer authorize.Close()
	par := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"request_uri":"urn:ietf:params:oauth:request_uri:x","expires_in":60}`)
	}))
	defer par.Close()
	var issuer *httptest.Server
	issuer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"pushed_authorization_request_endpoint":%q}`,
			issuer.URL, authorize.URL+"/authorize", issuer.URL+"/token", par.URL+"/par")
	}))
	defer issuer.Close()

	g := New(Options{Issuer: issuer.URL})
	g.Allow(issuer.URL)
	wantOK(t, get(t, g, issuer.URL+"/.well-known/openid-configuration"))
	if resp := wantOK(t, get(t, g, authorize.URL+"/authorize?client_id=x&response_type=code")); resp.Status != http.StatusFound {
		t.Fatalf("authorization endpoint: status %d", resp.Status)
	}
	if resp := wantOK(t, g.Do(t.Context(), api.HTTPRequest{Method: "POST", URL: par.URL + "/par", Body: "client_id=x"})); resp.Status != http.StatusCreated {
		t.Fatalf("PAR endpoint: status %d", resp.Status)
	}
}
