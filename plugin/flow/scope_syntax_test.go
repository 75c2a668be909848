package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func TestScopeSyntax(t *testing.T) {
	for _, good := range [][]string{nil, {"openid", "profile"}, {"read:user", "https://graph.example/.default", "a,b", "!#[]~"}} {
		if err := checkScopes(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	for _, c := range []struct {
		scopes []string
		wantIn string
	}{
		{[]string{"openid", `a"b`}, `scope "a\"b": character 2 ('"')`},
		{[]string{`back\slash`}, `character 5 ('\\')`},
		{[]string{"caf\u00e9"}, `character 4 ('\u00e9')`},
		{[]string{"tab\there"}, `character 4 ('\t')`},
		{[]string{""}, "an empty scope"},
	} {
		err := checkScopes(c.scopes)
		if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, c.wantIn) {
			t.Errorf("%q: got %+v, want bad_input with %q", c.scopes, err, c.wantIn)
		}
	}
	// Every flow that sends scopes checks them before any request.
	h := newTestHost()
	h.http = discoveryOnly(discoveryDoc)
	if _, err := beginWith(h, &api.Provider{Issuer: testIssuer, ClientID: "cli", Scopes: []string{`a"b`}}); err == nil || err.Code != api.CodeBadInput {
		t.Fatalf("login_begin: %+v", err)
	}
	if _, err := New(h, time.Now).ClientCredentials(api.ClientCredentialsInput{ProfileRef: api.ProfileRef{Provider: &api.Provider{
		TokenEndpoint: "https://idp.example/token", ClientID: "svc", ClientSecret: "s", Scopes: []string{"a b"}}}}); err == nil || err.Code != api.CodeBadInput {
		t.Fatalf("client_credentials: %+v", err)
	}
	before := len(h.requests)
	if _, err := New(h, time.Now).TokenExchange(api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "p"},
		SubjectToken: "t", Scopes: []string{"é"}}); err == nil || err.Code != api.CodeBadInput {
		t.Fatalf("token_exchange: %+v", err)
	}
	if len(h.requests) != before {
		t.Fatal("a request was sent with an invalid scope")
	}
}
