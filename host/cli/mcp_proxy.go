package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/host/mcpproxy"
)

// `mcp proxy URL` is what an MCP client that only starts local servers runs
// to reach a remote one: its stdin and stdout carry the client's JSON-RPC,
// so nothing else may ever be written to stdout; everything this program
// has to say goes to stderr, which such clients show in their logs.

func (c *command) mcpProxy(ctx context.Context, args []string) error {
	const example = "https://mcp.example.com/mcp"
	switch {
	case len(args) == 0:
		return usageError("give the MCP server's URL, e.g. `%s mcp proxy %s`", c.env.Program, example)
	case len(args) > 1 && strings.HasPrefix(args[1], "-"):
		return usageError("flags go before the URL: `%s mcp proxy %s %s`", c.env.Program, strings.Join(args[1:], " "), args[0])
	case len(args) > 1:
		return usageError("unexpected argument %q after the URL; the proxy reaches one server", args[1])
	}
	endpoint := args[0]
	if err := checkURLFlag(c.env.Program+" mcp proxy", endpoint, example); err != nil {
		return err
	}
	client, err := c.mcpHTTPClient()
	if err != nil {
		return err
	}
	local := &mcp.IOTransport{Reader: io.NopCloser(c.env.Stdin), Writer: keepOpen{c.env.Stdout}}
	err = mcpproxy.Run(ctx, local, mcpproxy.Options{Endpoint: endpoint, HTTPClient: client,
		Warn: func(err error) { fmt.Fprintf(c.env.Stderr, "%s: warning: %v\n", c.name, err) }})
	if ctx.Err() != nil {
		return nil // interrupted: the user or the client stopped the proxy
	}
	return err
}

// mcpHTTPClient is how `mcp proxy` reaches MCP servers: over this network
// (proxies from the environment, --ca-file and SSL_CERT_FILE, a client
// certificate). Whatever signs requests in wraps this client's transport.
func (c *command) mcpHTTPClient() (*http.Client, error) {
	tr, err := c.networkTransport() // settings.go
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: tr}, nil
}

// keepOpen is stdout for the bridge, which closes its side when done; the
// process's stdout is not the bridge's to close.
type keepOpen struct{ io.Writer }

func (keepOpen) Close() error { return nil }
