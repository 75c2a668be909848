package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/host/mcpclient"
	"github.com/wasmlogin/wasmlogin/host/mcpproxy"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// `mcp proxy URL` is what an MCP client that only starts local servers runs
// to reach a remote one: its stdin and stdout carry the client's JSON-RPC,
// so nothing else may ever be written to stdout; everything this program
// has to say (the sign-in's URL and prompts included) goes to stderr,
// which such clients show in their logs.
//
// The proxy carries the server's sign-in as `mcp login` would make it, under
// the same profile (mcp:<the server's canonical URL>): the stored token is
// sent and refreshed, and a 401 or 403 challenge runs the sign-in through
// the plugin, with the browser and loopback listener, the client
// credentials or cross-app access grant the flags name. Tokens stay in the
// secret store.

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
	client, done, err := c.mcpHTTPClient(ctx, endpoint)
	if err != nil {
		return err
	}
	defer done()
	local := &mcp.IOTransport{Reader: io.NopCloser(c.env.Stdin), Writer: keepOpen{c.env.Stdout}}
	err = mcpproxy.Run(ctx, local, mcpproxy.Options{Endpoint: endpoint, HTTPClient: client,
		Warn: func(err error) { fmt.Fprintf(c.env.Stderr, "%s: warning: %v\n", c.name, err) }})
	if ctx.Err() != nil {
		return nil // interrupted: the user or the client stopped the proxy
	}
	return err
}

// mcpHTTPClient is how `mcp proxy` reaches the MCP server at endpoint:
// host/mcpclient's authorizing client for the server's profile, over this
// network (proxies from the environment, --ca-file and SSL_CERT_FILE, a
// client certificate). A sign-in made before (mcp login, or an earlier
// proxy) lends its store and network settings where no flag is given, as
// for every command on a profile. done releases the plugin.
func (c *command) mcpHTTPClient(ctx context.Context, endpoint string) (client *http.Client, done func(), err error) {
	if c.profile, err = mcpauth.Profile(endpoint); err != nil {
		return nil, nil, usageError("%v", err)
	}
	c.mcp.server = endpoint
	ix, err := c.loadIndex()
	if err != nil {
		return nil, nil, err
	}
	c.recorded = ix.Profiles[c.profile] // settings.go
	opts, err := c.mcpOptions(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := mcpclient.New(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return t.Client(), func() { t.Close() }, nil
}

// keepOpen is stdout for the bridge, which closes its side when done; the
// process's stdout is not the bridge's to close.
type keepOpen struct{ io.Writer }

func (keepOpen) Close() error { return nil }
