package main

import (
	"context"
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
	benchCalls(b, &mcp.StreamableClientTransport{Endpoint: srv.URL})
}

func BenchmarkMCPCallThroughProxy(b *testing.B) {
	srv := mcptest.Start(b)
	proxy := exec.Command(bins.host, "mcp", "proxy", srv.URL)
	proxy.Env = noSignInWorld(b).env
	benchCalls(b, &mcp.CommandTransport{Command: proxy})
}

func benchCalls(b *testing.B, t mcp.Transport) {
	ctx := context.Background()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, t, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	call := &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 1, "b": 2}}
	if _, err := cs.CallTool(ctx, call); err != nil { // warm: connections open, schemas cached
		b.Fatal(err)
	}
	for b.Loop() {
		if res, err := cs.CallTool(ctx, call); err != nil || res.IsError {
			b.Fatalf("tools/call: %v %+v", err, res)
		}
	}
}
