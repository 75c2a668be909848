// Command stdioclient is the MCP client the conformance suite drives to test
// `wasmlogin mcp proxy`: a client that speaks only stdio, as desktop apps
// and editors do, built on the official Go SDK.
//
//	stdioclient CMD [ARGS...] URL
//
// runs CMD ARGS... URL as its MCP server (the suite appends the URL of the
// server it started; with CMD ARGS = `wasmlogin mcp proxy` that is the
// proxy, reaching the suite's server over Streamable HTTP). It does what
// the suite expects of a client: initialize, list the tools, call the
// first one offered, then close the server's stdin and wait for it to
// exit. Exit status 0 means all of that succeeded; anything else is
// reported on stderr with status 1. Whatever the sign-in needs is the
// proxy's business, not this client's: it never sees a token.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: stdioclient CMD [ARGS...] URL (the conformance suite appends the URL)")
		os.Exit(2)
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stdioclient:", err)
		os.Exit(1)
	}
}

func run(server []string) error {
	ctx := context.Background()
	cmd := exec.Command(server[0], server[1:]...)
	cmd.Stderr = os.Stderr // the proxy's own reports, kept in the suite's stderr.txt
	client := mcp.NewClient(&mcp.Implementation{Name: "wasmlogin-conformance-stdio", Version: "1.0.0"}, nil)
	// The suite's scenarios are written for protocol 2025-11-25, which
	// begins with initialize; the SDK would first probe 2026-07-28.
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 10 * time.Second},
		&mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	if len(tools.Tools) > 0 {
		name := tools.Tools[0].Name
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
		if err != nil {
			return fmt.Errorf("tools/call %s: %w", name, err)
		}
		if res.IsError {
			return fmt.Errorf("tools/call %s: the tool reported an error: %+v", name, res.Content)
		}
	}
	if err := cs.Close(); err != nil {
		return fmt.Errorf("the server did not exit cleanly after its stdin closed: %w", err)
	}
	return nil
}
