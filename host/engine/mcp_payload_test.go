package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/signing"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// mcpResource serves what an MCP server adds to OAuth: its protected
// resource metadata (RFC 9728), naming issuer as its authorization server.
// One static document; the authorization server is the real OP.
func mcpResource(t *testing.T, issuer string) (serverURL string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-protected-resource/mcp" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resource":"http://` + r.Host + `/mcp","authorization_servers":["` + issuer + `"],"scopes_supported":["openid"]}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

// runMCPFlows is runFlows' part for the MCP profile: a browser sign-in
// with the real OP as the MCP server's authorization server (a token and a
// login answer, the session's resource), and a private_key_jwt client
// credentials attempt, which has the host sign and which the OP refuses
// (an error answer).
func runMCPFlows(t *testing.T, s *Services, store secretstore.Store, op *testop.OP) {
	ctx := context.Background()
	server := mcpResource(t, op.Issuer)
	profile, err := mcpauth.Profile(server)
	if err != nil {
		t.Fatal(err)
	}
	s.HTTP.(interface{ Allow(string) }).Allow(server)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if _, err := signing.StoreKey(store, profile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	s.Sign = signing.Signer(store, profile)
	inst := newInstance(t, s)

	l, err := loopback.Listen(loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out, err := inst.MCPAuthorize(ctx, api.MCPAuthorizeInput{ServerURL: server, RedirectURI: l.RedirectURI(), OpenBrowser: true,
		Client:    &api.MCPClient{ClientID: testop.NativeClientID},
		Challenge: &api.MCPChallenge{Status: 401, WWWAuthenticate: []string{`Bearer error="invalid_token"`}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Login == nil || out.Profile != profile || out.Issuer != op.Issuer {
		t.Fatalf("got %+v", out)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := l.Wait(wctx, func(cb string) loopback.Verdict {
		if _, err := inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: out.Login.FlowID, CallbackURL: cb}); err != nil {
			t.Error(err)
		}
		return loopback.Verdict{Done: true, Page: loopback.Page{Success: true}}
	}); err != nil {
		t.Fatal(err)
	}
	ref := api.ProfileRef{Profile: profile}
	if tok, err := inst.Token(ctx, api.TokenInput{ProfileRef: ref, ForceRefresh: true}); err != nil || !tok.Refreshed {
		t.Fatalf("refresh of the MCP sign-in: %+v %v", tok, err)
	}
	if sess, err := inst.Status(ctx, ref); err != nil || sess.Resource != server {
		t.Fatalf("status %+v %v", sess, err)
	}
	// The OP has no private_key_jwt client, so it refuses; the host signed.
	if _, err := inst.MCPAuthorize(ctx, api.MCPAuthorizeInput{ServerURL: server, Grant: api.GrantClientCredentials,
		Client: &api.MCPClient{ClientID: testop.ServiceClientID, SigningAlg: "ES256"}}); err == nil {
		t.Fatal("the OP accepted an assertion from a key it does not know")
	}
	if _, err := inst.Logout(ctx, ref); err != nil {
		t.Fatal(err)
	}
}
