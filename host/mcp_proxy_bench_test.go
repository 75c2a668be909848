package main

import (
	"os/exec"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/mcptest"
)

// What `mcp proxy` adds to each request of a warm session: the same
// tools/call from the official Go SDK's client, straight to the SDK's
// Streamable HTTP server, and through the built proxy over real stdin and
// stdout pipes. ns/op is one round trip; the difference is the proxy's
// cost (two pipe hops, one JSON decode and encode each way).
// go test -run '^$' -bench MCPCall ./host

func BenchmarkMCPCallDirect(b *testing.B) {
	srv := mcptest.Start(b)
	mcptest.BenchCalls(b, &mcp.StreamableClientTransport{Endpoint: srv.URL})
}

func BenchmarkMCPCallThroughProxy(b *testing.B) {
	srv := mcptest.Start(b)
	proxy := exec.Command(bins.host, "mcp", "proxy", srv.URL)
	proxy.Env = noSignInWorld(b).env
	mcptest.BenchCalls(b, &mcp.CommandTransport{Command: proxy})
}
