package mcpproxy

import (
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
	mcptest.BenchCalls(b, &mcp.StreamableClientTransport{Endpoint: srv.URL})
}

func BenchmarkCallThroughBridge(b *testing.B) {
	srv := mcptest.Start(b)
	local, done := piped(b, Options{Endpoint: srv.URL})
	mcptest.BenchCalls(b, local)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
