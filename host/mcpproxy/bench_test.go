package mcpproxy

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/mcptest"
)

// The bridge alone, in process, over in-memory pipes: one warm tools/call
// straight to the SDK's Streamable HTTP server, and through Run. The
// process and its OS pipes are measured in host (BenchmarkMCPCall*).
// go test -run '^$' -bench . ./host/mcpproxy

func BenchmarkCallDirect(b *testing.B) {
	srv := mcptest.Start(b)
	benchCalls(b, &mcp.StreamableClientTransport{Endpoint: srv.URL})
}

func BenchmarkCallThroughBridge(b *testing.B) {
	srv := mcptest.Start(b)
	local, done := piped(b, Options{Endpoint: srv.URL})
	benchCalls(b, local)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

func benchCalls(b *testing.B, t mcp.Transport) {
	ctx := context.Background()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, t, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	call := &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 1, "b": 2}}
	if _, err := cs.CallTool(ctx, call); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if res, err := cs.CallTool(ctx, call); err != nil || res.IsError {
			b.Fatalf("tools/call: %v %+v", err, res)
		}
	}
}
