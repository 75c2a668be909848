package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testmcp"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The mcp commands against real servers: zitadel/oidc's OP as the
// authorization server and the official Go SDK's MCP server behind its own
// bearer middleware (internal/testmcp), with BROWSER playing the user.
func TestMCPLoginTokenStatusLogout(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	mcp := testmcp.Start(t, op)
	w := newWorld(t, op, bins.autobrowser)

	// The URL may come before the flags.
	r := w.run("mcp", "login", mcp.URL, "--client-id", testop.NativeClientID)
	if r.code != 0 || !strings.Contains(r.stderr, "Signed in to "+mcp.URL+" with "+op.Issuer) {
		t.Fatalf("login: %d\n%s", r.code, r.stderr)
	}
	r = w.run("mcp", "token", mcp.URL)
	tok := strings.TrimSpace(r.stdout)
	if r.code != 0 || tok == "" {
		t.Fatalf("token: %d\n%s", r.code, r.stderr)
	}
	if got := post(t, mcp.URL, tok); got != http.StatusOK {
		t.Fatalf("the MCP server answered the token with %d", got)
	}
	r = w.run("mcp", "status", "--json", "--resource", mcp.URL)
	var s api.Session
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &s) != nil || s.Resource != mcp.URL || s.Issuer != op.Issuer || s.ClientID != testop.NativeClientID {
		t.Fatalf("status: %d %+v\n%s", r.code, s, r.stderr)
	}
	// A refresh names the resource again (RFC 8707).
	if r = w.run("mcp", "token", mcp.URL, "--force-refresh"); r.code != 0 || strings.TrimSpace(r.stdout) == tok {
		t.Fatalf("refresh: %d\n%s", r.code, r.stderr)
	}
	var refreshed url.Values
	for _, f := range op.TokenRequestForms() {
		if f.Get("grant_type") == "refresh_token" {
			refreshed = f
		}
	}
	if refreshed.Get("resource") != mcp.URL {
		t.Errorf("the refresh request's resource is %q", refreshed.Get("resource"))
	}
	// The index knows the server; it is not the default profile.
	ix, err := os.ReadFile(w.config + "/profiles.json")
	if err != nil || !strings.Contains(string(ix), `"mcp_server": "`+mcp.URL+`"`) || strings.Contains(string(ix), `"default"`) {
		t.Errorf("profiles.json: %v\n%s", err, ix)
	}
	if r = w.run("mcp", "logout", mcp.URL); r.code != 0 {
		t.Fatalf("logout: %d\n%s", r.code, r.stderr)
	}
	if r = w.run("mcp", "token", mcp.URL); r.code != 3 {
		t.Fatalf("token after logout: %d, want 3\n%s", r.code, r.stderr)
	}
}

func TestMCPUsageErrors(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mcp", "login"}, "needs the MCP server's URL"},
		{[]string{"mcp", "login", "http://mcp.example/mcp"}, "plain http is allowed only to localhost"},
		{[]string{"mcp", "token", "https://a.example/mcp", "https://b.example/mcp"}, "give one MCP server URL"},
		{[]string{"mcp", "token", "https://mcp.example/mcp"}, "mcp login https://mcp.example/mcp` first"},
		{[]string{"mcp", "frobnicate"}, `unknown command "mcp frobnicate"`},
	} {
		r := w.run(c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: %d, want %q in\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
}

// post sends one JSON-RPC ping with tok and returns the status.
func post(t *testing.T, server, tok string) int {
	req, _ := http.NewRequest(http.MethodPost, server, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
