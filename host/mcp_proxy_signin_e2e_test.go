package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/testmcp"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// `mcp proxy` in front of a server that requires a sign-in: the official Go
// SDK's MCP server behind its own bearer middleware, which takes only
// tokens zitadel/oidc's OP honours (internal/testmcp), reached by the built
// binary as an MCP client would start it. The first run signs in through
// the browser (BROWSER plays the user at the OP's login page); the second
// finds the token in the secret store and opens no browser.
func TestMCPProxySignsInAndReusesTheStoredToken(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	server := testmcp.Start(t, op)
	w := newWorld(t, op, bins.autobrowser)
	profile, err := mcpauth.Profile(server.URL)
	if err != nil {
		t.Fatal(err)
	}

	stderr := proxyCallsEcho(t, w.env, "--client-id", testop.NativeClientID, server.URL)
	if !strings.Contains(stderr, "Open this URL in your browser to sign in to "+server.URL) || !strings.Contains(stderr, op.Issuer) {
		t.Fatalf("the sign-in's URL was not shown on stderr:\n%s", stderr)
	}
	if n := op.GrantRequests("authorization_code"); n != 1 {
		t.Fatalf("%d authorization code grants, want 1", n)
	}
	rec := w.stored(profile)
	tok, _ := rec["token"].(map[string]any)
	access, _ := tok["access_token"].(string)
	if access == "" {
		t.Fatalf("no access token in the secret store under %s: %v", profile, rec)
	}
	refresh := refreshTokenOf(rec)
	filepath.WalkDir(w.config, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(access)) || refresh != "" && bytes.Contains(b, []byte(refresh)) {
			t.Errorf("%s holds a token in plain text", path)
		}
		return nil
	})

	// The second run has no browser at all: a sign-in would fail the call.
	again := append(slices.Clone(w.env), "BROWSER=/nonexistent/no-browser-for-this-run")
	checked := server.Checked.Load()
	if stderr := proxyCallsEcho(t, again, "--client-id", testop.NativeClientID, server.URL); stderr != "" {
		t.Fatalf("the second run said something: %s", stderr)
	}
	if n := op.GrantRequests("authorization_code"); n != 1 || op.GrantRequests("refresh_token") != 0 {
		t.Fatalf("the second run went to the token endpoint (%d code grants, %d refreshes)", n, op.GrantRequests("refresh_token"))
	}
	if server.Checked.Load() == checked {
		t.Fatal("the second run's requests reached the server without a token to check")
	}
}

// proxyCallsEcho starts `mcp proxy ARGS...` with env, calls the echo tool
// through it as an MCP client, closes its stdin and waits for it to exit.
// Every line the proxy wrote to stdout must be a JSON-RPC message. It
// returns what the proxy wrote to stderr.
func proxyCallsEcho(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), proxyHangGuard)
	defer cancel()
	proxy := exec.Command(bins.host, append([]string{"mcp", "proxy"}, args...)...)
	proxy.Env = env
	var stderr bytes.Buffer
	proxy.Stderr = &stderr
	stdin, _ := proxy.StdinPipe()
	stdout, _ := proxy.StdoutPipe()
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	seen := &lockedBuffer{}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1.0.0"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: io.NopCloser(io.TeeReader(stdout, seen)), Writer: stdin}, nil)
	if err != nil {
		proxy.Process.Kill()
		proxy.Wait()
		t.Fatalf("initialize: %v; the proxy said: %s", err, stderr.String())
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{}})
	if err != nil || res.IsError || len(res.Content) != 1 || res.Content[0].(*mcp.TextContent).Text != "hello" {
		t.Fatalf("tools/call echo: %v %+v; the proxy said: %s", err, res, stderr.String())
	}
	cs.Close() // closes the proxy's stdin: the MCP stdio way to end it
	if err := proxy.Wait(); err != nil {
		t.Fatalf("the proxy did not exit cleanly: %v; it said: %s", err, stderr.String())
	}
	lines := bufio.NewScanner(bytes.NewReader(seen.Bytes()))
	for lines.Scan() {
		if _, err := jsonrpc.DecodeMessage(lines.Bytes()); err != nil {
			t.Fatalf("the proxy wrote to stdout what is no JSON-RPC message: %q (%v)", lines.Text(), err)
		}
	}
	return stderr.String()
}

// lockedBuffer keeps what the proxy wrote to stdout as the client read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
