package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/mcptest"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// `mcp proxy URL` as an MCP client runs it: the built binary, started by
// the official Go SDK's command transport over real stdin and stdout pipes,
// in front of the SDK's own Streamable HTTP server (internal/mcptest).

// proxyHangGuard bounds waits for a message or an exit that would
// otherwise never come; it is not a speed assertion.
const proxyHangGuard = 30 * time.Second

func TestMCPProxyCarriesASession(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), proxyHangGuard)
	defer cancel()
	srv := mcptest.Start(t)
	var stderr bytes.Buffer
	proxy := exec.Command(bins.host, "mcp", "proxy", srv.URL)
	proxy.Env = noSignInWorld(t).env
	proxy.Stderr = &stderr
	progress := make(chan string, 8)
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1.0.0"}, &mcp.ClientOptions{
		CreateMessageHandler: func(context.Context, *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Model: "m", Role: "assistant", Content: &mcp.TextContent{Text: "hi"}}, nil
		},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Grace"}}, nil
		},
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			progress <- r.Params.Message
		},
	})
	// Closing waits this long for the proxy to exit on its own before
	// signalling it, which would show as a non-zero exit below.
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: proxy, TerminateDuration: proxyHangGuard}, nil)
	if err != nil {
		t.Fatalf("initialize: %v; the proxy said: %s", err, stderr.String())
	}
	if name := cs.InitializeResult().ServerInfo.Name; name != "mcptest" {
		t.Fatalf("initialize answered by %q", name)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 2 {
		t.Fatalf("tools/list: %v %+v", err, tools)
	}
	sum, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 40, "b": 2}})
	if err != nil || sum.StructuredContent.(map[string]any)["sum"] != 42.0 {
		t.Fatalf("tools/call add: %v %+v", err, sum)
	}
	params := &mcp.CallToolParams{Name: "consult", Arguments: map[string]any{}}
	params.SetProgressToken(1)
	consulted, err := cs.CallTool(ctx, params)
	if err != nil || consulted.StructuredContent.(map[string]any)["name"] != "Grace" || consulted.StructuredContent.(map[string]any)["sampled"] != "hi" {
		t.Fatalf("tools/call consult (sampling and elicitation from the server): %v %+v", err, consulted)
	}
	for range 3 {
		select {
		case <-progress:
		case <-ctx.Done():
			t.Fatal("the server's progress notifications did not all arrive")
		}
	}
	client.AddRoots(&mcp.Root{URI: "file:///src"})
	select {
	case <-srv.RootsChanged:
	case <-ctx.Done():
		t.Fatal("the client's notification did not reach the server")
	}

	if err := cs.Close(); err != nil {
		t.Fatalf("the proxy did not exit cleanly when its stdin closed: %v; it said: %s", err, stderr.String())
	}
	if code := proxy.ProcessState.ExitCode(); code != 0 || stderr.Len() != 0 {
		t.Fatalf("proxy: exit %d, stderr %q", code, stderr.String())
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.HTTPMethod != http.MethodDelete || last.SessionID == "" {
		t.Fatalf("the HTTP session was not ended: %+v", reqs)
	}
}

// When the server cannot be reached, the client's request is answered with
// an error, the reason goes to stderr, and stdout carries JSON-RPC only.
func TestMCPProxyReportsOnStderrOnly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String() + "/mcp"
	l.Close()
	proxy := exec.Command(bins.host, "mcp", "proxy", endpoint)
	proxy.Env = noSignInWorld(t).env
	var stderr bytes.Buffer
	proxy.Stderr = &stderr
	stdin, _ := proxy.StdinPipe()
	stdout, _ := proxy.StdoutPipe()
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`+"\n")
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("no answer on stdout; stderr: %s", stderr.String())
	}
	msg, err := jsonrpc.DecodeMessage(lines.Bytes())
	resp, ok := msg.(*jsonrpc.Response)
	if err != nil || !ok || resp.Error == nil || !strings.Contains(resp.Error.Error(), "could not deliver \"initialize\" to "+endpoint) {
		t.Fatalf("stdout line %q: %v", lines.Text(), err)
	}
	stdin.Close()
	var rest []string
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	if err := proxy.Wait(); err != nil || len(rest) != 0 {
		t.Fatalf("after stdin closed: %v, more stdout %q", err, rest)
	}
	if want := "mcp proxy: warning: the request \"initialize\" was not delivered to " + endpoint; !strings.HasPrefix(stderr.String(), want) {
		t.Fatalf("stderr %q, want it to start with %q", stderr.String(), want)
	}
}

// noSignInWorld is a user environment of its own (profile index, store)
// with no browser: these servers ask for no sign-in, so none may start.
func noSignInWorld(t testing.TB) *world {
	return newWorld(t, &testop.OP{Username: "unused", Password: "unused"}, "/nonexistent/no-browser-for-this-test")
}
