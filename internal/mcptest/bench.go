package mcptest

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchCalls measures one warm tools/call of the test server's add tool
// through t: the session is connected and one call made (connections open,
// schemas cached) before the timed loop. The proxy's benchmarks compare it
// directly and through the bridge.
func BenchCalls(b *testing.B, t mcp.Transport) {
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
